# The vocabulary of the search index, for "Did you mean …?" (search/suggest.py): per word
# and language, the number of documents live for good that hold it, and the words of the
# documents whose live window has a boundary ahead (scheduled releases, and the releases
# they replace). On PostgreSQL, the pg_trgm extension and a trigram GIN index on the words
# find the nearest to a misspelt one; SQLite needs neither (rapidfuzz reads the words).
#
# Derived data: built here from the documents already indexed, so an upgraded portal
# suggests words as soon as `migrate` ends.

import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.utils import timezone

TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS search_word_trgm ON search_searchword "
    "USING gin (word gin_trgm_ops) WITH (fastupdate = off)"
)
DROP_TRIGRAM_INDEX = "DROP INDEX IF EXISTS search_word_trgm"
TEXT = ("title", "summary", "keywords", "body", "more")
SOURCE = ("pk", "language", "expert_id", "live_from", "live_until")


def on_postgres(statement):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return operation


def build_vocabulary(apps, schema_editor):
    """Count the words of every document in the index."""
    from search import suggest

    SearchDocument = apps.get_model("search", "SearchDocument")
    TimedWord = apps.get_model("search", "TimedWord")
    rows = SearchDocument.objects.order_by("pk").values_list(*SOURCE, *TEXT)
    counts, timed = suggest.tally(rows.iterator(chunk_size=200), timezone.now())
    TimedWord.objects.bulk_create(
        [TimedWord(document_id=pk, word=word) for pk, word in timed], batch_size=500
    )
    with schema_editor.connection.cursor() as cursor:
        suggest.write_counts(cursor, counts)


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0002_spanish_stemming'),
    ]

    operations = [
        TrigramExtension(),  # PostgreSQL only: CI and `migrate` run as a superuser
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', models.CharField(max_length=40)),
                ('language', models.CharField(blank=True, help_text='Blank for experts.', max_length=10)),
                ('documents', models.IntegerField(default=0)),
            ],
            options={
                'ordering': ['word', 'language'],
                'constraints': [models.UniqueConstraint(fields=('word', 'language'), name='searchword_unique')],
            },
        ),
        migrations.CreateModel(
            name='TimedWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', models.CharField(db_index=True, max_length=40)),
                ('document', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='timed_words', to='search.searchdocument')),
            ],
            options={
                'ordering': ['pk'],
                'constraints': [models.UniqueConstraint(fields=('document', 'word'), name='timedword_unique')],
            },
        ),
        migrations.RunPython(
            on_postgres(TRIGRAM_INDEX), on_postgres(DROP_TRIGRAM_INDEX), elidable=False
        ),
        migrations.RunPython(build_vocabulary, migrations.RunPython.noop),
    ]
