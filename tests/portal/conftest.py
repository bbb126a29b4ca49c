"""Fixtures for the end-to-end tests of the portal's database commands."""

import os
import uuid

import dj_database_url
import psycopg
import pytest
from psycopg import sql

from tests.portal.commands import manage

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def server_url():
    """Return the URL of a PostgreSQL database to connect to for creating scratch ones."""
    for url in (os.environ.get("TEST_POSTGRES_URL"), os.environ.get("DATABASE_URL")):
        if url and url.startswith(("postgres://", "postgresql://")):
            return url
    return DEFAULT_SERVER


def with_name(url, name):
    return url.rsplit("/", 1)[0] + "/" + name


def admin_connection(url):
    config = dj_database_url.parse(url)
    return psycopg.connect(
        dbname=config["NAME"],
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
        connect_timeout=3,
    )


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """Yield a function that creates a scratch database (dropped at the end) and its URL."""
    url = server_url()
    try:
        connection = admin_connection(with_name(url, "postgres"))  # the maintenance database
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is not reachable at {url}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = f"{dj_database_url.parse(url)['NAME']}_move_{uuid.uuid4().hex[:8]}"
    created = []

    def create(suffix, template=None):
        name = f"{base}_{suffix}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        connection.execute(statement)
        created.append(name)
        return name

    template = create("migrated")

    def scratch():
        return with_name(url, create(uuid.uuid4().hex[:6], template=template))

    try:
        manage(
            "migrate",
            "-v0",
            database_url=with_name(url, template),
            tmp_path=tmp_path_factory.mktemp("pg"),
        )
        yield scratch
    finally:
        for name in reversed(created):
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        connection.close()
