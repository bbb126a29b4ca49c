"""`manage.py backup` and `restore`, end to end on a SQLite file (and PostgreSQL if reachable).

Each test runs manage.py in subprocesses on a database file of its own, as the clinic's
IT would, including a process killed while it had edits in the -wal file.
"""

import contextlib
import io
import json
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time

import pytest

from tests.portal.commands import manage, shell, snapshot

KILLED_WRITER = """
import os, signal, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA wal_autocheckpoint=0")  # keep the edits in the -wal file
db.execute("UPDATE articles_article SET title = 'LATER EDIT'")
db.execute("DELETE FROM taggit_taggeditem")
db.commit()
os.kill(os.getpid(), signal.SIGKILL)  # as if the server were killed: no checkpoint
"""

HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
db.execute("SELECT COUNT(*) FROM articles_article").fetchall()
print("open", flush=True)
time.sleep(60)
"""


@pytest.fixture
def site(tmp_path):
    """A SQLite site with the demo content and two media files; return its settings."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    manage("migrate", "-v0", database_url=url, tmp_path=tmp_path)
    manage("load_demo", database_url=url, tmp_path=tmp_path)
    (tmp_path / "media" / "experts").mkdir(parents=True)
    (tmp_path / "media" / "experts" / "lee.png").write_bytes(b"\x89PNG lee")
    (tmp_path / "media" / "clinic-logo.png").write_bytes(b"\x89PNG logo")
    return {"database_url": url, "tmp_path": tmp_path}


def media_files(tmp_path):
    root = tmp_path / "media"
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def titles(path):
    with contextlib.closing(sqlite3.connect(path)) as db:
        return sorted(row[0] for row in db.execute("SELECT title FROM articles_article"))


def integrity(path):
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def test_backup_modify_restore_gives_back_rows_and_media(site, tmp_path):
    original, files = snapshot(**site), media_files(tmp_path)
    archive = tmp_path / "backup.tar.gz"
    made = manage("backup", "--output", str(archive), **site)
    assert "Backed up" in made.stdout
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert {"db.sqlite3", "media/experts/lee.png"} <= set(tar.getnames())
    assert (
        manifest["row_counts"]["taggit_taggeditem"] == 16
    )  # the demo: 11 English tag links, 5 Spanish
    assert "articles.0001_initial" in manifest["migrations"]

    shell(
        "from articles.models import Article\nfrom taggit.models import TaggedItem\n"
        "TaggedItem.objects.all().delete()\nArticle.objects.update(title='Changed')\n",
        **site,
    )
    (tmp_path / "media" / "experts" / "lee.png").unlink()
    (tmp_path / "media" / "new.png").write_bytes(b"new")
    assert snapshot(**site) != original

    restored = manage("restore", str(archive), "--force", **site)

    assert snapshot(**site) == original
    assert media_files(tmp_path) == files
    assert "every table matches the archive" in restored.stdout
    assert "taggit_taggeditem" in restored.stdout
    kept = list(tmp_path.glob("media.replaced-*"))
    assert len(kept) == 1
    assert (kept[0] / "new.png").read_bytes() == b"new"  # the replaced media is kept


def test_restore_removes_the_wal_of_a_killed_process(site, tmp_path):
    database = tmp_path / "db.sqlite3"
    archive = tmp_path / "backup.tar.gz"
    manage("backup", "--output", str(archive), **site)
    before = titles(database)
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(database)], check=False)
    assert killed.returncode == -signal.SIGKILL
    wal = tmp_path / "db.sqlite3-wal"
    assert wal.stat().st_size > 0  # the later edits live only in the -wal file

    manage("restore", str(archive), "--force", **site)

    assert not wal.exists()
    assert integrity(database) == "ok"
    assert titles(database) == before
    assert "LATER EDIT" not in titles(database)
    assert snapshot(**site)["counts"]["taggit_taggeditem"] == 16
    kept = next(tmp_path.glob("db.sqlite3.replaced-*"))
    assert (kept / "db.sqlite3-wal").exists()  # the old database, edits included, is kept
    assert set(titles(kept / "db.sqlite3")) == {"LATER EDIT"}


