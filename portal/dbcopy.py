"""Copy every row of the portal's tables between databases, by primary key.

Used by `manage.py move_to_postgres` and by the portable JSON format of `manage.py
backup`/`restore`. Rows are read and written as stored, primary keys included: no
natural keys (taggit's natural key keeps one tag link per article), no model save()
(it would recompute derived fields and send signals), no fixtures.
"""

import contextlib
from typing import NamedTuple

import dj_database_url
from django.apps import apps
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.migrations.recorder import MigrationRecorder

# Tables that are not copied: derived ones are rebuilt on the target afterwards.
SKIPPED_TABLES = {
    "search_searchdocument": "derived: rebuilt with rebuild_search_index",
    "search_searchword": "derived: rebuilt with rebuild_search_index",
    "search_timedword": "derived: rebuilt with rebuild_search_index",
    "django_session": "sign-ins: staff sign in again",
}
# Tables that `migrate` fills on a new database; their rows are replaced by the source's
# (same names, but other primary keys, which the copied rows refer to).
MIGRATE_FILLED_TABLES = {
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}
BATCH = 500


class Problem(NamedTuple):
    table: str
    pk: object
    field: str
    message: str
    fixable: str  # "" or the option that fixes it


def copied_models():
    """Return one model per copied table, in the order of the app registry."""
    seen, found = set(), []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        if meta.db_table in seen or meta.db_table in SKIPPED_TABLES:
            continue
        seen.add(meta.db_table)
        found.append(model)
    return found


def add_database(alias, url):
    """Register a database connection for url under alias; return the connection."""
    config = dj_database_url.parse(url)
    connections.settings[alias] = connections.configure_settings({DEFAULT_DB_ALIAS: config})[
        DEFAULT_DB_ALIAS
    ]
    return connections[alias]


@contextlib.contextmanager
def as_default(alias):
    """Make alias the default connection for code that uses the default (search index)."""
    original = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = connections[alias]
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = original


def existing_tables(alias):
    return set(connections[alias].introspection.table_names())


def count_rows(alias, tables):
    """Return {table: row count} for the tables that exist in the database."""
    connection = connections[alias]
    present = existing_tables(alias)
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table in present:
                quoted = connection.ops.quote_name(table)  # a table name from the models
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608
                counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations(alias):
    return {
        f"{app}.{name}" for app, name in MigrationRecorder(connections[alias]).applied_migrations()
    }


def read_rows(model, alias):
    """Yield each row of the model's table as a list of Python values, by primary key."""
    names = [field.attname for field in model._meta.concrete_fields]
    rows = model._base_manager.using(alias).order_by("pk").values_list(*names)
    for row in rows.iterator(chunk_size=2000):
        yield list(row)


def check_row(model, row, target):
    """Return the problems of one row on the target database (value too long, NUL, ...)."""
    problems = []
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    pk = row[fields.index(model._meta.pk)]
    for field, value in zip(fields, row, strict=True):
        if isinstance(value, str):
            if "\x00" in value:
                problems.append(
                    Problem(table, pk, field.name, "contains a NUL character", "--strip-nul")
                )
            limit = getattr(field, "max_length", None)
            if isinstance(field, models.CharField) and limit and len(value) > limit:
                problems.append(
                    Problem(
                        table,
                        pk,
                        field.name,
                        f"is {len(value)} characters long; the column holds {limit}",
                        "--truncate-long",
                    )
                )
        if isinstance(field, models.IntegerField) and value is not None:
            problems += integer_problems(table, pk, field, value, target)
    return problems


def integer_problems(table, pk, field, value, target):
    if not isinstance(value, int) or isinstance(value, bool):
        return [Problem(table, pk, field.name, f"holds {value!r}, not a whole number", "")]
    low, high = target.ops.integer_field_range(field.get_internal_type())
    if (low is not None and value < low) or (high is not None and value > high):
        return [Problem(table, pk, field.name, f"holds {value}, outside {low}..{high}", "")]
    return []


def fix_row(model, row, truncate_long=False, strip_nul=False):
    """Return the row with NULs removed and over-long text cut, as asked; and what changed."""
    fixed, changes = [], []
    for field, value in zip(model._meta.concrete_fields, row, strict=True):
        if isinstance(value, str):
            if strip_nul and "\x00" in value:
                value = value.replace("\x00", "")
                changes.append((field.name, "NUL removed"))
            limit = getattr(field, "max_length", None)
            if (
                truncate_long
                and isinstance(field, models.CharField)
                and limit
                and len(value) > limit
            ):
                changes.append((field.name, f"cut from {len(value)} to {limit} characters"))
                value = value[:limit]
        fixed.append(value)
    return fixed, changes


def insert_rows(model, rows, alias):
    """Insert rows (lists of Python values in concrete-field order); return how many."""
    connection = connections[alias]
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the models
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    total, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(
                [
                    field.get_db_prep_save(value, connection=connection)
                    for field, value in zip(fields, row, strict=True)
                ]
            )
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                total, batch = total + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            total += len(batch)
    return total


def empty_tables(alias, tables):
    """Delete every row of the tables (PostgreSQL: TRUNCATE ... CASCADE)."""
    connection = connections[alias]
    quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {quoted} CASCADE")


def reset_sequences(alias, model_list):
    connection = connections[alias]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), model_list):
            cursor.execute(statement)


def count_table(counts_before, counts_after):
    """Return report lines comparing row counts, and whether any differ."""
    lines = [f"  {'table':<40} {'before':>9} {'after':>9}"]
    differ = False
    for table in sorted(set(counts_before) | set(counts_after)):
        before, after = counts_before.get(table), counts_after.get(table)
        mark = "" if before == after else "  DIFFERS"
        differ = differ or bool(mark)
        lines.append(f"  {table:<40} {fmt(before):>9} {fmt(after):>9}{mark}")
    return lines, differ


def fmt(count):
    return "-" if count is None else str(count)
