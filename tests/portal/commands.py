"""Run manage.py in a subprocess, on a database of its own: end-to-end command tests."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# Print the row count of every copied table and each article's tags, as JSON.
SNAPSHOT = """
import json
from articles.models import Article
from portal import dbcopy
tables = [m._meta.db_table for m in dbcopy.copied_models()]
print(json.dumps({
    "counts": dbcopy.count_rows("default", tables),
    "tags": {a.slug: sorted(a.tags.names()) for a in Article.objects.all()},
}))
"""


def manage(*args, database_url, tmp_path, check=True, env=None):
    """Run `manage.py args` with DATABASE_URL and MEDIA_ROOT of the test's own."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "MEDIA_ROOT"}
    } | {
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PAGE_CACHE_STAMP_FILE": str(tmp_path / "stamp"),
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment | (env or {}),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} exited {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def shell(code, **kwargs):
    return manage("shell", "-c", code, **kwargs).stdout


def snapshot(**kwargs):
    """Return {"counts": {table: rows}, "tags": {slug: [tags]}} of a database."""
    return json.loads(shell(SNAPSHOT, **kwargs).strip().splitlines()[-1])
