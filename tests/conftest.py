"""Shared fixtures and make_* helpers for test data."""

import datetime
import itertools

import pytest
from django.utils import timezone

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


def make_article(*, sections=1, quotes=0, citations=0, faqs=0, topics=(), tags=(), **fields):
    """Create an article (published by default) with the given number of each part."""
    n = next(_counter)
    if "reviewed_by" not in fields:
        fields["reviewed_by"] = make_expert()
    fields = {
        "title": f"Article {n}",
        "summary": f"Summary of article {n}.",
        "status": Article.Status.PUBLISHED,
        "publish_at": timezone.now() - datetime.timedelta(days=1),
        "last_reviewed": datetime.date(2026, 1, 15),
    } | fields
    article = Article.objects.create(**fields)
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
    article.refresh_from_db()
    return article


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
