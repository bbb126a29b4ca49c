"""Did you mean …?: spelling suggestions from the words of live content, on both databases."""

import datetime
import importlib
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from articles import workflow
from articles.models import Article, Section
from search import engine, suggest
from search.models import SearchWord, TimedWord
from tests.conftest import make_article, make_expert, publish
from tests.search.test_engine import SchemaEditor

# Every request rendered: these tests are about search, not the page cache.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

URL = reverse("portal:search")


@pytest.fixture
def content():
    """A magnesium article, a restless legs one, and an expert."""
    make_article(
        title="Magnesium for restless leg syndrome",
        summary="What research says about magnesium for restless legs.",
    )
    make_article(title="Sleep and your legs", summary="Restless nights and how to rest.")
    make_expert(name="Roxana Ehsani", credentials="RDN", role="Dietitian")


def search(client, q, url=URL):
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return response


def suggestion(response):
    return response.context["suggestion"]


def suggested(q, now=None, language="en"):
    return engine.suggestion(q, language=language, now=now)


@pytest.mark.parametrize("q", ["magnesuim", "magnisium", "MAGNISIUM", "magnesum"])
def test_misspellings_of_magnesium_suggest_it(client, content, q):
    response = search(client, q)

    assert suggestion(response) == "magnesium"
    body = response.content.decode()
    assert 'Did you mean <a href="/search/?q=magnesium">magnesium</a>?' in body


def test_each_misspelt_word_of_several_is_corrected(client, content):
    assert suggestion(search(client, "restles legs")) == "restless legs"
    assert suggestion(search(client, "magnesuim for restles legs")) == "magnesium for restless legs"
    assert suggested('"restles legs" magnisium') == '"restless legs" magnesium'


def test_the_link_runs_the_corrected_search(client, content):
    response = search(client, "magnisium")
    assert response.context["page"].total == 0

    corrected = client.get(response.context["suggestion_url"])

    assert corrected.status_code == 200
    assert corrected.context["query"] == "magnesium"
    titles = [item.title for item in corrected.context["page"]]
    assert titles == ["Magnesium for restless leg syndrome"]
    assert corrected.context["suggestion"] == ""


def test_the_spanish_page_suggests_spanish_words_and_links_to_itself(client, content):
    make_article(title="Magnesio y piernas inquietas", summary="El magnesio.", language="es")

    response = search(client, "magensio", url="/es/search/")

    assert suggestion(response) == "magnesio"
    body = response.content.decode()
    assert '¿Quiso decir <a href="/es/search/?q=magnesio">magnesio</a>?' in body
    assert suggestion(search(client, "magensio")) == ""  # no Spanish word in English


def test_the_api_suggests_too(client, content):
    make_article(title="Quokkalith plan", status=Article.Status.DRAFT)

    def api(q):
        response = client.get("/api/v1/search", {"q": q})
        assert response.status_code == 200
        return response.json()

    assert api("magnisium")["suggestion"] == "magnesium"
    assert api("restles legs")["suggestion"] == "restless legs"
    assert api("magnesium")["suggestion"] == api("quokalith")["suggestion"] == ""


def test_no_suggestion_when_the_search_finds_pages_with_every_word(client, content):
    with mock.patch("search.engine.suggestion") as suggest_called:
        assert suggestion(search(client, "magnesium")) == ""
        assert suggestion(search(client, "restless legs")) == ""
        assert suggestion(search(client, "sleeping")) == ""  # found by its stem
    suggest_called.assert_not_called()
    assert "Did you mean" not in search(client, "magnesium").content.decode()


def test_no_suggestion_for_words_nothing_is_near(client, content):
    response = search(client, "xylophone")

    assert suggestion(response) == ""
    assert "Did you mean" not in response.content.decode()
    assert suggested("legs") == ""  # a word the search finds is never corrected
    assert suggested("leg") == ""  # nor one it finds by its stem


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.IN_REVIEW])
def test_a_word_only_in_an_unpublished_article_is_never_suggested(client, content, status):
    make_article(title="Quokkalith plan", summary="Magnesium quokkalith.", status=status)

    assert suggestion(search(client, "quokalith")) == ""
    assert suggestion(search(client, "quokalith legs")) == ""
    assert not SearchWord.objects.filter(word="quokkalith").exists()


def test_a_word_only_in_the_working_copy_of_a_published_article_is_never_suggested(client):
    article = make_article(title="Calcium", summary="Calcium for bones.")
    article.summary = "Calcium and quokkalith."
    article.save()  # not published: the release keeps the old summary

    assert suggested("quokalith") == ""


def test_a_word_only_in_an_archived_article_is_never_suggested(client, content):
    archived = make_article(title="Quokkalith plan", summary="The zymbrate plan.")
    assert suggestion(search(client, "quokalith")) == "quokkalith"

    workflow.archive(archived, request=None)

    assert suggestion(search(client, "quokalith")) == ""
    assert not SearchWord.objects.filter(word="quokkalith").exists()
    # Archived by a bulk update, which leaves its documents in the index: still hidden.
    make_article(title="Zymbrate news", status=Article.Status.ARCHIVED)
    assert suggestion(search(client, "zymbrat")) == ""
    assert suggestion(search(client, "zymbrat legs")) == ""


