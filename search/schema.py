"""The full-text machinery each database searches the document table with.

Migrations 0001 and 0002 (Spanish stems) write out the same statements (so that they keep
working whatever later code does); `manage.py rebuild_search_index` and the check after `migrate` use these to
recreate whatever has gone missing, e.g. the SQLite triggers after a later migration
rebuilds the table.
"""

TABLE = "search_searchdocument"
FTS_TABLE = "search_searchdocument_fts"
FTS_COLUMNS = "title, summary, keywords, body, more"
TRIGGERS = [f"{TABLE}_fts_insert", f"{TABLE}_fts_delete", f"{TABLE}_fts_update"]
SPANISH_TABLE = "search_searchdocument_fts_es"
SPANISH_TRIGGER = f"{TABLE}_fts_es_delete"
VISIBILITY_INDEX = "search_visibility"
GIN_INDEXES = {
    "search_vector_gin": "vector",
    "search_title_vector_gin": "title_vector",
    "search_summary_vector_gin": "summary_vector",
}

_new = ", ".join(f"new.{c}" for c in FTS_COLUMNS.split(", "))
_old = ", ".join(f"old.{c}" for c in FTS_COLUMNS.split(", "))

SQLITE_TABLE = f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
    {FTS_COLUMNS},
    content='{TABLE}', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
)"""
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {TRIGGERS[0]} AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, {FTS_COLUMNS}) VALUES (new.id, {_new});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TRIGGERS[1]} AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, {_old});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TRIGGERS[2]} AFTER UPDATE ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, {_old});
        INSERT INTO {FTS_TABLE}(rowid, {FTS_COLUMNS}) VALUES (new.id, {_new});
    END""",
]
# Spanish documents' text as Spanish stems (search/text.py spanish_stems), which FTS5
# cannot make: a table of its own, with its own copy of that text, written by
# search/index.py when it writes the documents, its rows deleted with theirs.
SQLITE_SPANISH = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {SPANISH_TABLE} USING fts5(
        {FTS_COLUMNS}, tokenize='unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER IF NOT EXISTS {SPANISH_TRIGGER} AFTER DELETE ON {TABLE}
    WHEN old.language = 'es' BEGIN
        DELETE FROM {SPANISH_TABLE} WHERE rowid = old.id;
    END""",
]
SQLITE_SPANISH_INSERT = (
    f"INSERT INTO {SPANISH_TABLE}(rowid, {FTS_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)"
)
SQLITE_SPANISH_DROP = [
    f"DROP TRIGGER IF EXISTS {SPANISH_TRIGGER}",
    f"DROP TABLE IF EXISTS {SPANISH_TABLE}",
]
# The columns a search checks for each match, in an index of their own: reading them
# there, rather than from the long rows, makes a search several times quicker.
SQLITE_VISIBILITY_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {VISIBILITY_INDEX} ON {TABLE} "
    "(id, live_from, live_until, expert_id, article_id, language)"
)
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS] + [
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
    f"DROP INDEX IF EXISTS {VISIBILITY_INDEX}",
    *SQLITE_SPANISH_DROP,
]

# GIN indexes with fastupdate off: documents change only when a release is published or
# an expert edited, and a search then never has to read a pending list of unsorted
# entries (the cost fastupdate moves from writes to every search until the next vacuum).
POSTGRES_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} USING gin ({column}) WITH (fastupdate = off)"
    for name, column in GIN_INDEXES.items()
]
POSTGRES_DROP = [f"DROP INDEX IF EXISTS {name}" for name in GIN_INDEXES]


def missing(connection):
    """Return the names of the FTS table, triggers or GIN indexes that do not exist."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            wanted = [FTS_TABLE, *TRIGGERS, VISIBILITY_INDEX, SPANISH_TABLE, SPANISH_TRIGGER]
            cursor.execute(
                f"SELECT name FROM sqlite_master WHERE name IN ({', '.join(['%s'] * len(wanted))})",
                wanted,
            )
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [TABLE])
            wanted = list(GIN_INDEXES)
        found = {row[0] for row in cursor.fetchall()}
    return [name for name in wanted if name not in found]


def create(connection, cursor):
    """Create the full-text machinery (empty: the caller fills it, see index.rebuild)."""
    statements = (
        [SQLITE_TABLE, *SQLITE_TRIGGERS, SQLITE_VISIBILITY_INDEX, *SQLITE_SPANISH]
        if connection.vendor == "sqlite"
        else POSTGRES_INDEXES
    )
    for statement in statements:
        cursor.execute(statement)


def drop(connection, cursor):
    for statement in SQLITE_DROP if connection.vendor == "sqlite" else POSTGRES_DROP:
        cursor.execute(statement)
