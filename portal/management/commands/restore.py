"""Restore the database and the media folder from an archive made by `manage.py backup`."""

import io
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

from portal import backups, cache, dbcopy


class Command(BaseCommand):
    help = (
        "Replace the database and MEDIA_ROOT with those of a backup archive. Stop the portal "
        "first: restore refuses while another process has the database open (SQLite: any "
        "process on this machine holding the file or its -wal/-shm; PostgreSQL: any other "
        "connection). The replaced SQLite files (with any -wal/-shm) and media folder are "
        "kept beside the new ones, named *.replaced-<date-time>."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by manage.py backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="confirm that the current database and media are to be replaced",
        )

    def handle(self, *args, archive, force, **options):
        try:
            self.restore(archive, force)
        except OSError as error:
            raise CommandError(f"The restore stopped: {error}") from error

    def restore(self, archive, force):
        tar, manifest = backups.open_archive(archive)
        with tar:
            kind = manifest["database"]["kind"]
            vendor = "sqlite" if kind == "sqlite" else "postgresql"
            if connection.vendor != vendor:
                raise CommandError(
                    f"This archive holds a {vendor} database but the portal uses "
                    f"{connection.vendor}. Restore it into {vendor}; to change databases use "
                    "manage.py move_to_postgres."
                )
            stamp = backups.now().strftime("%Y%m%d-%H%M%S")
            self.stdout.write(
                f"Archive made {manifest['created']} (portal {manifest['portal_version']})."
            )
            if vendor == "sqlite":
                before, after = self.restore_sqlite(tar, manifest, force, stamp)
            else:
                before, after = self.restore_postgres(tar, manifest, force, kind)
            media = self.restore_media(tar, manifest, stamp)
        cache.new_generation()  # pages cached from the replaced database are stale
        lines, _ = dbcopy.count_table(before, after)
        self.stdout.write("Rows per table (before, after):")
        self.stdout.write("\n".join(lines))
        expected = manifest["row_counts"]
        wrong = {t: n for t, n in expected.items() if after.get(t) != n}
        if wrong:
            raise CommandError(
                "The restored database's counts differ from the archive's manifest: "
                + ", ".join(f"{t} {after.get(t)} (archive {n})" for t, n in wrong.items())
            )
        self.stdout.write(media)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(after.values())} rows; every table matches the archive."
            )
        )
        self.warn_if_unmigrated(set(manifest["migrations"]))

    # --- SQLite --------------------------------------------------------------------

    def restore_sqlite(self, tar, manifest, force, stamp):
        database = Path(connection.settings_dict["NAME"]).resolve()
        connections.close_all()
        with tempfile.TemporaryDirectory(dir=database.parent, prefix=".restore-") as folder:
            restored = self.checked_sqlite(tar, manifest, Path(folder))
            self.refuse_if_in_use(database, force)
            before = self.current_counts(database)
            kept = self.move_aside(database, stamp)
            os.replace(restored, database)
        problems = backups.sqlite_check(database)
        if problems != "ok":
            raise CommandError(f"The restored {database} fails integrity_check: {problems}")
        if kept:
            self.stdout.write(f"The replaced database files are kept in {kept}.")
        return before, backups.sqlite_counts(database)

    def checked_sqlite(self, tar, manifest, folder):
        """Extract the archive's database and check it before anything is replaced."""
        name = manifest["database"]["file"]
        backups.extract(tar, [name], folder)
        restored = folder / name
        if not restored.is_file():
            raise CommandError(f"The archive has no {name}; nothing was changed.")
        if backups.sha256(restored) != manifest["database"]["sha256"]:
            raise CommandError(
                "The archive's database does not match its checksum; nothing was changed."
            )
        problems = backups.sqlite_check(restored)
        if problems != "ok":
            raise CommandError(
                f"The archive's database fails integrity_check ({problems}); nothing was changed."
            )
        return restored

    def refuse_if_in_use(self, database, force):
        user = backups.sqlite_in_use(str(database))
        if user:
            raise CommandError(
                f"The database {database} is in use by {user}. Stop the portal (gunicorn, "
                "manage.py commands) and run restore again; nothing was changed."
            )
        if database.exists() and not force:
            raise CommandError(
                f"This replaces {database} and {settings.MEDIA_ROOT} (they are kept beside "
                "the new ones). Rerun with --force to go ahead; nothing was changed."
            )

    def current_counts(self, database):
        if not database.exists():
            return {}
        try:
            return backups.sqlite_counts(database)
        except Exception as error:  # a damaged current database is what restore is for
            self.stdout.write(f"The current database cannot be read ({error}).")
            return {}

    def move_aside(self, database, stamp):
        """Move the database and its -wal/-shm/-journal into a folder of their own.

        A -wal left by a killed process belongs to the old database: left in place, SQLite
        would replay its pages into the restored file, mixing later edits into it.
        """
        files = [database] + [Path(f"{database}{suffix}") for suffix in backups.SIDE_FILES]
        present = [path for path in files if path.exists()]
        if not present:
            return None
        kept = backups.aside(database, stamp)
        kept.mkdir()
        for path in present:
            os.replace(path, kept / path.name)
        return kept

    # --- PostgreSQL ----------------------------------------------------------------

    def restore_postgres(self, tar, manifest, force, kind):
        tables = sorted(manifest["row_counts"])
        others = self.other_connections()
        if others:
            raise CommandError(
                f"{others} other connection(s) to the database: stop the portal (and other "
                "clients) and run restore again; nothing was changed."
            )
        if not force:
            raise CommandError(
                f"This replaces the database {connection.settings_dict['NAME']} and "
                f"{settings.MEDIA_ROOT}. Rerun with --force to go ahead; nothing was changed."
            )
        before = dbcopy.count_rows(DEFAULT_DB_ALIAS, tables)
        with tempfile.TemporaryDirectory(prefix="portal-restore-") as folder:
            name = manifest["database"]["file"]
            backups.extract(tar, [name], folder)
            dump = Path(folder) / name
            if not dump.is_file() or backups.sha256(dump) != manifest["database"]["sha256"]:
                raise CommandError(
                    "The archive's database is missing or damaged; nothing was changed."
                )
            if kind == "pg_dump":
                self.pg_restore(dump)
            else:
                self.load_json(dump, manifest)
        return before, dbcopy.count_rows(DEFAULT_DB_ALIAS, tables)

    def other_connections(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]

    def pg_restore(self, dump):
        db = connection.settings_dict
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        command += ["--single-transaction", "--exit-on-error"]
        for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if db[key]:
                command += [option, str(db[key])]
        command += ["--dbname", db["NAME"], str(dump)]
        if not shutil.which("pg_restore"):
            raise CommandError("pg_restore is not installed (package postgresql-client).")
        env = os.environ | ({"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {})
        connections.close_all()
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed, nothing was changed: {result.stderr.strip()}")

    def load_json(self, dump, manifest):
        """Replace every copied table's rows with the dump's, in one transaction."""
        applied = dbcopy.applied_migrations(DEFAULT_DB_ALIAS)
        if applied != set(manifest["migrations"]):
            raise CommandError(
                "The database is not migrated like the backup was: migrate it to the same "
                "state first (compare manage.py showmigrations with the manifest)."
            )
        models = {model._meta.db_table: model for model in dbcopy.copied_models()}
        try:
            with transaction.atomic():
                present = dbcopy.existing_tables(DEFAULT_DB_ALIAS)
                every = list(models) + list(dbcopy.SKIPPED_TABLES)
                dbcopy.empty_tables(DEFAULT_DB_ALIAS, [t for t in every if t in present])
                with open(dump) as file:
                    for line in file:
                        item = json.loads(line)
                        model = models[item["table"]]
                        fields = model._meta.concrete_fields
                        rows = (
                            [f.to_python(v) for f, v in zip(fields, row, strict=True)]
                            for row in item["rows"]
                        )
                        dbcopy.insert_rows(model, rows, DEFAULT_DB_ALIAS)
                dbcopy.reset_sequences(DEFAULT_DB_ALIAS, list(models.values()))
                connection.check_constraints()
                call_command("rebuild_search_index", stdout=io.StringIO())
        except (DatabaseError, KeyError, ValueError) as error:
            raise CommandError(f"The restore failed, nothing was changed: {error}") from error

    # --- Media ---------------------------------------------------------------------

    def restore_media(self, tar, manifest, stamp):
        media_root = Path(settings.MEDIA_ROOT).resolve()
        media_root.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-media-") as folder:
            count = backups.extract(tar, [backups.MEDIA], folder)
            incoming = Path(folder) / backups.MEDIA
            incoming.mkdir(exist_ok=True)
            kept = None
            if media_root.exists():
                kept = backups.aside(media_root, stamp)
                os.replace(media_root, kept)
            os.replace(incoming, media_root)
        files = backups.count_media(media_root)
        message = f"Media: {files} files restored to {media_root}"
        if files != manifest["media_files"]:
            message += f" (the archive's manifest says {manifest['media_files']}; {count} entries)"
        if kept:
            message += f"; the replaced folder is kept as {kept}"
        return message + "."

    def warn_if_unmigrated(self, applied):
        from django.db.migrations.loader import MigrationLoader

        known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
        if known - applied:
            self.stdout.write(
                self.style.WARNING(
                    "The code has migrations the restored database lacks: run "
                    "`python manage.py migrate` before starting the portal."
                )
            )
