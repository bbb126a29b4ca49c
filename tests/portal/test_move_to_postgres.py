"""`manage.py move_to_postgres`: SQLite to PostgreSQL, every row and every tag link.

End to end: the source is a SQLite file built by manage.py (load_demo and more), the
target a scratch PostgreSQL database named after the test database and dropped
afterwards. Needs PostgreSQL on 127.0.0.1:5432 (or TEST_POSTGRES_URL); without it the
tests are skipped, and fail under CI=true.
"""

import sqlite3

import pytest
from psycopg import sql

from tests.portal.commands import manage, shell, snapshot
from tests.portal.conftest import admin_connection

MORE_CONTENT = """
from django.contrib.auth.models import Group, User
from reversion import create_revision
from articles.models import Article
from tests.conftest import make_article
user = User.objects.create_user("editor1", password="not-used-1234", is_staff=True)
user.groups.add(Group.objects.get(name="Editors"))
with create_revision():
    make_article(title="Iron and tiredness", tags=["iron", "sleep", "diet", "energy"])
    make_article(title="Untagged draft", status=Article.Status.DRAFT)
"""


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory):
    """A SQLite file with the demo content, an indexed search, users and history."""
    folder = tmp_path_factory.mktemp("move-source")
    url = f"sqlite:///{folder / 'source.sqlite3'}"
    manage("migrate", "-v0", database_url=url, tmp_path=folder)
    manage("load_demo", database_url=url, tmp_path=folder)
    shell(MORE_CONTENT, database_url=url, tmp_path=folder)
    manage("rebuild_search_index", database_url=url, tmp_path=folder)
    return folder / "source.sqlite3"


@pytest.fixture
def source(demo_source, tmp_path):
    """A private copy of the demo source, for tests that change it."""
    path = tmp_path / "source.sqlite3"
    with sqlite3.connect(demo_source) as original, sqlite3.connect(path) as copy:
        original.backup(copy)
    original.close()
    copy.close()
    return f"sqlite:///{path}"


def test_move_copies_every_row_and_every_tag_link(source, postgres, tmp_path):
    target = postgres()
    before = snapshot(database_url=source, tmp_path=tmp_path)
    assert (
        before["counts"]["taggit_taggeditem"] == 20
    )  # 16 demo tag links (11 English, 5 Spanish) + 4
    assert before["counts"]["reversion_version"] > 0

    result = manage("move_to_postgres", "--to", target, database_url=source, tmp_path=tmp_path)

    after = snapshot(database_url=target, tmp_path=tmp_path)
    assert after["counts"] == before["counts"]
    assert after["tags"] == before["tags"]
    assert "every table's count matches" in result.stdout
    assert "DIFFERS" not in result.stdout


def test_moved_site_searches_and_accepts_new_rows(source, postgres, tmp_path):
    target = postgres()
    manage("move_to_postgres", "--to", target, database_url=source, tmp_path=tmp_path)
    count_documents = (
        "import search\nfrom search.models import SearchDocument\n"
        "print(SearchDocument.objects.count(), search.run('magnesium').total)\n"
    )
    assert (
        shell(count_documents, database_url=target, tmp_path=tmp_path).split()[-2:]
        == (shell(count_documents, database_url=source, tmp_path=tmp_path).split()[-2:])
    )
    new_topic = "from articles.models import Topic\nprint(Topic.objects.create(name='New').pk)\n"
    assert shell(new_topic, database_url=target, tmp_path=tmp_path).split()[-1] == "2"


def test_too_long_value_stops_before_writing_and_names_it(source, postgres, tmp_path):
    target = postgres()
    shell(
        "from articles.models import Article\n"
        "Article.objects.filter(slug='iron-and-tiredness').update(title='x' * 250)\n",
        database_url=source,
        tmp_path=tmp_path,
    )
    pk = shell(
        "from articles.models import Article\n"
        "print(Article.objects.get(slug='iron-and-tiredness').pk)\n",
        database_url=source,
        tmp_path=tmp_path,
    ).split()[-1]

    refused = manage(
        "move_to_postgres", "--to", target, database_url=source, tmp_path=tmp_path, check=False
    )

    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
    assert (
        f"articles_article pk={pk} title: is 250 characters long; the column holds 200"
        in refused.stderr
    )
    assert snapshot(database_url=target, tmp_path=tmp_path)["counts"]["articles_article"] == 0

    fixed = manage(
        "move_to_postgres",
        "--to",
        target,
        "--truncate-long",
        database_url=source,
        tmp_path=tmp_path,
    )
    assert f"fixed articles_article pk={pk} title: cut from 250 to 200 characters" in fixed.stdout
    assert (
        snapshot(database_url=target, tmp_path=tmp_path)["counts"]
        == snapshot(database_url=source, tmp_path=tmp_path)["counts"]
    )


def test_move_refuses_a_database_that_is_not_empty(source, postgres, tmp_path):
    target = postgres()
    manage("move_to_postgres", "--to", target, database_url=source, tmp_path=tmp_path)
    again = manage(
        "move_to_postgres", "--to", target, database_url=source, tmp_path=tmp_path, check=False
    )
    assert again.returncode != 0
    assert "The PostgreSQL database is not empty" in again.stderr


def test_move_refuses_an_unmigrated_database(source, postgres, tmp_path):
    target = postgres()
    empty = target + "_x"
    with admin_connection(target) as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {}").format(sql.Identifier(empty.rsplit("/", 1)[1]))
        )
    try:
        refused = manage(
            "move_to_postgres", "--to", empty, database_url=source, tmp_path=tmp_path, check=False
        )
        assert refused.returncode != 0
        assert "not migrated" in refused.stderr
    finally:
        with admin_connection(target) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                    sql.Identifier(empty.rsplit("/", 1)[1])
                )
            )
