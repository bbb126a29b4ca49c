"""Back up the database and the media folder into one archive."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, transaction

from portal import backups, dbcopy


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with the database, MEDIA_ROOT and a manifest (version, "
        "migrations, rows per table, time). Safe while the portal runs. SQLite: the online "
        "backup API, then PRAGMA integrity_check on the copy. PostgreSQL: pg_dump (custom "
        "format) if installed, otherwise every row by primary key as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="PATH",
            help="archive to write (default: backups/portal-<date-time>.tar.gz)",
        )
        parser.add_argument(
            "--format",
            choices=["auto", "json"],
            default="auto",
            help="PostgreSQL only: json skips pg_dump (a portable dump of every row)",
        )

    def handle(self, *args, output, format, **options):
        stamp = backups.now().strftime("%Y%m%d-%H%M%S")
        destination = Path(output or settings.BASE_DIR / "backups" / f"portal-{stamp}.tar.gz")
        destination = destination.resolve()
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot create {destination.parent}: {error}") from error
        media_root = Path(settings.MEDIA_ROOT)
        with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".backup-") as folder:
            folder = Path(folder)
            if connection.vendor == "sqlite":
                kind, database_file, migrations, counts = self.sqlite(folder)
            elif connection.vendor == "postgresql":
                kind, database_file, migrations, counts = self.postgres(folder, format)
            else:
                raise CommandError(
                    f"Backups support SQLite and PostgreSQL, not {connection.vendor}."
                )
            media_files = backups.count_media(media_root)
            data = backups.manifest(kind, database_file, migrations, counts, media_files)
            (folder / backups.MANIFEST).write_text(json.dumps(data, indent=2))
            try:
                backups.write_archive(destination, folder, media_root)
            except OSError as error:
                raise CommandError(f"Cannot write {destination}: {error}") from error
        size = destination.stat().st_size / 1024 / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {sum(counts.values())} rows in {len(counts)} tables ({kind}) and "
                f"{media_files} media files to {destination} ({size:.1f} MB)."
            )
        )

    def sqlite(self, folder):
        source = connection.settings_dict["NAME"]
        copy = folder / backups.SQLITE_FILE
        try:
            backups.sqlite_copy(source, copy)
        except Exception as error:  # sqlite3.Error, OSError
            raise CommandError(f"Cannot copy the database {source}: {error}") from error
        problems = backups.sqlite_check(copy)
        if problems != "ok":
            raise CommandError(
                f"The copy of {source} fails PRAGMA integrity_check ({problems}): the database "
                "itself is damaged. No archive was written."
            )
        return "sqlite", copy, backups.sqlite_migrations(copy), backups.sqlite_counts(copy)

    def postgres(self, folder, format):
        tables = [model._meta.db_table for model in dbcopy.copied_models()]
        migrations = dbcopy.applied_migrations(DEFAULT_DB_ALIAS)
        if format == "auto" and shutil.which("pg_dump"):
            dump = folder / "database.pgdump"
            self.pg_dump(dump)
            return "pg_dump", dump, migrations, dbcopy.count_rows(DEFAULT_DB_ALIAS, tables)
        dump = folder / "database.jsonl"
        with transaction.atomic():
            with connection.cursor() as cursor:  # one snapshot for every table
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            counts = dbcopy.count_rows(DEFAULT_DB_ALIAS, tables)
            with open(dump, "w") as file:
                for model in dbcopy.copied_models():
                    rows = list(dbcopy.read_rows(model, DEFAULT_DB_ALIAS))
                    line = {"table": model._meta.db_table, "rows": rows}
                    file.write(json.dumps(line, cls=DjangoJSONEncoder) + "\n")
        return "json", dump, migrations, counts

    def pg_dump(self, dump):
        db = connection.settings_dict
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "-f", str(dump)]
        for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if db[key]:
                command += [option, str(db[key])]
        command.append(db["NAME"])
        env = os.environ | ({"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {})
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(
                f"pg_dump failed: {result.stderr.strip()}\n"
                "Rerun with --format json for a dump that needs no pg_dump."
            )
