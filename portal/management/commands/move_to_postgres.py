"""Copy everything from the current (SQLite) database into an empty PostgreSQL one."""

import io
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from portal import dbcopy

TARGET = "move_target"
SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = (
        "Copy every row of the portal (articles, experts, tags, users, groups, history, "
        "admin log, login throttling; not sign-in sessions) from the current database into "
        "an empty, migrated PostgreSQL database, by primary key, in one transaction. Checks "
        "first that every value fits PostgreSQL's columns; rebuilds the search index there; "
        "compares row counts. Copy MEDIA_ROOT yourself."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            required=True,
            metavar="URL",
            help="the PostgreSQL database, e.g. postgres://portal:password@127.0.0.1:5432/portal",
        )
        parser.add_argument(
            "--truncate-long",
            action="store_true",
            help="cut text longer than its column allows (SQLite accepted it), reporting each",
        )
        parser.add_argument(
            "--strip-nul",
            action="store_true",
            help="remove NUL characters from text (PostgreSQL cannot store them), reporting each",
        )

    def handle(self, *args, to, truncate_long, strip_nul, **options):
        started = time.monotonic()
        source = connections[DEFAULT_DB_ALIAS]
        target = self.connect(to)
        models = dbcopy.copied_models()
        tables = [model._meta.db_table for model in models]
        self.check_migrations()
        self.check_target_empty(tables)

        before = dbcopy.count_rows(DEFAULT_DB_ALIAS, tables)
        self.stdout.write(
            f"Source: {source.vendor} {source.settings_dict['NAME']}; "
            f"{sum(before.values())} rows in {len(before)} tables."
        )
        self.validate(models, target, truncate_long, strip_nul)

        try:
            with transaction.atomic(using=TARGET):
                after, documents = self.copy(models, tables, truncate_long, strip_nul)
                lines, differ = dbcopy.count_table(before, after)
                self.stdout.write("Rows per table (source, target):")
                self.stdout.write("\n".join(lines))
                if differ:
                    raise CommandError(
                        "Row counts differ (marked DIFFERS above): nothing was written to the "
                        "PostgreSQL database."
                    )
        except DatabaseError as error:
            raise CommandError(
                f"PostgreSQL refused the copy ({error}). Nothing was written to it."
            ) from error
        self.stdout.write(documents)
        self.stdout.write(
            self.style.SUCCESS(
                f"Copied {sum(after.values())} rows into {target.settings_dict['NAME']} in "
                f"{time.monotonic() - started:.1f} s; every table's count matches."
            )
        )
        self.stdout.write(
            "Next: copy MEDIA_ROOT (uploaded images) to the new server, set DATABASE_URL to "
            "the PostgreSQL database and restart the portal."
        )

    def connect(self, url):
        if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
            raise CommandError(f"--to must be a postgres:// URL, not {url!r}.")
        target = dbcopy.add_database(TARGET, url)
        source = connections[DEFAULT_DB_ALIAS].settings_dict
        same = (source["NAME"], source["HOST"], source["PORT"]) == (
            target.settings_dict["NAME"],
            target.settings_dict["HOST"],
            target.settings_dict["PORT"],
        )
        if same and connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
            raise CommandError("--to names the database the portal uses now: nothing to move.")
        try:
            target.ensure_connection()
        except DatabaseError as error:
            raise CommandError(f"Cannot connect to {url!r}: {error}".strip()) from error
        return target

    def check_migrations(self):
        source = dbcopy.applied_migrations(DEFAULT_DB_ALIAS)
        target = dbcopy.applied_migrations(TARGET)
        if source - target:
            raise CommandError(
                "The PostgreSQL database is not migrated like this one. Run first:\n"
                f"    DATABASE_URL='…' python manage.py migrate\n"
                f"(missing there: {', '.join(sorted(source - target)[:5])})"
            )
        if target - source:
            raise CommandError(
                "This database lacks migrations the PostgreSQL one has: run "
                f"`python manage.py migrate` here first ({', '.join(sorted(target - source)[:5])})."
            )

    def check_target_empty(self, tables):
        counts = dbcopy.count_rows(TARGET, tables)
        missing = sorted(set(tables) - set(counts))
        if missing:
            raise CommandError(f"The PostgreSQL database has no table {missing[0]}: migrate it.")
        full = {
            table: n
            for table, n in counts.items()
            if n and table not in dbcopy.MIGRATE_FILLED_TABLES
        }
        if full:
            listed = ", ".join(f"{table} ({n} rows)" for table, n in sorted(full.items())[:5])
            raise CommandError(
                f"The PostgreSQL database is not empty: {listed}. Move into a new database "
                "(createdb, then migrate); nothing was written."
            )

    def validate(self, models, target, truncate_long, strip_nul):
        """Stop before writing anything if a value would not fit PostgreSQL's columns."""
        problems = []
        for model in models:
            for row in dbcopy.read_rows(model, DEFAULT_DB_ALIAS):
                problems += dbcopy.check_row(model, row, target)
        fixed_by = {"--truncate-long": truncate_long, "--strip-nul": strip_nul}
        blocking = [p for p in problems if not fixed_by.get(p.fixable)]
        if not blocking:
            return
        lines = [
            f"  {p.table} pk={p.pk} {p.field}: {p.message}"
            + (f" (fix: {p.fixable})" if p.fixable else "")
            for p in blocking[:SHOWN_PROBLEMS]
        ]
        if len(blocking) > SHOWN_PROBLEMS:
            lines.append(f"  … and {len(blocking) - SHOWN_PROBLEMS} more")
        raise CommandError(
            f"{len(blocking)} value(s) would not fit PostgreSQL; nothing was written:\n"
            + "\n".join(lines)
            + "\nCorrect them in the admin, or rerun with the option named to fix them."
        )

    def copy(self, models, tables, truncate_long, strip_nul):
        """Copy all rows, reset sequences, rebuild the search index; return counts after."""
        to_empty = tables + list(dbcopy.SKIPPED_TABLES)
        dbcopy.empty_tables(TARGET, [t for t in to_empty if t in dbcopy.existing_tables(TARGET)])
        for model in models:
            rows = self.fixed_rows(model, truncate_long, strip_nul)
            dbcopy.insert_rows(model, rows, TARGET)
        dbcopy.reset_sequences(TARGET, models)
        connections[TARGET].check_constraints()  # foreign keys now, with a clear error
        out = io.StringIO()
        with dbcopy.as_default(TARGET):
            call_command("rebuild_search_index", stdout=out)
        return dbcopy.count_rows(TARGET, tables), out.getvalue().strip()

    def fixed_rows(self, model, truncate_long, strip_nul):
        fields = model._meta.concrete_fields
        pk_index = fields.index(model._meta.pk)
        for row in dbcopy.read_rows(model, DEFAULT_DB_ALIAS):
            if truncate_long or strip_nul:
                row, changes = dbcopy.fix_row(model, row, truncate_long, strip_nul)
                for field, change in changes:
                    self.stdout.write(
                        f"  fixed {model._meta.db_table} pk={row[pk_index]} {field}: {change}"
                    )
            yield row