def test_a_scheduled_word_is_suggested_from_its_go_live_time_on(client, content):
    later = timezone.now() + datetime.timedelta(hours=1)
    make_article(title="Quokkalith news", summary="Quokkalith at the clinic.", publish_at=later)

    assert suggested("quokalith") == ""
    assert suggestion(search(client, "quokalith")) == ""
    assert suggestion(search(client, "quokalith legs")) == ""

    after = later + datetime.timedelta(seconds=1)
    assert suggested("quokalith", now=after) == "quokkalith"
    with mock.patch("django.utils.timezone.now", return_value=after):
        assert suggestion(search(client, "quokalith")) == "quokkalith"


def test_a_replaced_release_stops_giving_words_when_its_successor_goes_live(client):
    article = make_article(title="Calcium", summary="Calcium for bones.", sections=0)
    section = Section.objects.create(article=article, position=1, body="<p>Eat sardines.</p>")
    publish(article)
    go_live = timezone.now() + datetime.timedelta(minutes=5)
    section.body = "<p>Eat almonds.</p>"
    section.save()
    publish(article, go_live_at=go_live)
    after = go_live + datetime.timedelta(seconds=1)

    assert suggested("sardnes") == "sardines"
    assert suggested("almods") == ""
    assert suggested("sardnes", now=after) == ""
    assert suggested("almods", now=after) == "almonds"
    assert suggested("calcuim", now=after) == suggested("calcuim") == "calcium"


def test_words_of_experts_come_and_go_with_them(client, content):
    assert suggestion(search(client, "ehsnai")) == "ehsani"
    expert = make_expert(name="Ana Quokkalith", role="Nurse")
    assert suggested("quokalith", language="es") == "quokkalith"  # experts: every language

    expert.delete()

    assert suggested("quokalith") == ""
    assert not SearchWord.objects.filter(word="quokkalith").exists()


def test_the_vocabulary_written_piece_by_piece_matches_a_rebuild(client, content):
    article = make_article(title="Calcium", summary="Calcium for bones.")
    article.title = "Calcium and iron"
    article.save()
    publish(article)  # replaces release 1 now
    article.title = "Calcium and zinc"
    article.save()
    publish(article, go_live_at=timezone.now() + datetime.timedelta(days=1))
    make_article(title="Iron", status=Article.Status.DRAFT)
    make_expert(name="Zed Quokkalith").delete()

    def vocabulary():
        words = set(SearchWord.objects.values_list("word", "language", "documents"))
        timed = set(TimedWord.objects.values_list("document__release_id", "word"))
        return words, timed

    pieces = vocabulary()
    with translation.override("en"):
        call_command("rebuild_search_index", stdout=mock.Mock())

    assert vocabulary() == pieces
    assert ("magnesium", "en", 1) in pieces[0]
    assert pieces[1]  # the scheduled release and the one it replaces


def test_the_migration_builds_the_vocabulary_of_the_indexed_documents(client, content):
    make_article(title="Quokkalith news", publish_at=timezone.now() + datetime.timedelta(hours=1))
    built = set(SearchWord.objects.values_list("word", "language", "documents"))
    timed = set(TimedWord.objects.values_list("document_id", "word"))
    suggest.clear()
    assert suggested("magnesuim") == ""
    migration = importlib.import_module("search.migrations.0003_search_vocabulary")

    migration.build_vocabulary(apps, SchemaEditor())

    assert set(SearchWord.objects.values_list("word", "language", "documents")) == built
    assert set(TimedWord.objects.values_list("document_id", "word")) == timed
    assert ("quokkalith", "en", 0) in built
    assert suggested("magnesuim") == "magnesium"


HOSTILE = [
    "magnesuim\x00",
    "\x00",
    "magn\x00esuim",
    "x" * 1000,
    "magnesuim " * 120,
    "'; DROP TABLE search_searchword; --",
    "%magnesuim% _",
    "magnesuim*",
    "NEAR(magnesuim",
    '"magnesuim',
    "𝕞𝕒𝕘𝕟𝕖𝕤𝕦𝕚𝕞",
    "\u202emagnesuim\u200b",
    "Magnésuim",
    "ǅ ß ﬁ İ magnesuim",
    "🙂 magnesuim 🙂",
    "睡眠 magnesuim",
    "<script>magnesuim</script>",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input_never_fails_and_suggests_only_plain_words(client, content, q):
    response = search(client, q)

    body = response.content.decode()
    assert body.count("<h1") == 1
    assert "<script>magnesium" not in body
    if suggestion(response):
        assert "magnesium" in suggestion(response)


def test_query_count_of_a_page_with_a_suggestion(client, content, django_assert_num_queries):
    search(client, "warm up")  # the first page view creates the clinic settings row

    # The search (its three tiers in one query), the nearest words, the corrected word
    # searched alone, the topics to browse. PostgreSQL: each of the first three in a
    # savepoint (of the test's transaction) with its setting (jit, similarity threshold);
    # SQLite: the nearest words in this process's copy of the vocabulary (read by the
    # warm-up), then the newest word (unchanged: the copy stands) and their counts.
    with django_assert_num_queries(13 if connection.vendor == "postgresql" else 5):
        response = search(client, "magnisium")
    assert suggestion(response) == "magnesium"
