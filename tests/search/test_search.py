"""Search: what a visitor finds on /search/, on SQLite (FTS5) and PostgreSQL alike."""

import datetime
import io
import re
from unittest import mock

import pytest
import reversion
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles.models import FAQ, Article, Quote, Release, Section
from search import run as search_run
from search.models import SearchDocument
from search.query import MAX_QUERY_LENGTH, parse_query
from tests.conftest import make_article, make_expert, make_topic, publish

# Every request rendered: these tests are about search, not the page cache.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

URL = reverse("portal:search")

LONG_SECTIONS = [
    ("", "<p>Restless Leg Syndrome (RLS) doesn’t just steal sleep—it steals peace.</p>"),
    (
        "What Is Restless Leg Syndrome?",
        "<p>RLS is a neurological condition with an uncontrollable urge to move the legs.</p>"
        "<ul><li>Tingling, crawling, or pulling feelings</li><li>Deep aching discomfort</li></ul>",
    ),
    (
        "Magnesium and Sleep Quality",
        "<p>Magnesium supports melatonin production and deep sleep phases.</p>",
    ),
    (
        "Types of Magnesium for RLS",
        "<h3>Magnesium Glycinate</h3><p>Highly absorbable and gentle on the stomach.</p>"
        "<h3>Magnesium Citrate</h3><p>Effective but may have a laxative effect.</p>",
    ),
    (
        "Which Form Is Best for RLS?",
        "<p>Magnesium glycinate is often the top choice due to its calming effects [1].</p>",
    ),
    ("Recommended Dosages", "<p>Most adults benefit from 200–400 mg daily.</p>"),
]


@pytest.fixture
def seeds():
    """Content shaped like the two seed articles, their experts and topic."""
    topic = make_topic(name="Restless legs syndrome")
    dietitian = make_expert(
        honorific="",
        name="Roxana Ehsani",
        credentials="MS, RDN, CSSD",
        role="Registered Dietitian Nutritionist",
        bio="<p>Roxana Ehsani is a Board-Certified Specialist in Sports Dietetics.</p>",
    )
    doctor = make_expert(name="Deborah Lee", credentials="", role="Medical doctor")
    short = make_article(
        title="Magnesium for restless leg syndrome",
        summary="What research says about magnesium for restless legs, with advice on bedtime.",
        sections=0,
        topics=[topic],
        tags=["magnesium"],
        reviewed_by=doctor,
    )
    Section.objects.create(
        article=short,
        position=1,
        body="<p>Restless leg syndrome is a condition that’s disruptive to sleep.</p>",
    )
    Quote.objects.create(
        article=short, position=1, expert=dietitian, text="Wind down for sleep with a bath."
    )
    publish(short)
    long = make_article(
        title="Magnesium and restless leg syndrome: a guide",
        summary="How magnesium works on nerves and muscles, and which form to try.",
        sections=0,
        topics=[topic],
        reviewed_by=doctor,
    )
    for position, (heading, body) in enumerate(LONG_SECTIONS, start=1):
        Section.objects.create(article=long, position=position, heading=heading, body=body)
    FAQ.objects.create(
        article=long,
        position=1,
        question="Is it safe to take magnesium every day?",
        answer="<p>Yes, when taken within recommended doses.</p>",
    )
    publish(long)
    other = make_article(
        title="Iron and tiredness",
        summary="Low iron can leave you tired and short of breath.",
        sections=0,
    )
    return {"short": short, "long": long, "other": other, "dietitian": dietitian}


