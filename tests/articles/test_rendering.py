"""A release's page parts: rendered once, stored with the release, never invalidated by edits."""

from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import rendering
from articles.models import FAQ, Citation, Quote, Reference, Release, Section
from experts.models import Expert
from portal.models import ClinicSettings
from tests.conftest import make_article, make_clinic, make_expert, make_topic, publish
from tests.pages import html, ld_of_type

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

# An uncached article page: the live release with its article, the article's topics and
# tags (one query), and the related articles. The clinic settings come from the cache.
PAGE_QUERIES = 3


def url(article):
    return reverse("articles:detail", kwargs={"slug": article.slug})


def stored(article):
    return Release.objects.get(article=article, number=1).rendered


def view(client, article):
    response = client.get(url(article))
    assert response.status_code == 200
    return html(response)


@pytest.fixture
def full_article(db):
    """A published article with every kind of part."""
    make_clinic()
    return make_article(
        sections=4,
        quotes=1,
        citations=2,
        faqs=1,
        topics=[make_topic()],
        tags=["sleep"],
        author=make_expert(name="Written By"),
    )


def count_queries(client, article):
    with CaptureQueriesContext(connection) as queries:
        view(client, article)
    return len(queries)


def test_publishing_stores_the_parts_and_views_reuse_them(client, full_article):
    parts = stored(full_article)
    assert parts["version"] == rendering.version()
    assert "Heading 4" in parts["body"]
    assert "About our experts" in parts["body"]
    with mock.patch.object(rendering, "release_parts", side_effect=AssertionError("rendered")):
        first = view(client, full_article)
        assert view(client, full_article) == first


def test_parts_stored_by_another_version_are_rendered_again(client, full_article):
    stale = {"version": "old", "body": "<p>Old markup.</p>"}
    Release.objects.filter(article=full_article).update(rendered=stale)
    page = view(client, full_article)
    assert "Old markup." not in page
    assert "Body 1 " in page
    assert stored(full_article)["version"] == rendering.version()


def test_stored_parts_hold_nothing_from_the_request_or_the_clinic(client, full_article, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    make_clinic(name="First Clinic Name", default_disclaimer="First disclaimer.")
    client.get(url(full_article), HTTP_HOST="one.example")
    text = str(stored(full_article))
    assert "one.example" not in text
    assert "First Clinic Name" not in text

    make_clinic(name="Second Clinic Name", default_disclaimer="Second disclaimer.")
    response = client.get(url(full_article), HTTP_HOST="two.example")
    assert "Second disclaimer." in html(response)
    page_data = ld_of_type(response, "MedicalWebPage")
    assert page_data["publisher"]["name"] == "Second Clinic Name"
    assert page_data["url"] == f"http://two.example{url(full_article)}"
    assert page_data["reviewedBy"]["url"].startswith("http://two.example/")


def save(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()


# Working-copy edits and changes to the rows a release copied: none shows until the
# next release, and none touches the stored parts.
EDITS = {
    "section body": lambda a: save(a.sections.first(), body="<p>A brand new paragraph.</p>"),
    "section added": lambda a: Section.objects.create(
        article=a, position=9, heading="A brand new part", body="<p>Text.</p>"
    ),
    "quote text": lambda a: save(a.quotes.first(), text="A brand new quote."),
    "FAQ added": lambda a: FAQ.objects.create(
        article=a, position=7, question="A brand new question?", answer="<p>Yes.</p>"
    ),
    "reviewer name": lambda a: save(a.reviewed_by, name="A brand new name"),
    "quoted expert name": lambda a: save(a.quotes.first().expert, name="A brand new name"),
    "reference title": lambda a: save(a.citations.first().reference, title="A brand new study"),
    "title": lambda a: save(a, title="A brand new title"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_edits_leave_the_live_page_and_its_parts_alone(client, full_article, edit):
    before = stored(full_article)
    page = view(client, full_article)
    EDITS[edit](full_article)
    assert "A brand new" not in view(client, full_article)
    assert view(client, full_article) == page
    assert stored(full_article) == before


@pytest.mark.parametrize("edit", EDITS)
def test_edits_show_once_a_reviewer_publishes_them(client, full_article, edit):
    EDITS[edit](full_article)
    full_article.refresh_from_db()
    publish(full_article, note="Edited.")
    assert "A brand new" in view(client, full_article)


def test_topics_and_tags_stay_live_on_the_page(client, full_article):
    full_article.topics.add(make_topic(name="A brand new topic"))
    full_article.tags.add("A brand new tag")
    page = view(client, full_article)
    assert "A brand new topic" in page
    assert "A brand new tag" in page


def article_with(n):
    """Publish an article with n of every part, topic and tag, and n related ones."""
    topics = [make_topic() for _ in range(n)]
    article = make_article(
        sections=0,
        topics=topics,
        tags=[f"tag-{n}-{i}" for i in range(n)],
        author=make_expert(),
        status="draft",
    )
    experts = Expert.objects.bulk_create(
        Expert(name=f"Quoted {n}-{i}", slug=f"quoted-{n}-{i}") for i in range(n)
    )
    references = Reference.objects.bulk_create(
        Reference(title=f"Study {n}-{i}", doi=f"10.1/{n}-{i}") for i in range(n)
    )
    sections = Section.objects.bulk_create(
        Section(article=article, position=i, heading=f"H{i}", body=f"<p>Text [{i}].</p>")
        for i in range(1, n + 1)
    )
    Quote.objects.bulk_create(
        Quote(article=article, position=i, expert=experts[i - 1], text="Q", section=sections[i - 1])
        for i in range(1, n + 1)
    )
    Citation.objects.bulk_create(
        Citation(article=article, position=i, reference=references[i - 1]) for i in range(1, n + 1)
    )
    FAQ.objects.bulk_create(
        FAQ(article=article, position=i, question=f"Q{i}?", answer="<p>A.</p>")
        for i in range(1, n + 1)
    )
    publish(article)
    for i in range(n):
        make_article(title=f"Related {n}-{i}", topics=[topics[0]], sections=0)
    return article


def test_article_page_costs_three_queries_whatever_its_size(client):
    make_clinic()
    small, large = article_with(1), article_with(50)
    view(client, make_article())  # the clinic settings and content types, now cached
    assert [count_queries(client, small), count_queries(client, large)] == [PAGE_QUERIES] * 2
    page = view(client, large)
    assert page.count('class="cite"') == 50
    assert page.count("<figure") == 50
    assert page.count("<details") == 50
    assert page.count('<li id="ref-') == 50
    assert page.count('href="/tags/') == 50
    assert page.count("Related 50-") == 4


def test_article_page_stays_within_four_queries_with_a_cold_clinic_cache(client, full_article):
    view(client, full_article)
    ClinicSettings.objects.filter(pk=1).update(name="Not yet seen")  # no signal: cache kept
    caches["default"].clear()
    with CaptureQueriesContext(connection) as queries:
        page = view(client, full_article)
    assert len(queries) <= PAGE_QUERIES + 1
    assert "Not yet seen" in page


def test_clinic_settings_are_read_once_and_an_edit_shows_on_the_next_request(client, db):
    make_clinic(name="Old Clinic")
    assert "Old Clinic" in html(client.get("/topics/"))
    with CaptureQueriesContext(connection) as queries:
        client.get("/topics/")
    assert not any("portal_clinicsettings" in query["sql"] for query in queries)

    make_clinic(name="New Clinic")
    page = html(client.get("/topics/"))
    assert "New Clinic" in page
    assert "Old Clinic" not in page
