"""Settings come from the environment; production refuses unsafe defaults."""

import json
import os
import subprocess
import sys

import dj_database_url
import pytest
from django.conf import settings
from django.db import connection

from portal.settings import DEV_SECRET_KEY

ROOT = settings.BASE_DIR
PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "test-Production-key-4f9b2c7e1a8d3f6b0c5e9a2d7f1b4c8e6a3d0f9",
    "ALLOWED_HOSTS": "clinic.example.org,testserver",
    "EMAIL_URL": "smtp://portal:secret@mail.example.org:587",
    # The address printed on handouts: without a public one, check --deploy warns (W013).
    "SITE_URL": "https://health.riverside-clinic.org",
}


def run_python(code, **env):
    """Run code in a fresh interpreter with the given environment; return the result."""
    base = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base | {"DJANGO_SETTINGS_MODULE": "portal.settings"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_database_url_parses_postgres():
    config = dj_database_url.parse("postgres://clinic:s3cret@db.internal:5433/portal")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "portal")
    assert (config["USER"], config["PASSWORD"]) == ("clinic", "s3cret")


def test_database_url_defaults_to_sqlite_file_in_project_folder():
    result = run_python(
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE']); print(d['NAME']); print(d['OPTIONS']['transaction_mode'])",
        DATABASE_URL="",
    )
    assert result.returncode == 0, result.stderr
    engine, name, mode = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "db.sqlite3")
    assert mode == "IMMEDIATE"


def test_database_url_selects_postgresql():
    result = run_python(
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/clinic",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_production_refuses_the_development_secret_key():
    result = run_python(
        "import django; django.setup()", **(PROD_ENV | {"SECRET_KEY": DEV_SECRET_KEY})
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_python("import django; django.setup()", **(PROD_ENV | {"SECRET_KEY": "short"}))
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_empty_allowed_hosts():
    result = run_python("import django; django.setup()", **(PROD_ENV | {"ALLOWED_HOSTS": ""}))
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_safe_settings():
    result = run_python("import django; django.setup(); print('started')", **PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_unknown_cache_url_is_refused_with_a_message():
    result = run_python("import django; django.setup()", CACHE_URL="memcached://x")
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr


def test_redis_url_selects_the_redis_cache():
    result = run_python(
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


def test_deploy_check_is_clean_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=os.environ | PROD_ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_pages_carry_security_headers_and_csp(tmp_path):
    """Serve a page with production settings and read its headers."""
    code = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
response = Client().get("/healthz", secure=True, HTTP_HOST="clinic.example.org")
insecure = Client().get("/healthz", HTTP_HOST="clinic.example.org")
print(json.dumps({"status": response.status_code, "headers": dict(response.headers),
                  "insecure": insecure.status_code, "location": insecure.headers.get("Location")}))
"""
    result = run_python(code, **PROD_ENV, DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    headers = answer["headers"]
    assert answer["status"] == 200
    assert answer["insecure"] == 301
    assert answer["location"].startswith("https://clinic.example.org/")
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_production_cookies_are_secure_and_httponly():
    result = run_python(
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)",
        **PROD_ENV,
    )
    assert result.stdout.split() == ["True", "True", "True"]


def test_proxy_ssl_header_is_configurable():
    result = run_python(
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https",
    )
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path, db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite pragmas apply only to SQLite")
    from django.db.backends.sqlite3.base import DatabaseWrapper

    config = settings.DATABASES["default"] | {"NAME": str(tmp_path / "wal.sqlite3")}
    wrapper = DatabaseWrapper(config, alias="wal-check")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20000
        assert wrapper.transaction_mode == "IMMEDIATE"
    finally:
        wrapper.close()
