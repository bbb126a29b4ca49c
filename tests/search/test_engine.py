"""search.run(), the one entry point of search (the search page and the JSON API use it),
and the index behind it: what it holds, how it is bounded, how it is rebuilt."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

import search
from articles.models import Release, Section
from search import engine, index, schema
from search.models import SearchDocument
from search.text import MAX_INDEXED_CHARS, SNIPPET_CHARS
from tests.conftest import make_article, make_expert, publish

pytestmark = pytest.mark.django_db


def test_results_carry_the_release_article_and_expert():
    article = make_article(title="Quartz and bones", summary="About quartz.")
    expert = make_expert(name="Quartz Quill", bio="<p>Studies quartz.</p>")

    results = search.run("quartz")

    assert results.total == 2
    assert not results.capped
    by_kind = {item.kind: item for item in results}
    assert by_kind["article"].release == Release.objects.get(article=article)
    assert by_kind["article"].article == article
    assert by_kind["article"].url == article.get_absolute_url()
    assert by_kind["expert"].expert == expert
    assert by_kind["expert"].title == expert.name_with_credentials
    assert "<mark>" in by_kind["article"].snippet


def test_pages_and_per_page_are_bounded():
    for n in range(7):
        make_article(title=f"Quartz note {n}", summary="About quartz.")

    second = search.run("quartz", page=2, per_page=3)
    assert [second.total, second.number, second.num_pages, len(second)] == [7, 2, 3, 3]
    assert (second.start_index, second.has_previous, second.has_next) == (4, True, True)
    assert search.run("quartz", page=99, per_page=3).number == 3  # past the end: the last
    assert search.run("quartz", page=0, per_page=3).number == 3
    assert len(search.run("quartz", per_page=10_000)) == 7  # at most MAX_PER_PAGE
    assert search.run("", page=5).total == 0


def test_count_is_exact_up_to_the_cap_then_says_more(monkeypatch):
    for n in range(7):
        make_article(title=f"Quartz note {n}", summary="About quartz.")
    monkeypatch.setattr(engine, "MAX_RESULTS", 5)

    results = search.run("quartz", per_page=2)

    assert (results.total, results.capped, results.num_pages) == (5, True, 3)
    seen = set()
    for number in (1, 2, 3):
        seen |= {item.title for item in search.run("quartz", page=number, per_page=2)}
    assert len(seen) == 5


def test_language_filter_keeps_experts():
    make_article(title="Quartz in English", summary="About quartz.")
    make_article(title="Cuarzo quartz", summary="Sobre quartz.", language="es")
    make_expert(name="Quartz Quill")

    titles = {item.title for item in search.run("quartz", language="es")}

    assert titles == {"Cuarzo quartz", "Dr Quartz Quill, MD"}


def test_a_one_megabyte_article_is_indexed_within_bounds():
    article = make_article(title="Very long", summary="A long read.", sections=0)
    filler = "Rest and fluids help most people recover. " * 25_000  # about 1 MB
    body = f"<p>Quokkastart begins it. {filler} Quokkadeep is far in. {filler} Quokkaend.</p>"
    Section.objects.create(article=article, position=1, body=body)
    publish(article)

    document = SearchDocument.objects.get(article=article)
    assert len(document.body) <= SNIPPET_CHARS
    assert len(document.body) + len(document.more) <= MAX_INDEXED_CHARS
    found = search.run("quokkastart")
    assert [item.title for item in found] == ["Very long"]
    assert "<mark>Quokkastart</mark>" in found.items[0].snippet
    assert search.run("quokkaend").total == 0  # past the indexed part


def test_long_queries_search_a_bounded_number_of_terms():
    query = search.engine.parse_query(" ".join(f"word{n}" for n in range(50)))
    assert len(query.terms) == 10
    phrase = search.engine.parse_query('"' + " ".join(f"w{n}" for n in range(20)) + '"')
    assert len(phrase.terms[0]) == 8


def test_documents_exist_for_live_and_scheduled_releases_only():
    article = make_article(title="Three versions")  # release 1, live a day ago
    publish(article)  # release 2, live now: release 1 is superseded
    later = timezone.now() + datetime.timedelta(days=1)
    publish(article, go_live_at=later)  # release 3, scheduled

    windows = dict(
        SearchDocument.objects.filter(article=article).values_list("release__number", "live_until")
    )

    assert windows == {2: later, 3: None}


class SchemaEditor:
    """What the migration's functions use of a schema editor (the real one cannot run
    inside a test's transaction on SQLite)."""

    connection = connection

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_migration_builds_a_complete_index_from_existing_content():
    make_article(title="Quartz guide", summary="About quartz.")
    make_article(title="Guía del cuarzo", summary="Sobre los cuarzos.", language="es")
    make_expert(name="Quartz Quill")
    with connection.cursor() as cursor:
        schema.drop(connection, cursor)
    SearchDocument.objects.all().delete()
    migration = importlib.import_module("search.migrations.0001_initial")

    editor = SchemaEditor()
    migration.build_index(apps, editor)
    migration.run({"sqlite": migration.SQLITE_CREATE, "postgresql": migration.POSTGRES_CREATE})(
        apps, editor
    )
    importlib.import_module("search.migrations.0002_spanish_stemming").reindex("es")(apps, editor)

    assert schema.missing(connection) == []
    assert {item.title for item in search.run("quartz")} == {"Quartz guide", "Dr Quartz Quill, MD"}
    assert [item.title for item in search.run("cuarzo", language="es")] == ["Guía del cuarzo"]


def test_migrate_restores_lost_full_text_machinery():
    make_article(title="Quartz guide", summary="About quartz.")
    lost = schema.TRIGGERS[0] if connection.vendor == "sqlite" else "search_vector_gin"
    with connection.cursor() as cursor:
        kind = "TRIGGER" if connection.vendor == "sqlite" else "INDEX"
        cursor.execute(f"DROP {kind} {lost}")
    assert lost in schema.missing(connection)

    index.index_missing(sender=None)

    assert schema.missing(connection) == []
    make_article(title="Quartz after", summary="About quartz.")
    assert {item.title for item in search.run("quartz")} == {"Quartz guide", "Quartz after"}
