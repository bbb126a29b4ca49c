"""Stored article parts: rendered on the first view, emptied by every edit that shows."""

from unittest import mock

import pytest
import reversion
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version
from taggit.models import Tag

from articles import rendering
from articles.models import FAQ, Article, Citation, Quote, Reference, Section, Topic
from experts.models import Expert
from portal.models import ClinicSettings
from tests.conftest import make_article, make_clinic, make_expert, make_reference, make_topic
from tests.pages import html, ld_of_type

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

# Queries of an article page whose parts are stored: the article with its reviewer and
# author, and the related articles (the clinic settings come from the cache).
STORED_QUERIES = 2
# The first view after a change also reads the article's parts and stores them: the
# article, its topics, tags, sections, quotes, citations and FAQs, and the update.
RENDERING_QUERIES = STORED_QUERIES + 8


def url(article):
    return reverse("articles:detail", kwargs={"slug": article.slug})


def stored(article):
    return Article.objects.get(pk=article.pk).rendered


def view(client, article):
    response = client.get(url(article))
    assert response.status_code == 200
    return html(response)


@pytest.fixture
def full_article(db):
    """A published article with every kind of part, viewed once so its parts are stored."""
    make_clinic()
    article = make_article(
        sections=4, quotes=1, citations=2, faqs=1, topics=[make_topic()], tags=["sleep"]
    )
    article.author = make_expert(name="Written By")
    article.save()
    return article


def count_queries(client, article):
    with CaptureQueriesContext(connection) as queries:
        view(client, article)
    return len(queries)


# --- Stored on the first view, reused after -----------------------------------------------


def test_first_view_stores_the_parts_and_later_views_reuse_them(client, full_article):
    assert stored(full_article) == {}
    first = view(client, full_article)
    parts = stored(full_article)
    assert parts["version"] == rendering.version()
    assert "Heading 4" in parts["body"]
    assert "About our experts" in parts["body"]

    with mock.patch.object(rendering, "article_parts", side_effect=AssertionError("rendered")):
        assert view(client, full_article) == first


def test_stored_view_runs_fewer_queries_than_the_first(client, full_article):
    view(client, make_article())  # the clinic settings, now cached
    first = count_queries(client, full_article)
    assert first == RENDERING_QUERIES
    assert count_queries(client, full_article) == STORED_QUERIES


def test_parts_stored_by_another_version_are_rendered_again(client, full_article):
    stale = {"version": "old", "body": "<p>Old markup.</p>", "topic_ids": [], "tag_ids": []}
    Article.objects.filter(pk=full_article.pk).update(rendered=stale)
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
    assert "First disclaimer." not in text

    make_clinic(name="Second Clinic Name", default_disclaimer="Second disclaimer.")
    response = client.get(url(full_article), HTTP_HOST="two.example")
    page = html(response)
    assert "Second disclaimer." in page
    page_data = ld_of_type(response, "MedicalWebPage")
    assert page_data["publisher"]["name"] == "Second Clinic Name"
    assert page_data["url"] == f"http://two.example{url(full_article)}"
    assert page_data["reviewedBy"]["url"].startswith("http://two.example/")


def test_staff_preview_and_anonymous_view_share_parts_not_visibility(admin_client, client):
    draft = make_article(status=Article.Status.DRAFT, sections=2)
    assert "Body 2." in view(admin_client, draft)
    assert stored(draft) != {}
    assert client.get(url(draft)).status_code == 404


# --- Every edit that shows empties the parts -------------------------------------------