def search(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return response


def page(response):
    return response.content.decode()


def result_titles(response):
    """Return the titles of the results shown, in order."""
    return [result.title for result in response.context["page"] or []]


def result_count(response):
    found = re.search(r"(\d+) results? for", page(response))
    return int(found.group(1)) if found else 0


def test_glycinate_finds_the_long_article_first(client, seeds):
    response = search(client, "glycinate")

    assert result_titles(response)[0] == seeds["long"].title
    assert 'href="/articles/magnesium-and-restless-leg-syndrome-a-guide/"' in page(response)
    assert "<mark>Glycinate</mark>" in page(response) or "<mark>glycinate</mark>" in page(response)


def test_surname_finds_the_dietitian(client, seeds):
    response = search(client, "Ehsani")

    assert result_titles(response) == ["Roxana Ehsani, MS, RDN, CSSD"]
    assert f'href="{seeds["dietitian"].get_absolute_url()}"' in page(response)
    assert "Expert" in page(response)


@pytest.mark.parametrize("q", ["RDN", "dietetics", "dietitian nutritionist"])
def test_experts_are_found_by_credentials_role_and_bio(client, seeds, q):
    assert result_titles(search(client, q)) == ["Roxana Ehsani, MS, RDN, CSSD"]


def test_restless_legs_finds_both_articles(client, seeds):
    response = search(client, "restless legs")

    assert sorted(result_titles(response)) == sorted([seeds["short"].title, seeds["long"].title])
    assert "2 results for “restless legs”" in page(response)


def test_sleeping_finds_the_articles_about_sleep(client, seeds):
    response = search(client, "sleeping")

    assert sorted(result_titles(response)) == sorted([seeds["short"].title, seeds["long"].title])
    assert "<mark>sleep</mark>" in page(response)


def test_accents_do_not_matter(client):
    make_article(title="Ménière’s disease", summary="Vertigo and ringing in the ears.")

    assert result_titles(search(client, "meniere")) == ["Ménière’s disease"]
    assert result_titles(search(client, "MÉNIÈRE")) == ["Ménière’s disease"]


def test_quoted_phrase_finds_the_words_together(client):
    together = make_article(title="Together", summary="A deep aching discomfort in the calves.")
    apart = make_article(title="Apart", summary="Deep breathing eases an aching back.")

    assert sorted(result_titles(search(client, "deep aching"))) == ["Apart", "Together"]
    assert result_titles(search(client, '"deep aching"')) == [together.title]
    assert apart.title not in result_titles(search(client, "“deep aching”"))


def test_title_match_ranks_above_summary_match_above_body_match(client):
    body = make_article(title="Minerals", summary="About minerals.", sections=0)
    Section.objects.create(
        article=body, position=1, body="<p>" + "Zinc helps. Zinc heals. " * 20 + "</p>"
    )
    publish(body)
    make_article(title="Trace elements", summary="Zinc, copper and selenium in food.")
    make_article(title="Zinc", summary="A mineral for wound healing.")

    assert result_titles(search(client, "zinc")) == ["Zinc", "Trace elements", "Minerals"]


def test_tags_and_topics_are_searched(client):
    topic = make_topic(name="Vertigo")
    make_article(title="Dizzy spells", topics=[topic], tags=["balance"])

    assert result_titles(search(client, "vertigo")) == ["Dizzy spells"]
    assert result_titles(search(client, "balance")) == ["Dizzy spells"]


@pytest.mark.parametrize(
    "status",
    [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.ARCHIVED, "scheduled"],
)
def test_unpublished_article_is_never_found_nor_quoted(client, seeds, status):
    fields = {"status": status}
    if status == "scheduled":
        fields = {
            "status": Article.Status.PUBLISHED,
            "publish_at": timezone.now() + datetime.timedelta(days=3),
        }
    hidden = make_article(
        title="Secret glycinate plan",
        summary="Magnesium glycinate and the quokkalith secret.",
        sections=0,
        **fields,
    )
    Section.objects.create(article=hidden, position=1, body="<p>Quokkalith restless legs.</p>")

    unique = search(client, "quokkalith")
    assert result_titles(unique) == []
    assert "No results for “quokkalith”" in page(unique)

    shared = search(client, "glycinate restless")
    assert result_titles(shared) == [seeds["long"].title]
    assert "Secret" not in page(shared)
    assert "quokkalith" not in page(shared).lower()


def test_scheduled_article_appears_when_its_time_comes_without_a_save(client):
    later = timezone.now() + datetime.timedelta(hours=1)
    make_article(title="Quokkalith news", publish_at=later)
    assert result_titles(search(client, "quokkalith")) == []

    with mock.patch(
        "django.utils.timezone.now", return_value=later + datetime.timedelta(seconds=1)
    ):
        assert result_titles(search(client, "quokkalith")) == ["Quokkalith news"]


def test_rescheduling_a_release_to_now_shows_it_at_once(client):
    article = make_article(
        title="Quokkalith news", publish_at=timezone.now() + datetime.timedelta(days=2)
    )
    assert result_titles(search(client, "quokkalith")) == []

    Release.objects.filter(article=article).reschedule(timezone.now())

    assert result_titles(search(client, "quokkalith")) == ["Quokkalith news"]


def test_only_the_live_release_is_found_and_quoted_until_the_next_goes_live(client):
    article = make_article(title="Calcium", summary="Calcium for bones.", sections=0)
    section = Section.objects.create(article=article, position=1, body="<p>Eat sardines.</p>")
    publish(article)
    go_live = timezone.now() + datetime.timedelta(minutes=5)
    section.body = "<p>Eat almonds.</p>"
    section.save()
    publish(article, go_live_at=go_live)  # release 3, scheduled
    section.body = "<p>Eat quinoa.</p>"  # the working copy: never public
    section.save()
    article.title = "Calcium draft"
    article.save()

    def found(word, now=None):
        return [item.title for item in search_run(word, now=now)]

    assert found("sardines") == ["Calcium"]
    assert found("almonds") == found("quinoa") == found("draft") == []
    assert "almonds" not in str(search_run("calcium").items[0].snippet)

    after = go_live + datetime.timedelta(seconds=1)
    assert found("almonds", now=after) == ["Calcium"]
    assert found("sardines", now=after) == found("quinoa", now=after) == []
    with mock.patch("django.utils.timezone.now", return_value=after):
        response = search(client, "almonds")
    assert result_titles(response) == ["Calcium"]
    assert "<mark>almonds</mark>" in page(response)


HOSTILE_QUERIES = [
    "",
    "   ",
    '"',
    '""',
    '"restless',
    "*",
    "sleep*",
    "OR",
    "sleep OR",
    "AND NOT",
    "NEAR(",
    "NEAR(sleep legs, 2)",
    "title:sleep",
    "{title summary}: sleep",
    "^sleep -legs +magnesium",
    "'; DROP TABLE articles_article; --",
    "1' OR '1'='1",
    "sleep\x00legs",
    "\x00",
    "\u202emagnesium\u200b",
    "𝕞𝕒𝕘𝕟𝕖𝕤𝕚𝕦𝕞",
    "🙂🙂🙂",
    "睡眠 障害",
    "Ǆ ß ﬁ İ",
    "\\",
    "%",
    "<script>alert(1)</script>",
    "x" * 1000,
    "restless legs " * 80,
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_hostile_input_answers_200_with_results_or_a_friendly_message(client, seeds, q):
    response = search(client, q)

    body = page(response)
    assert body.count("<h1") == 1
    assert re.search(r"results? for|No results for|Type what you are looking for|no words", body)


@pytest.mark.parametrize("raw", ["q=%FF%FE", "q=%ED%A0%80", "q=%00", "q=a&q=b", "page=%00&q=sleep"])
def test_malformed_query_strings_answer_200(client, seeds, raw):
    assert client.get(f"{URL}?{raw}").status_code == 200


def test_query_is_echoed_escaped(client, seeds):
    response = search(client, "<script>alert(1)</script> sleep")

    assert "<script>alert(1)" not in page(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; sleep" in page(response)


def test_overlong_query_is_cut_and_said_so(client, seeds):
    response = search(client, "sleep " + "x" * 1000)

    assert response.context["query"] == ("sleep " + "x" * 1000)[:MAX_QUERY_LENGTH]
    assert f"only its first {MAX_QUERY_LENGTH} characters" in page(response)


def test_fts_syntax_is_searched_as_plain_words(client, seeds):
    # As FTS5 syntax these would exclude the iron article, or find nothing at all.
    assert "Iron and tiredness" in result_titles(search(client, "magnesium NOT iron"))
    assert "Iron and tiredness" in result_titles(search(client, "iron -magnesium"))
    assert len(result_titles(search(client, "NEAR(restless* legs, 1)"))) == 2


def test_parse_query_keeps_words_and_phrases_only():
    query = parse_query('Sleeping "restless  LEGS" the * OR NEAR( Ménière')

    assert query.terms == (("sleeping",), ("restless", "legs"), ("near",), ("meniere",))
    assert parse_query("the or and").terms == ()
    assert parse_query('"the"').terms == ()


def test_no_match_shows_a_friendly_message_and_topics_to_browse(client, seeds):
    response = search(client, "xylophone")

    assert "No results for “xylophone”" in page(response)
    assert "Browse by topic" in page(response)
    assert 'href="/topics/restless-legs-syndrome/"' in page(response)


def test_empty_query_invites_a_search_and_lists_topics(client, seeds):
    response = client.get(URL)

    assert response.status_code == 200
    assert "Type what you are looking for" in page(response)
    assert "Browse by topic" in page(response)
    assert response.context["page"] is None


def test_when_no_page_has_every_word_pages_with_some_are_shown(client, seeds):
    response = search(client, "glycinate xylophone")

    assert result_titles(response) == [seeds["long"].title]
    assert "No page has all of your words" in page(response)


def test_results_are_paginated_ten_a_page(client):
    for n in range(23):
        make_article(title=f"Quartz note {n:02}", summary="About quartz.")

    first = search(client, "quartz")
    assert result_count(first) == 23
    assert len(result_titles(first)) == 10
    assert "page 1 of 3" in page(first)
    assert 'href="?q=quartz&amp;page=2" rel="next"' in page(first)

    last = search(client, "quartz", page=3)
    assert len(result_titles(last)) == 3
    assert 'href="?q=quartz&amp;page=2" rel="prev"' in page(last)
    assert '<ol class="cards search-results" start="21">' in page(last)

    seen = set()
    for number in (1, 2, 3):
        seen |= set(result_titles(search(client, "quartz", page=number)))
    assert len(seen) == 23


def test_bad_page_numbers_show_the_first_or_last_page(client):
    for n in range(12):
        make_article(title=f"Quartz note {n:02}", summary="About quartz.")

    for bad, shown in [
        ("abc", 1),
        ("", 1),
        ("1.5", 1),
        ("0", 2),
        ("-2", 2),
        ("99", 2),
        ("9" * 40, 2),
    ]:
        response = search(client, "quartz", page=bad)
        assert response.context["page"].number == shown, bad
        assert len(result_titles(response)) == (10 if shown == 1 else 2)


def test_query_count_does_not_grow_with_results(client):
    make_article(title="Lone basalt", summary="Basalt.")
    for n in range(12):
        make_article(title=f"Granite {n}", summary="Granite.")

    search(client, "warm up")  # the first page view creates the clinic settings row
    with CaptureQueriesContext(connection) as one:
        search(client, "basalt")
    with CaptureQueriesContext(connection) as ten:
        search(client, "granite")
    assert len(one) == len(ten)


def test_search_page_has_one_h1_and_a_labelled_search_box(client, seeds):
    body = page(search(client, "sleep"))

    assert body.count("<h1") == 1
    assert '<label for="search-q">' in body
    assert 'type="search" id="search-q" name="q" value="sleep"' in body


def test_snippet_escapes_content_and_marks_only_the_matches(client):
    article = make_article(title="Doses", summary="Dose advice.", sections=0)
    Section.objects.create(
        article=article, position=1, body="<p>Take 5 &lt; 10 mg of zorbium &amp; water.</p>"
    )
    publish(article)

    body = page(search(client, "zorbium"))

    assert "5 &lt; 10 mg of <mark>zorbium</mark> &amp;" in body
    assert "[1]" not in body


def test_snippet_quotes_a_match_deep_in_a_long_article(client):
    article = make_article(title="Long read", summary="A long article.", sections=0)
    filler = "<p>" + "Rest, fluids and time help most people recover. " * 150 + "</p>"
    Section.objects.create(article=article, position=1, body=filler)
    Section.objects.create(
        article=article, position=2, heading="Rare causes", body="<p>Quokkabane is rare.</p>"
    )
    publish(article)

    body = page(search(client, "quokkabane"))

    assert "<mark>Quokkabane</mark> is rare" in body


def test_index_follows_releases_and_edits_to_topics_and_tags(client):
    topic = make_topic(name="Gout")
    article = make_article(title="Joint pain", summary="Aching joints.", sections=0)
    section = Section.objects.create(article=article, position=1, body="<p>Try cherries.</p>")
    assert result_titles(search(client, "cherries")) == []  # the working copy only
    publish(article)
    assert result_titles(search(client, "cherries")) == ["Joint pain"]

    section.body = "<p>Try blueberries.</p>"
    section.save()
    FAQ.objects.create(article=article, position=1, question="Is rhubarb bad?", answer="<p>No.</p>")
    assert result_titles(search(client, "blueberries")) == []
    publish(article)
    assert result_titles(search(client, "cherries")) == []
    assert result_titles(search(client, "blueberries")) == ["Joint pain"]
    assert result_titles(search(client, "rhubarb")) == ["Joint pain"]

    section.delete()
    publish(article)
    assert result_titles(search(client, "blueberries")) == []

    # Topics and tags are live on the article: no new release needed.
    topic.articles.add(article)
    assert result_titles(search(client, "gout")) == ["Joint pain"]
    topic.name = "Podagra"
    topic.save()
    assert result_titles(search(client, "podagra")) == ["Joint pain"]
    topic.articles.clear()
    assert result_titles(search(client, "podagra")) == []
    article.topics.add(topic)
    assert result_titles(search(client, "podagra")) == ["Joint pain"]
    topic.delete()
    assert result_titles(search(client, "podagra")) == []

    article.tags.add("purines")
    assert result_titles(search(client, "purines")) == ["Joint pain"]
    tag = Tag.objects.get(name="purines")
    tag.name = "urate"
    tag.save()
    assert result_titles(search(client, "urate")) == ["Joint pain"]
    article.tags.clear()
    assert result_titles(search(client, "urate")) == []

    article.title = "Sore hips"
    article.save()
    assert result_titles(search(client, "hips")) == []
    publish(article)
    assert result_titles(search(client, "hips")) == ["Sore hips"]

    article.status = Article.Status.ARCHIVED
    article.save()
    assert result_titles(search(client, "hips")) == []
    assert not SearchDocument.objects.filter(article=article).exists()


def test_index_follows_edits_to_an_expert(client):
    expert = make_expert(name="Ada Quill", bio="<p>Trained in podiatry.</p>")
    assert result_titles(search(client, "podiatry")) == ["Dr Ada Quill, MD"]

    expert.bio = "<p>Trained in dermatology.</p>"
    expert.save()
    assert result_titles(search(client, "podiatry")) == []
    assert result_titles(search(client, "dermatology")) == ["Dr Ada Quill, MD"]


def test_restoring_an_old_version_changes_the_working_copy_not_the_index(
    client, django_capture_on_commit_callbacks
):
    with reversion.create_revision():
        article = make_article(title="Calcium", summary="Calcium for bones.", sections=0)
        Section.objects.create(article=article, position=1, body="<p>Eat sardines.</p>")
    publish(article)
    section = article.sections.get()
    with reversion.create_revision():
        section.body = "<p>Eat almonds.</p>"
        section.save()
        article.save()
    publish(article)
    assert result_titles(search(client, "sardines")) == []

    with django_capture_on_commit_callbacks(execute=True):
        Version.objects.get_for_object(article).last().revision.revert()

    assert result_titles(search(client, "sardines")) == []
    assert result_titles(search(client, "almonds")) == ["Calcium"]
    publish(Article.objects.get(pk=article.pk))
    assert result_titles(search(client, "sardines")) == ["Calcium"]
    assert result_titles(search(client, "almonds")) == []


def index_objects():
    """Return the names of the triggers (SQLite) or indexes (PostgreSQL) behind search."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_search%'")
            return {row[0] for row in cursor.fetchall()}
        return set(connection.introspection.get_constraints(cursor, "search_searchdocument"))


def test_rebuild_command_restores_a_lost_index(client, seeds):
    lost = (
        "search_searchdocument_fts_insert" if connection.vendor == "sqlite" else "search_vector_gin"
    )
    SearchDocument.objects.all().delete()
    with connection.cursor() as cursor:
        kind = "TRIGGER" if connection.vendor == "sqlite" else "INDEX"
        cursor.execute(f"DROP {kind} {lost}")
    assert lost not in index_objects()
    assert result_titles(search(client, "glycinate")) == []

    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)

    assert "3 article versions and 3 experts" in out.getvalue()
    assert lost in index_objects()
    assert result_titles(search(client, "glycinate")) == [seeds["long"].title]
    assert result_titles(search(client, "Ehsani")) == ["Roxana Ehsani, MS, RDN, CSSD"]
    make_article(title="Fresh basil", summary="New after the rebuild.")
    assert result_titles(search(client, "basil")) == ["Fresh basil"]


def test_english_finds_its_own_articles_and_spanish_its_own_first(client):
    make_article(title="Quokkalith and sleep", summary="About sleep.")
    make_article(title="Quokkalith y sueño", summary="Sobre el sueño.", language="es")
    make_expert(name="Ana Quokkalith")

    english = client.get(URL, {"q": "quokkalith"})
    spanish = client.get("/es/search/", {"q": "quokkalith"})

    assert sorted(result_titles(english)) == ["Dr Ana Quokkalith, MD", "Quokkalith and sleep"]
    # Spanish articles and experts first, then the English one, marked as English.
    assert sorted(result_titles(spanish)[:2]) == ["Dr Ana Quokkalith, MD", "Quokkalith y sueño"]
    assert result_titles(spanish)[2:] == ["Quokkalith and sleep"]
    page = spanish.content.decode()
    marked = '<li class="card search-result" lang="en">'
    assert page.count(marked) == 1
    assert "Quokkalith and sleep" in page[page.index(marked) :]
    assert page.count("Artículo · Inglés") == 1
