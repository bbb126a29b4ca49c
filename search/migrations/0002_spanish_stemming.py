# Spanish documents searched with Spanish stems (issue 15). PostgreSQL: their vectors
# rebuilt under the `spanish` text-search configuration. SQLite, whose FTS5 has no
# Spanish stemmer: a second FTS5 table holding their text as Spanish stems, filled here
# for the documents already indexed (search/index.py writes it from now on), and a
# trigger deleting its rows with their documents. The SQL is written out here, as in
# 0001, so this migration keeps working whatever later code does; search/schema.py
# holds the same statements for `manage.py rebuild_search_index`.
#
# A portal that upgrades searches its Spanish articles with Spanish stems when
# `migrate` ends, with nothing to run by hand.

from django.db import migrations

TABLE = "search_searchdocument"
SPANISH_TABLE = "search_searchdocument_fts_es"
COLUMNS = "title, summary, keywords, body, more"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {SPANISH_TABLE} USING fts5(
        {COLUMNS}, tokenize='unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_es_delete AFTER DELETE ON {TABLE}
    WHEN old.language = 'es' BEGIN
        DELETE FROM {SPANISH_TABLE} WHERE rowid = old.id;
    END""",
]
SQLITE_INSERT = f"INSERT INTO {SPANISH_TABLE}(rowid, {COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)"
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_fts_es_delete",
    f"DROP TABLE IF EXISTS {SPANISH_TABLE}",
]


def reindex(language):
    """Return the operation that indexes the Spanish documents as `language` text."""

    def operation(apps, schema_editor):
        from search import text

        connection = schema_editor.connection
        SearchDocument = apps.get_model("search", "SearchDocument")
        documents = SearchDocument.objects.filter(language="es").only(*text.COLUMNS)
        if connection.vendor == "sqlite":
            statements = SQLITE_CREATE if language == "es" else SQLITE_DROP
            for statement in statements:
                schema_editor.execute(statement)
            if language == "es":
                rows = [
                    (document.pk, *text.spanish_stems(fields(document, text)).values())
                    for document in documents.iterator(chunk_size=200)
                ]
                with connection.cursor() as cursor:
                    cursor.executemany(SQLITE_INSERT, rows)
        elif connection.vendor == "postgresql":
            for document in documents.iterator(chunk_size=200):
                vectors = text.vectors(fields(document, text), language)
                SearchDocument.objects.filter(pk=document.pk).update(**vectors)

    return operation


def fields(document, text):
    return {name: getattr(document, name) for name in text.COLUMNS}


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(reindex("es"), reindex("")),
    ]
