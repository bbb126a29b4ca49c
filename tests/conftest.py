"""Shared fixtures and make_* helpers for test data."""

import datetime
import itertools

import pytest
from django.core.cache import caches
from django.utils import timezone

from articles import releases
from articles.models import FAQ, Article, Citation, Quote, Reference, Section, Topic
from experts.models import Expert
from portal.models import ClinicSettings

_counter = itertools.count(1)


def make_expert(**fields):
    n = next(_counter)
    fields = {
        "name": f"Expert {n}",
        "honorific": "Dr",
        "credentials": "MD",
        "role": "Physician",
        "bio": "<p>A physician who writes for patients.</p>",
    } | fields
    return Expert.objects.create(**fields)


def make_topic(**fields):
    n = next(_counter)
    return Topic.objects.create(
        **({"name": f"Topic {n}", "description": "<p>About it.</p>"} | fields)
    )


def make_reference(**fields):
    n = next(_counter)
    fields = {
        "authors": "Smith J, Jones K",
        "title": f"A study of things number {n}",
        "journal": "J Things",
        "year": 2020,
        "volume": "1",
        "issue": "2",
        "pages": "3-4",
    } | fields
    return Reference.objects.create(**fields)


def make_article(
    *, sections=1, quotes=0, citations=0, faqs=0, topics=(), tags=(), publish_at=None, **fields
):
    """Create an article with the given number of each part; published (release 1) by default.

    status "published" publishes release 1 going live at publish_at (default: a day ago);
    "archived" publishes it, then archives the article; other statuses publish nothing.
    """
    n = next(_counter)
    if "reviewed_by" not in fields:
        fields["reviewed_by"] = make_expert()
    status = fields.pop("status", Article.Status.PUBLISHED)
    fields = {
        "title": f"Article {n}",
        "summary": f"Summary of article {n}.",
        "last_reviewed": datetime.date(2026, 1, 15),
    } | fields
    article = Article.objects.create(
        status=Article.Status.DRAFT if status == Article.Status.PUBLISHED else status, **fields
    )
    for i in range(1, sections + 1):
        Section.objects.create(
            article=article,
            position=i,
            heading=f"Heading {i}",
            body=f"<p>Body {i} [1].</p>" if citations else f"<p>Body {i}.</p>",
        )
    for i in range(1, citations + 1):
        Citation.objects.create(article=article, position=i, reference=make_reference())
    for i in range(1, quotes + 1):
        Quote.objects.create(
            article=article,
            position=i,
            expert=fields["reviewed_by"] or make_expert(),
            text=f"Quote {i}.",
        )
    for i in range(1, faqs + 1):
        FAQ.objects.create(
            article=article, position=i, question=f"Question {i}?", answer=f"<p>Answer {i}.</p>"
        )
    if topics:
        article.topics.set(topics)
    if tags:
        article.tags.set(list(tags))
    if status in (Article.Status.PUBLISHED, Article.Status.ARCHIVED):
        publish(article, go_live_at=publish_at or timezone.now() - datetime.timedelta(days=1))
        if status == Article.Status.ARCHIVED:
            Article.objects.filter(pk=article.pk).update(status=status)
    article.refresh_from_db()
    return article


def publish(article, note="", go_live_at=None, user=None, **fields):
    """Publish the article's working copy as its next release, as a reviewer would."""
    return releases.publish(
        article,
        user=user,
        reviewer=fields.get("reviewer", article.reviewed_by),
        reviewed_on=fields.get("reviewed_on", article.last_reviewed or datetime.date(2026, 1, 15)),
        go_live_at=go_live_at,
        note=note or ("Updated." if article.releases.exists() else ""),
    )


def make_clinic(**fields):
    clinic = ClinicSettings.load()
    for name, value in ({"name": "Test Clinic", "phone": "555-0100"} | fields).items():
        setattr(clinic, name, value)
    clinic.save()
    return clinic


@pytest.fixture
def clinic(db):
    return make_clinic()


@pytest.fixture
def article(db):
    return make_article(sections=2, quotes=1, citations=1, faqs=1)


LONG_SECTION_BODY = (
    "<h3>What it feels like</h3>"
    "<p>Many people feel a strong urge to move their legs in the evening. The feeling eases "
    "when they walk or stretch, and comes back when they sit or lie down again [1].</p>"
    "<ul><li>Tingling, crawling, or pulling feelings</li><li>Deep aching discomfort</li>"
    "<li>Symptoms that worsen during rest</li><li>Relief with movement</li></ul>"
    "<h3>What you can do</h3>"
    "<p>Small daily choices add up. Gentle stretching, a regular bedtime and less caffeine "
    "in the afternoon help many people sleep better [2].</p>"
)


def make_long_article(**fields):
    """Create a published article shaped like seed 001: 24 sections, lists, quotes, 5 FAQs."""
    status = fields.pop("status", Article.Status.PUBLISHED)
    fields = {"title": "Magnesium and restless legs", "status": Article.Status.DRAFT} | fields
    article = make_article(sections=0, **fields)
    expert = article.reviewed_by
    for i in range(1, 25):
        body = LONG_SECTION_BODY if i % 2 else "<p>Short section with one paragraph [3].</p>"
        Section.objects.create(article=article, position=i, heading=f"Part {i}", body=body)
    for i in range(1, 4):
        Citation.objects.create(article=article, position=i, reference=make_reference())
    sections = list(article.sections.all())
    Quote.objects.create(article=article, position=1, expert=expert, text="Move gently.")
    Quote.objects.create(
        article=article, position=2, expert=expert, text="Sleep comes first.", section=sections[3]
    )
    for i in range(1, 6):
        FAQ.objects.create(
            article=article,
            position=i,
            question=f"Long question number {i}?",
            answer="<p>Yes, for most people, when taken within the recommended doses.</p>",
        )
    if status == Article.Status.PUBLISHED:
        publish(article)
    else:
        Article.objects.filter(pk=article.pk).update(status=status)
    article.refresh_from_db()
    return article


@pytest.fixture(autouse=True)
def empty_page_cache(settings, tmp_path):
    """Give every test an empty page cache and a generation stamp of its own."""
    settings.PAGE_CACHE_STAMP_FILE = str(tmp_path / "page-cache-stamp")
    caches["default"].clear()
    yield
    caches["default"].clear()


def make_staff(group=None, **fields):
    """Create a staff user, in the named editorial group ("Editors", "Medical reviewers")."""
    from django.contrib.auth.models import Group, User

    n = next(_counter)
    user = User.objects.create_user(
        **({"username": f"staff{n}", "password": "not-used-1234", "is_staff": True} | fields)
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor_client(client, db):
    """A client logged in as a member of the Editors group (cannot publish)."""
    client.force_login(make_staff("Editors"))
    return client


@pytest.fixture
def reviewer_client(client, db):
    """A client logged in as a member of the Medical reviewers group (can publish)."""
    client.force_login(make_staff("Medical reviewers"))
    return client


@pytest.fixture
def without_page_cache(settings):
    """Render every request: for tests of the views themselves, not of the page cache."""
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "portal.cache.PageCacheMiddleware"
    ]
