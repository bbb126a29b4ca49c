"""Backup archives of the portal: the database, the media folder and a manifest.

An archive is one .tar.gz holding manifest.json, the database (db.sqlite3, a pg_dump
custom-format file database.pgdump, or database.jsonl: every row by primary key) and
media/. Used by `manage.py backup` and `manage.py restore`.
"""

import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import sqlite3
import tarfile
import tomllib
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import CommandError

FORMAT = "portal-backup 1"
MANIFEST = "manifest.json"
MEDIA = "media"
SQLITE_FILE = "db.sqlite3"
SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's files beside the database
# SQLite (unix VFS) keeps a shared lock on this byte of the -shm file for as long as a
# connection has a WAL database open: an exclusive lock on it fails while one does.
SHM_DMS_BYTE = 128


def portal_version():
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
            return tomllib.load(file)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def now():
    return datetime.datetime.now(datetime.UTC)


def aside(path, stamp):
    """Return a free name beside path for keeping it: <name>.replaced-<stamp>[-n]."""
    candidate = path.with_name(f"{path.name}.replaced-{stamp}")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.replaced-{stamp}-{number}")
    return candidate


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest(kind, database_file, migrations, counts, media_files):
    return {
        "format": FORMAT,
        "created": now().isoformat(timespec="seconds"),
        "portal_version": portal_version(),
        "django_version": django.get_version(),
        "database": {"kind": kind, "file": database_file.name, "sha256": sha256(database_file)},
        "migrations": sorted(migrations),
        "row_counts": counts,
        "media_files": media_files,
    }


# --- SQLite ------------------------------------------------------------------------


def sqlite_connect(path):
    connection = sqlite3.connect(path, timeout=20)
    connection.execute("PRAGMA busy_timeout = 20000")
    return connection


def sqlite_copy(source, destination):
    """Copy a live SQLite database with the online backup API: one consistent snapshot,
    the WAL's committed pages included, writers not blocked; a single self-contained file."""
    with (
        contextlib.closing(sqlite_connect(source)) as src,
        contextlib.closing(sqlite3.connect(destination)) as dst,
    ):
        src.backup(dst)  # all pages in one step: one read transaction, one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # no -wal file belongs to the copy


def sqlite_check(path):
    """Return "ok" or SQLite's list of problems (PRAGMA integrity_check) for the file."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            rows = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    return "; ".join(row[0] for row in rows[:5])


def sqlite_tables(db):
    """Return the names of the ordinary tables (not FTS's virtual and shadow tables)."""
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    return sorted(
        name
        for name, _ in rows
        if name not in virtual and not any(name.startswith(v + "_") for v in virtual)
    )


def sqlite_counts(path):
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return {
            table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in sqlite_tables(db)
        }


def sqlite_migrations(path):
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        try:
            rows = db.execute("SELECT app, name FROM django_migrations").fetchall()
        except sqlite3.DatabaseError:
            return set()
    return {f"{app}.{name}" for app, name in rows}


def processes_using(paths):
    """Return {pid: command line} of other processes holding any of the files open (Linux)."""
    wanted = {os.path.realpath(path) for path in paths}
    found = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in wanted:
                        command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                        found[int(entry.name)] = command.decode(errors="replace").strip()
                        break
    return found


def shm_in_use(database):
    """Return whether a connection (in any process) has the WAL database open."""
    shm = Path(f"{database}-shm")
    if not shm.exists():
        return False
    try:
        fd = os.open(shm, os.O_RDWR)
    except OSError:
        return True  # cannot tell: be safe
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SHM_DMS_BYTE)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, SHM_DMS_BYTE)
        return False
    finally:
        os.close(fd)


def sqlite_in_use(database):
    """Return a description of who uses the database, or "" if nobody does."""
    files = [database] + [f"{database}{suffix}" for suffix in SIDE_FILES]
    users = processes_using([f for f in files if os.path.exists(f)])
    if users:
        return "; ".join(f"process {pid} ({command[:80]})" for pid, command in users.items())
    if shm_in_use(database):
        return f"a process holding {database}-shm (another user's, or on another machine)"
    return ""


# --- Archives ----------------------------------------------------------------------


def write_archive(destination, folder, media_root):
    """Write folder's files and media_root as media/ to destination, atomically."""
    partial = destination.with_name(destination.name + ".partial")
    with tarfile.open(partial, "w:gz") as archive:
        for path in sorted(folder.iterdir()):
            archive.add(path, arcname=path.name)
        if media_root.is_dir():
            archive.add(media_root, arcname=MEDIA)
    os.replace(partial, destination)


def count_media(media_root):
    if not media_root.is_dir():
        return 0
    return sum(len(files) for _, _, files in os.walk(media_root))


def open_archive(path):
    """Return (tarfile, manifest) of a backup archive, or raise a clear CommandError."""
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"No backup archive at {path}.")
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - the caller closes it
        member = archive.extractfile(MANIFEST)
        data = json.load(member)
    except KeyError as error:
        raise CommandError(f"{path} is not a portal backup: it has no {MANIFEST}.") from error
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise CommandError(f"{path} is not a readable portal backup ({error}).") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CommandError(f"{path} is not a portal backup of format {FORMAT!r}.")
    return archive, data


def extract(archive, names, destination):
    """Extract the members under names (files or folders) into destination, safely."""
    members = [
        member
        for member in archive.getmembers()
        if any(member.name == name or member.name.startswith(name + "/") for name in names)
    ]
    try:
        archive.extractall(destination, members=members, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise CommandError(
            f"The backup archive is damaged ({error}); nothing was changed."
        ) from error
    return len(members)
