# The search index: a SearchDocument table on every database, plus what each database
# searches it with. PostgreSQL: a GIN index on the stored tsvector, with fastupdate off
# (writes are rare, and entries waiting in GIN's pending list make the planner skip the
# index until the next vacuum), and the vector kept in the table row. SQLite: an FTS5 table (porter stemming, accents folded)
# reading its text from the document table, kept in step by triggers. The SQL is
# written out here so this migration keeps working whatever later code does;
# portal/search_index.py holds the same statements for `manage.py rebuild_search_index`,
# which recreates them if they go missing.

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

FTS_TABLE = "articles_searchdocument_fts"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title, summary, keywords, body,
        content='articles_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_searchdocument_fts_insert
        AFTER INSERT ON articles_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, summary, keywords, body)
        VALUES (new.id, new.title, new.summary, new.keywords, new.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_searchdocument_fts_delete
        AFTER DELETE ON articles_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, summary, keywords, body)
        VALUES ('delete', old.id, old.title, old.summary, old.keywords, old.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_searchdocument_fts_update
        AFTER UPDATE ON articles_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, summary, keywords, body)
        VALUES ('delete', old.id, old.title, old.summary, old.keywords, old.body);
        INSERT INTO {FTS_TABLE}(rowid, title, summary, keywords, body)
        VALUES (new.id, new.title, new.summary, new.keywords, new.body);
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS articles_searchdocument_fts_insert",
    "DROP TRIGGER IF EXISTS articles_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS articles_searchdocument_fts_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
POSTGRES_CREATE = [
    "CREATE INDEX IF NOT EXISTS articles_searchdocument_vector_gin "
    "ON articles_searchdocument USING gin (vector) WITH (fastupdate = off)",
    # Keep vectors in the table row (compressed), not in TOAST: a search reads every
    # matching vector, and a TOAST lookup per row made that several times slower.
    "ALTER TABLE articles_searchdocument ALTER COLUMN vector SET STORAGE MAIN",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS articles_searchdocument_vector_gin"]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0001_initial'),
        ('experts', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                # The short columns first: SQLite then reads them without the long text.
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('article', models.OneToOneField(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_document', to='articles.article')),
                ('expert', models.OneToOneField(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_document', to='experts.expert')),
                ('title', models.TextField()),
                ('summary', models.TextField(blank=True)),
                ('keywords', models.TextField(blank=True)),
                ('body', models.TextField(blank=True)),
                ('vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('title_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('summary_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
            ],
            options={
                'ordering': ['pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('article__isnull', False), ('expert__isnull', True)), models.Q(('article__isnull', True), ('expert__isnull', False)), _connector='OR'), name='searchdocument_one_source')],
            },
        ),
        migrations.RunPython(
            run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
