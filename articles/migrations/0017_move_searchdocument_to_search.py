# The search index moved to the search app (search/models.py), one document per release:
# this drops the old per-article table and its full-text machinery. The index is derived
# data; search's migration 0001 builds the new one from the releases and experts.

from django.db import migrations

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS articles_searchdocument_fts_insert",
    "DROP TRIGGER IF EXISTS articles_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS articles_searchdocument_fts_update",
    "DROP TABLE IF EXISTS articles_searchdocument_fts",
]


def drop_full_text(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0016_article_language_and_translations"),
    ]

    operations = [
        # Backwards, the old table comes back empty: `rebuild_search_index` of that
        # version recreates its full-text index and documents.
        migrations.RunPython(drop_full_text, migrations.RunPython.noop),
        migrations.DeleteModel(name="SearchDocument"),
    ]