def save(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()


def add_citation(article):
    reference = make_reference(title="A brand new study")
    Citation.objects.create(article=article, position=3, reference=reference)


EDITS = {
    "section heading": lambda a: save(a.sections.get(position=1), heading="A brand new heading"),
    "section body": lambda a: save(a.sections.first(), body="<p>A brand new paragraph.</p>"),
    "section added": lambda a: Section.objects.create(
        article=a, position=9, heading="A brand new part", body="<p>Text.</p>"
    ),
    "quote text": lambda a: save(a.quotes.first(), text="A brand new quote."),
    "quote added": lambda a: Quote.objects.create(
        article=a, position=5, expert=make_expert(name="A brand new voice"), text="Hello."
    ),
    "citation added": add_citation,
    "FAQ answer": lambda a: save(a.faqs.first(), answer="<p>A brand new answer.</p>"),
    "FAQ added": lambda a: FAQ.objects.create(
        article=a, position=7, question="A brand new question?", answer="<p>Yes.</p>"
    ),
    "reviewer name": lambda a: save(a.reviewed_by, name="A brand new name"),
    "reviewer credentials": lambda a: save(a.reviewed_by, credentials="A brand new degree"),
    "quoted expert name": lambda a: save(a.quotes.first().expert, name="A brand new name"),
    "author role": lambda a: save(a.author, role="A brand new role"),
    "reviewer replaced": lambda a: save(a, reviewed_by=make_expert(name="A brand new doctor")),
    "reference title": lambda a: save(a.citations.first().reference, title="A brand new study"),
    "topic renamed": lambda a: save(a.topics.first(), name="A brand new topic"),
    "topic added": lambda a: a.topics.add(make_topic(name="A brand new topic")),
    "article added to topic": lambda a: make_topic(name="A brand new topic").articles.add(a),
    "tag added": lambda a: a.tags.add("A brand new tag"),
    "tag renamed": lambda a: save(Tag.objects.get(name="sleep"), name="A brand new tag"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_edit_empties_the_parts_and_shows_on_the_next_view(client, full_article, edit):
    assert "A brand new" not in view(client, full_article)
    assert stored(full_article) != {}
    updated = Article.objects.get(pk=full_article.pk).updated

    EDITS[edit](Article.objects.get(pk=full_article.pk))

    article = Article.objects.get(pk=full_article.pk)
    assert article.rendered == {}
    assert article.updated > updated
    assert "A brand new" in view(client, full_article)
    assert stored(full_article) != {}


def test_reviewer_and_author_edits_show_in_the_header_and_structured_data(client, full_article):
    view(client, full_article)
    reviewer, author = full_article.reviewed_by, full_article.author
    save(reviewer, name="Ana Ruiz", honorific="Dr", credentials="MD, MPH")
    save(author, name="Roxana Ehsani", honorific="", credentials="MS, RDN")

    response = client.get(url(full_article))
    page = html(response)
    assert (
        f'Medically reviewed by <a href="{reviewer.get_absolute_url()}">Dr Ana Ruiz, MD, MPH</a>'
        in page
    )
    assert f'Written by <a href="{author.get_absolute_url()}">Roxana Ehsani, MS, RDN</a>' in page
    data = ld_of_type(response, "MedicalWebPage")
    assert data["reviewedBy"]["name"] == "Ana Ruiz"
    assert data["reviewedBy"]["url"] == f"http://testserver{reviewer.get_absolute_url()}"
    assert data["author"]["honorificSuffix"] == "MS, RDN"


def citation_removed(article):
    citation = article.citations.get(position=2)
    Section.objects.filter(article=article).update(body="<p>No marker.</p>")
    citation.delete()
    return citation.reference.title


def topic_deleted(article):
    topic = article.topics.get()
    topic.delete()
    return topic.name


def tag_deleted(article):
    Tag.objects.get(name="sleep").delete()
    return ">sleep<"


def topics_cleared_from_the_topic(article):
    topic = article.topics.get()
    topic.articles.clear()
    return topic.name


def section_deleted(article):
    section = article.sections.get(position=4)
    section.delete()
    return section.heading


def faq_deleted(article):
    faq = article.faqs.get()
    faq.delete()
    return faq.question


def quote_deleted(article):
    quote = article.quotes.get()
    quote.delete()
    return quote.text


def author_deleted(article):
    name = article.author.name
    article.author.delete()
    return name


def tag_removed(article):
    article.tags.remove("sleep")
    return ">sleep<"


REMOVALS = {
    "citation removed": citation_removed,
    "section deleted": section_deleted,
    "quote deleted": quote_deleted,
    "FAQ deleted": faq_deleted,
    "topic deleted": topic_deleted,
    "topic's articles cleared": topics_cleared_from_the_topic,
    "tag removed": tag_removed,
    "tag deleted": tag_deleted,
    "author deleted": author_deleted,
}


@pytest.mark.parametrize("removal", REMOVALS)
def test_removal_empties_the_parts_and_is_gone_on_the_next_view(client, full_article, removal):
    view(client, full_article)
    assert stored(full_article) != {}

    gone = REMOVALS[removal](Article.objects.get(pk=full_article.pk))

    assert stored(full_article) == {}
    page = view(client, full_article)
    assert gone not in page


def test_removed_tag_and_topic_leave_the_page_and_related_articles(client, full_article):
    other = make_article(title="Other article", topics=[full_article.topics.get()])
    assert other.title in view(client, full_article)
    full_article.topics.clear()
    page = view(client, full_article)
    assert other.title not in page
    assert 'class="article-topics"' not in page


def test_expert_link_edit_does_not_touch_the_article(full_article, client):
    view(client, full_article)
    full_article.reviewed_by.links.create(position=1, label="Clinic page", url="https://e.org/")
    assert stored(full_article) != {}


def test_clinic_edit_shows_without_emptying_the_parts(client, full_article):
    view(client, full_article)
    make_clinic(default_disclaimer="A brand new disclaimer.")
    assert stored(full_article) != {}
    assert "A brand new disclaimer." in view(client, full_article)


def test_reverting_to_an_old_version_shows_the_old_parts(
    client, full_article, django_capture_on_commit_callbacks
):
    with reversion.create_revision():
        reversion.add_to_revision(full_article)
    save(full_article.sections.get(position=1), body="<p>A brand new paragraph.</p>")
    assert "A brand new paragraph." in view(client, full_article)

    with django_capture_on_commit_callbacks(execute=True):
        Version.objects.get_for_object(full_article).first().revision.revert()

    page = view(client, full_article)
    assert "A brand new paragraph." not in page
    assert "Body 1 " in page


# --- A render racing an edit -------------------------------------------------------------


@pytest.mark.parametrize("edit", ["section body", "reviewer name", "tag added"])
def test_parts_rendered_before_an_edit_are_not_stored(client, full_article, edit):
    article = Article.objects.published().get(pk=full_article.pk)  # read as the view does
    render = rendering.article_parts

    def render_then_edit(article):
        parts = render(article)  # the old rows
        EDITS[edit](Article.objects.get(pk=article.pk))  # an edit lands before the store
        return parts

    with mock.patch.object(rendering, "article_parts", render_then_edit):
        parts = rendering.page_parts(article)
    assert "A brand new" not in str(parts)  # this response showed the old rows...
    assert stored(full_article) == {}  # ...but kept none of them
    assert "A brand new" in view(client, full_article)


def test_parts_rendered_from_an_unchanged_article_are_stored(full_article):
    article = Article.objects.published().get(pk=full_article.pk)
    rendering.page_parts(article)
    assert stored(full_article)["version"] == rendering.version()


# --- Query counts --------------------------------------------------------------------------


def article_with(n):
    """Create a published article with n of every part, topic and tag, and n related ones.

    Bulk-created (no signals): the article's parts are rendered on its first view.
    """
    topics = [make_topic() for _ in range(n)]
    article = make_article(
        sections=0, topics=topics, tags=[f"tag-{n}-{i}" for i in range(n)], author=make_expert()
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
    for i in range(n):
        make_article(title=f"Related {n}-{i}", topics=[topics[0]], sections=0)
    return Article.objects.get(pk=article.pk)


def test_article_page_queries_do_not_grow_with_its_size(client):
    make_clinic()
    small, large = article_with(1), article_with(50)
    view(client, make_article())  # the clinic settings and content types, now cached
    assert [count_queries(client, small), count_queries(client, large)] == [
        RENDERING_QUERIES,
        RENDERING_QUERIES,
    ]
    assert [count_queries(client, small), count_queries(client, large)] == [
        STORED_QUERIES,
        STORED_QUERIES,
    ]
    page = view(client, large)
    assert page.count('class="cite"') == 50
    assert page.count("<figure") == 50
    assert page.count("<details") == 50
    assert page.count('<li id="ref-') == 50
    assert page.count('href="/tags/') == 50
    assert page.count("Related 50-") == 4


def test_article_page_stays_within_five_queries_with_a_cold_clinic_cache(client, full_article):
    view(client, full_article)
    ClinicSettings.objects.filter(pk=1).update(name="Not yet seen")  # no signal: cache kept
    caches["default"].clear()
    with CaptureQueriesContext(connection) as queries:
        page = view(client, full_article)
    assert len(queries) <= 5
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


def test_topics_deleted_in_bulk_leave_the_page(client, full_article):
    topic = full_article.topics.get()
    view(client, full_article)
    Topic.objects.filter(pk=topic.pk).delete()
    assert topic.name not in view(client, full_article)
