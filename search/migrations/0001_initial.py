# The search index: one document per live or scheduled release and per expert, and what
# each database searches it with. PostgreSQL: GIN indexes on the stored tsvectors, with
# fastupdate off (documents change rarely, and a search then never reads a pending list).
# SQLite: an FTS5 table (porter stemming, accents folded) reading its text from the
# document table, kept in step by triggers. The SQL is written out here so this
# migration keeps working whatever later code does; search/schema.py holds the same
# statements for `manage.py rebuild_search_index`, which recreates them if they go missing.
#
# The index is derived data: this migration builds it from the releases and experts
# already in the database (with the historical models), so a portal that upgrades has a
# complete index when `migrate` ends.

import itertools

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

TABLE = "search_searchdocument"
FTS_TABLE = "search_searchdocument_fts"
COLUMNS = "title, summary, keywords, body, more"
NEW = "new.id, new.title, new.summary, new.keywords, new.body, new.more"
OLD = "old.id, old.title, old.summary, old.keywords, old.body, old.more"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        {COLUMNS},
        content='{TABLE}', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, {COLUMNS}) VALUES ({NEW});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_delete AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS}) VALUES ('delete', {OLD});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_update AFTER UPDATE ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS}) VALUES ('delete', {OLD});
        INSERT INTO {FTS_TABLE}(rowid, {COLUMNS}) VALUES ({NEW});
    END""",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
    # What a search checks for each match, read without the long rows.
    f"CREATE INDEX IF NOT EXISTS search_visibility ON {TABLE} "
    "(id, live_from, live_until, expert_id, article_id, language)",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_fts_insert",
    f"DROP TRIGGER IF EXISTS {TABLE}_fts_delete",
    f"DROP TRIGGER IF EXISTS {TABLE}_fts_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
    "DROP INDEX IF EXISTS search_visibility",
]
POSTGRES_CREATE = [
    f"CREATE INDEX IF NOT EXISTS search_{column}_gin ON {TABLE} USING gin ({column}) "
    "WITH (fastupdate = off)"
    for column in ("vector", "title_vector", "summary_vector")
]
POSTGRES_DROP = [
    f"DROP INDEX IF EXISTS search_{column}_gin"
    for column in ("vector", "title_vector", "summary_vector")
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


def build_index(apps, schema_editor):
    """Write the documents of every live or scheduled release and of every expert."""
    from search import text

    connection = schema_editor.connection
    Release = apps.get_model("articles", "Release")
    Expert = apps.get_model("experts", "Expert")
    SearchDocument = apps.get_model("search", "SearchDocument")
    Topics = apps.get_model("articles", "Article").topics.through
    TaggedItem = apps.get_model("taggit", "TaggedItem")

    now = timezone.now()
    rows = (
        Release.objects.exclude(article__status="archived")
        .order_by("article_id")
        .values_list("pk", "article_id", "number", "go_live_at")
    )
    windows = {}
    for _, group in itertools.groupby(rows, lambda row: row[1]):
        group = list(group)
        by_number = text.live_windows([(number, go_live) for _, _, number, go_live in group])
        for pk, _, number, _ in group:
            live_from, live_until = by_number[number]
            if live_until is None or live_until > max(now, live_from):
                windows[pk] = by_number[number]
    labels = {}
    for article_id, name in Topics.objects.values_list("article_id", "topic__name"):
        labels.setdefault(article_id, []).append(name)
    tagged = TaggedItem.objects.filter(
        content_type__app_label="articles", content_type__model="article"
    )
    for article_id, name in tagged.values_list("object_id", "tag__name"):
        labels.setdefault(article_id, []).append(name)

    documents = []
    releases = Release.objects.filter(pk__in=list(windows)).only("article_id", "language", "content")
    for release in releases.iterator(chunk_size=200):
        fields = text.release_fields(release.content, labels.get(release.article_id, []))
        documents.append(
            SearchDocument(
                release_id=release.pk,
                article_id=release.article_id,
                language=release.language,
                live_from=windows[release.pk][0],
                live_until=windows[release.pk][1],
                **text.with_vectors(fields, connection),
            )
        )
    for expert in Expert.objects.iterator(chunk_size=200):
        name = f"{expert.honorific} {expert.name}".strip()
        fields = text.expert_fields(
            ", ".join(part for part in [name, expert.credentials] if part),
            expert.role,
            expert.affiliation,
            expert.bio,
        )
        documents.append(SearchDocument(expert_id=expert.pk, **text.with_vectors(fields, connection)))
    SearchDocument.objects.bulk_create(documents, batch_size=50)
    if connection.vendor == "postgresql":
        connection.check_constraints()  # PostgreSQL indexes no table with checks pending


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('articles', '0017_move_searchdocument_to_search'),
        ('experts', '0003_expert_photo_alt_help'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                # The short columns first: SQLite then reads them without the long text.
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('release', models.OneToOneField(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_document', to='articles.release')),
                ('article', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_documents', to='articles.article')),
                ('expert', models.OneToOneField(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_document', to='experts.expert')),
                ('language', models.CharField(blank=True, help_text='Blank for experts.', max_length=10)),
                ('live_from', models.DateTimeField(help_text="The release's go-live time.", null=True)),
                ('live_until', models.DateTimeField(help_text='When a newer release replaces it; empty while none is due.', null=True)),
                ('title', models.TextField()),
                ('summary', models.TextField(blank=True)),
                ('keywords', models.TextField(blank=True)),
                ('body', models.TextField(blank=True, help_text="The body's start: quoted in snippets.")),
                ('more', models.TextField(blank=True, help_text='The rest of the body: searched only.')),
                ('vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('title_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('summary_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
            ],
            options={
                'ordering': ['pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('article__isnull', False), ('expert__isnull', True), ('release__isnull', False)), models.Q(('article__isnull', True), ('expert__isnull', False), ('release__isnull', True)), _connector='OR'), name='searchdocument_one_source')],
            },
        ),
        # Documents first, then the full-text index over them in one go.
        migrations.RunPython(build_index, migrations.RunPython.noop),
        migrations.RunPython(
            run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
