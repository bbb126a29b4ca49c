"""The article change form costs the same number of queries whatever its number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Quote
from tests.admin_forms import form_data
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def article_with(rows):
    """Return an article with `rows` sections, FAQs, citations and quotes (each after a section)."""
    article = make_article(sections=rows, faqs=rows, citations=rows, quotes=rows)
    sections = list(article.sections.all())
    for quote, section in zip(article.quotes.all(), sections, strict=True):
        Quote.objects.filter(pk=quote.pk).update(section=section)
    return article


def counted(captured):
    """Count the queries, one bulk insert of history versions as one (SQLite splits a long
    one into batches of its variable limit)."""
    queries = [query["sql"] for query in captured]
    batches = [sql for sql in queries if sql.startswith('INSERT INTO "reversion_version"')]
    return len(queries) - max(0, len(batches) - 1)


def queries_to_open_and_save(client, article):
    """Return the queries of opening the change form, and of saving it unchanged."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    with CaptureQueriesContext(connection) as opened:
        response = client.get(url)
    data = form_data(response)
    with CaptureQueriesContext(connection) as saved:
        assert client.post(url, data).status_code == 302
    return counted(opened), counted(saved)


def test_change_form_queries_do_not_grow_with_its_rows(admin_client):
    queries_to_open_and_save(admin_client, article_with(1))  # warm the content-type cache

    one = queries_to_open_and_save(admin_client, article_with(1))
    fifty = queries_to_open_and_save(admin_client, article_with(50))

    assert fifty == one