def test_backup_is_consistent_while_another_process_writes(site, tmp_path):
    database = tmp_path / "db.sqlite3"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "db = sqlite3.connect(sys.argv[1], timeout=20)\n"
            "end = time.time() + 4\n"
            "n = 0\n"
            "while time.time() < end:\n"
            "    n += 1\n"
            "    db.execute('INSERT INTO taggit_tag (name, slug) VALUES (?, ?)', (f't{n}', f't{n}'))\n"
            "    db.commit()\n",
            str(database),
        ]
    )
    try:
        time.sleep(0.5)
        archive = tmp_path / "busy.tar.gz"
        manage("backup", "--output", str(archive), **site)
    finally:
        writer.wait(timeout=30)
    folder = tmp_path / "check"
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
        manifest = json.load(tar.extractfile("manifest.json"))
    copy = folder / "db.sqlite3"
    assert integrity(copy) == "ok"
    assert not (folder / "db.sqlite3-wal").exists()
    with contextlib.closing(sqlite3.connect(copy)) as db:
        tags = db.execute("SELECT COUNT(*) FROM taggit_tag").fetchone()[0]
    assert tags == manifest["row_counts"]["taggit_tag"] > 6


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not an archive at all", "is not a readable portal backup"),
        (b"", "is not a readable portal backup"),
    ],
)
def test_restore_refuses_a_corrupt_archive(site, tmp_path, content, message):
    before = snapshot(**site)
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(content)
    refused = manage("restore", str(archive), "--force", check=False, **site)
    assert refused.returncode != 0
    assert message in refused.stderr
    assert "Traceback" not in refused.stderr
    assert snapshot(**site) == before


def test_restore_refuses_a_truncated_or_tampered_archive(site, tmp_path):
    before = snapshot(**site)
    archive = tmp_path / "backup.tar.gz"
    manage("backup", "--output", str(archive), **site)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    refused = manage("restore", str(truncated), "--force", check=False, **site)
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
    assert "CommandError" in refused.stderr

    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name == "db.sqlite3":
                body = bytearray(data.read())
                body[5000:9000] = b"\xff" * 4000
                member.size = len(body)
                data = io.BytesIO(bytes(body))
            target.addfile(member, data)
    refused = manage("restore", str(tampered), "--force", check=False, **site)
    assert refused.returncode != 0
    assert "does not match its checksum; nothing was changed" in refused.stderr
    assert snapshot(**site) == before

    missing = manage("restore", str(tmp_path / "nope.tar.gz"), check=False, **site)
    assert "No backup archive at" in missing.stderr


def test_restore_refuses_while_the_database_is_open(site, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    manage("backup", "--output", str(archive), **site)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "db.sqlite3")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        refused = manage("restore", str(archive), "--force", check=False, **site)
    finally:
        holder.kill()
        holder.wait()
    assert refused.returncode != 0
    assert f"is in use by process {holder.pid}" in refused.stderr
    assert "nothing was changed" in refused.stderr
    assert not list(tmp_path.glob("db.sqlite3.replaced-*"))


def test_restore_without_force_changes_nothing(site, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    manage("backup", "--output", str(archive), **site)
    refused = manage("restore", str(archive), check=False, **site)
    assert refused.returncode != 0
    assert "Rerun with --force" in refused.stderr
    assert not list(tmp_path.glob("*.replaced-*"))


@pytest.mark.parametrize("backup_format", ["auto", "json"])
def test_postgres_backup_modify_restore(postgres, tmp_path, backup_format):
    site = {"database_url": postgres(), "tmp_path": tmp_path}
    shell(
        "from tests.conftest import make_article\n"
        "make_article(title='Iron', tags=['iron', 'sleep', 'diet'])\n"
        "make_article(title='Sleep', tags=['sleep', 'diet'])\n",
        **site,
    )
    original = snapshot(**site)
    archive = tmp_path / "pg.tar.gz"
    made = manage("backup", "--output", str(archive), "--format", backup_format, **site)
    assert ("(pg_dump)" if backup_format == "auto" else "(json)") in made.stdout
    shell(
        "from articles.models import Article\nfrom taggit.models import TaggedItem\n"
        "TaggedItem.objects.all().delete()\nArticle.objects.update(title='Changed')\n",
        **site,
    )
    manage("restore", str(archive), "--force", **site)
    assert snapshot(**site) == original
    search = "import search\nprint(search.run('iron').total)\n"
    assert shell(search, **site).split()[-1] == "1"
