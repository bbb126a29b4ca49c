"""Issue 17: handout PDFs cannot tie up the web server (articles/pdf_limits.py)."""

import time

import pytest
from django.urls import reverse

from articles import handouts, pdf_limits
from tests.conftest import make_article, make_staff

pytestmark = pytest.mark.django_db


def pdf_url(article, query=""):
    return reverse("articles:handout_pdf", kwargs={"slug": article.slug}) + query


def handout_url(article, query=""):
    return reverse("articles:handout", kwargs={"slug": article.slug}) + query


@pytest.fixture
def renders(monkeypatch, settings):
    """Count the PDFs WeasyPrint renders (in this process, so the count is visible)."""
    settings.PDF_RENDER_TIMEOUT = 0
    calls = []
    original = handouts.write_pdf

    def counting(html, paper, base_url, labels_css=""):
        calls.append(paper)
        return original(html, paper, base_url, labels_css)

    monkeypatch.setattr(handouts, "write_pdf", counting)
    return calls


# (a) Unknown parameters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("?v=123", ""),
        ("?paper=letter&v=9", "?paper=letter"),
        ("?size=large&size=large&utm_source=x", "?size=large"),
        ("?size=huge&paper=a4", "?paper=a4"),
        ("?paper=a4&", "?paper=a4"),
        ("?release=x1&nonce=1", "?release=x1"),
    ],
)
def test_unknown_parameters_are_redirected_away_before_any_work(
    client, django_assert_num_queries, without_page_cache, query, canonical
):
    article = make_article()
    for url in (pdf_url(article), handout_url(article)):
        with django_assert_num_queries(0):
            response = client.get(url + query)
        assert response.status_code == 302
        assert response["Location"] == url + canonical


def test_the_handouts_own_links_are_not_redirected(client, without_page_cache):
    article = make_article()
    page = client.get(handout_url(article, "?size=large")).content.decode()
    for query in ("?size=large&paper=a4", "?size=large&paper=letter"):
        assert f'href="{pdf_url(article, query)}"'.replace("&", "&amp;") in page
        assert client.get(pdf_url(article, query)).status_code == 200, query


def test_a_random_query_string_is_served_from_the_page_cache_after_one_render(client, renders):
    article = make_article()
    for n in range(5):
        response = client.get(pdf_url(article, f"?v={n}"), follow=True)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
    assert renders == ["a4"]


# (b) Rendered once ---------------------------------------------------------------------------


def test_staff_reprinting_the_same_handout_renders_it_once(client, renders):
    article = make_article()
    client.force_login(make_staff("Front desk"))

    first = client.get(pdf_url(article, "?paper=letter"))
    second = client.get(pdf_url(article, "?paper=letter"))
    client.get(pdf_url(article, "?paper=a4"))

    assert first.content == second.content
    assert first.content.startswith(b"%PDF-")
    assert renders == ["letter", "a4"]


def test_a_new_release_is_rendered_anew(client, renders, without_page_cache):
    from tests.conftest import publish

    article = make_article()
    client.get(pdf_url(article))
    article.title = "A new title"
    article.save()
    publish(article, note="Retitled.")
    client.get(pdf_url(article))

    assert renders == ["a4", "a4"]


def test_packets_are_never_cached_because_they_carry_a_patient_note(admin_client, renders):
    article = make_article()
    data = {"articles": [article.pk], "note": "For Ann", "paper": "a4"}
    for _ in range(2):
        response = admin_client.post(reverse("articles:packet"), data)
        assert response["Content-Type"] == "application/pdf"
    assert renders == ["a4", "a4"]


# (c) Size and time limits --------------------------------------------------------------------


def test_a_handout_too_long_for_one_pdf_gets_a_page_offering_the_print_view(
    client, settings, without_page_cache
):
    settings.PDF_MAX_WORDS = 50
    article = make_article(sections=3)

    response = client.get(pdf_url(article, "?size=large"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "This handout is too long for one PDF" in page
    assert f'href="{handout_url(article, "?size=large")}"' in page


def test_a_packet_too_long_for_one_pdf_goes_back_to_the_article_list(admin_client, settings):
    settings.PDF_MAX_WORDS = 50
    articles = [make_article(sections=3), make_article(sections=3)]
    data = {"articles": [a.pk for a in articles], "note": "", "paper": "a4"}

    response = admin_client.post(reverse("articles:packet"), data)

    assert "This handout is too long for one PDF" in response.content.decode()
    assert reverse("admin:articles_article_changelist") in response.content.decode()


def slow_pdf(html, paper, base_url, labels_css=""):
    time.sleep(30)
    return b"%PDF- never"


def test_a_render_that_outlives_its_time_limit_is_stopped_with_a_clear_page(
    client, settings, monkeypatch, without_page_cache
):
    settings.PDF_RENDER_TIMEOUT = 1
    article = make_article()
    monkeypatch.setattr(handouts, "write_pdf", slow_pdf)

    started = time.monotonic()
    response = client.get(pdf_url(article))

    assert time.monotonic() - started < 10
    assert response.status_code == 503
    assert "took too long" in response.content.decode()
    monkeypatch.undo()
    settings.PDF_RENDER_TIMEOUT = 20
    response = client.get(pdf_url(article))  # the slot was freed, the child is gone
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


# (d) Renders at once -------------------------------------------------------------------------


def test_beyond_the_renders_at_once_the_answer_is_503_with_retry_after(
    client, settings, without_page_cache
):
    settings.PDF_RENDERS_AT_ONCE = 1
    article = make_article()

    with pdf_limits.render_slot():  # another worker is rendering
        busy = client.get(pdf_url(article))
        health = client.get("/healthz")
        page = client.get(article.get_absolute_url())

    assert busy.status_code == 503
    assert busy["Retry-After"] == "10"
    assert "Many handouts are being printed" in busy.content.decode()
    assert (health.status_code, page.status_code) == (200, 200)
    assert client.get(pdf_url(article)).status_code == 200


def test_two_slots_allow_two_renders_at_once(settings):
    settings.PDF_RENDERS_AT_ONCE = 2
    with (
        pdf_limits.render_slot(),
        pdf_limits.render_slot(),
        pytest.raises(pdf_limits.Busy),
        pdf_limits.render_slot(),
    ):
        pass
    with pdf_limits.render_slot():
        pass


def test_words_counts_text_not_markup():
    assert pdf_limits.words('<p class="x">Two words</p><svg><path d="M 1 2"/></svg>') == 2
