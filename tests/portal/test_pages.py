"""Site-wide pages: the base layout, home, robots.txt, sitemap, feed and error pages."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.conftest import make_article, make_clinic, make_expert, make_topic
from tests.pages import h1_count, html, ld_of_type, queries_for_1_and_50

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

HIDDEN_KINDS = {
    "draft": {"status": Article.Status.DRAFT},
    "in_review": {"status": Article.Status.IN_REVIEW},
    "archived": {"status": Article.Status.ARCHIVED},
    "scheduled": {
        "status": Article.Status.PUBLISHED,
        "publish_at": timezone.now() + datetime.timedelta(days=3),
    },
}
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def public_pages(db):
    """Return one URL of every public HTML page type, with content behind each."""
    topic = make_topic(name="Sleep")
    expert = make_expert()
    article = make_article(
        sections=4, quotes=1, citations=1, faqs=1, topics=[topic], tags=["rest"], reviewed_by=expert
    )
    return [
        reverse("portal:home"),
        article.get_absolute_url(),
        reverse("articles:index"),
        reverse("articles:topics"),
        topic.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "rest"}),
        reverse("articles:faqs"),
        reverse("experts:list"),
        expert.get_absolute_url(),
    ]


# --- The layout every page shares --------------------------------------------------


def test_every_page_has_one_h1_landmarks_skip_link_and_search(client, public_pages, clinic):
    for path in public_pages:
        response = client.get(path)
        page = html(response)
        assert response.status_code == 200, path
        assert h1_count(response) == 1, path
        assert page.index('<a class="skip-link" href="#main">') < page.index("<header"), path
        assert '<main id="main" tabindex="-1">' in page, path
        assert '<nav class="site-nav" aria-label="Main">' in page, path
        assert '<label for="site-search">Search health articles</label>' in page, path
        assert '<footer class="site-footer">' in page, path
        assert "<title>" in page, path
        assert '<meta name="description"' in page, path
        assert '<link rel="canonical" href="http://testserver' in page, path
        assert '<meta property="og:title"' in page, path


def test_pages_carry_no_script_and_no_inline_styles(client, public_pages):
    for path in public_pages:
        page = html(client.get(path))
        scripts = re.findall(r"<script[^>]*>", page)
        assert set(scripts) <= {'<script type="application/ld+json">'}, path
        assert "style=" not in page, path
        assert "<style" not in page, path


def test_navigation_links_to_topics_a_to_z_experts_and_faqs(client, db):
    page = html(client.get("/"))
    for name, label in [
        ("articles:topics", "Topics"),
        ("articles:index", "A–Z"),
        ("experts:list", "Experts"),
        ("articles:faqs", "FAQs"),
    ]:
        assert f'<a href="{reverse(name)}">{label}</a>' in page


def test_current_section_is_marked_in_the_navigation(client, db):
    page = html(client.get(reverse("articles:topics")))
    assert '<a href="/topics/" aria-current="page">Topics</a>' in page


def test_footer_shows_clinic_contact_and_disclaimer(client, db):
    make_clinic(
        name="Riverside Clinic",
        phone="+1 555 0100",
        address="1 River Road\nSpringfield",
        default_disclaimer="Not medical advice.",
    )
    page = html(client.get("/"))
    footer = page[page.index('<footer class="site-footer">') :]
    assert "Riverside Clinic" in footer
    assert '<a href="tel:+15550100">+1 555 0100</a>' in footer
    assert "1 River Road<br>Springfield" in footer
    # The clinic's default disclaimer speaks of "this article": it goes under articles,
    # and the footer speaks of the whole site.
    assert "Not medical advice." not in footer
    assert "The information on this site is for general education only" in footer
    assert "this article" not in footer.lower()


# --- Home -----------------------------------------------------------------------------


def test_home_shows_featured_and_latest_articles_and_topics(client):
    topic = make_topic(name="Restless legs")
    featured = make_article(title="Featured piece", featured=True, topics=[topic])
    latest = make_article(title="Latest piece")
    make_article(title="Draft piece", featured=True, status=Article.Status.DRAFT, topics=[topic])
    response = client.get("/")
    page = html(response)
    assert response.status_code == 200
    assert h1_count(response) == 1
    featured_part = page[page.index("Featured") : page.index("Latest articles")]
    assert featured.title in featured_part
    assert latest.title in page[page.index("Latest articles") :]
    assert f'<a href="{topic.get_absolute_url()}">Restless legs</a> <span class="count">(1)' in page
    assert "Draft piece" not in page
    assert ld_of_type(response, "WebSite")["potentialAction"]["@type"] == "SearchAction"


def test_home_shows_each_article_once(client):
    for n in range(3):
        make_article(title=f"Featured {n}", featured=True)
    for n in range(3):
        make_article(title=f"Plain {n}")
    page = html(client.get("/"))
    for title in [*(f"Featured {n}" for n in range(3)), *(f"Plain {n}" for n in range(3))]:
        assert page.count(f">{title}</a>") == 1


def test_home_query_count_is_constant(client):
    # In the 1-article world the one article is featured, so the latest list is empty
    # and has no topics to fetch.
    assert queries_for_1_and_50(client, "/") == [4, 5]


# --- robots.txt, sitemap, feed ------------------------------------------------------


def test_robots_txt_points_to_the_sitemap_and_keeps_out_of_admin(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_sitemap_lists_published_articles_with_lastmod(client):
    topic = make_topic(name="Sleep")
    published = make_article(topics=[topic])
    hidden = [make_article(topics=[topic], **fields) for fields in HIDDEN_KINDS.values()]
    expert = make_expert()
    response = client.get(reverse("portal:sitemap"))
    assert response.status_code == 200
    urls = {
        node.find(f"{SITEMAP}loc").text: node.find(f"{SITEMAP}lastmod")
        for node in ET.fromstring(response.content)  # noqa: S314 - our own page.iter(f"{SITEMAP}url")
    }
    article_url = f"http://testserver{published.get_absolute_url()}"
    go_live = published.releases.get().go_live_at
    assert urls[article_url].text == timezone.localdate(go_live).isoformat()
    assert f"http://testserver{topic.get_absolute_url()}" in urls
    assert f"http://testserver{expert.get_absolute_url()}" in urls
    assert "http://testserver/" in urls
    for article in hidden:
        assert f"http://testserver{article.get_absolute_url()}" not in urls


def test_feed_is_atom_with_published_articles_only(client):
    make_clinic(name="Riverside Clinic")
    published = make_article(title="Published piece", summary="What it says.")
    for kind, fields in HIDDEN_KINDS.items():
        make_article(title=f"Hidden {kind}", **fields)
    response = client.get(reverse("portal:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own page
    assert feed.find(f"{ATOM}title").text == "Riverside Clinic: health articles"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Published piece"]
    entry = entries[0]
    assert entry.find(f"{ATOM}summary").text == "What it says."
    assert entry.find(f"{ATOM}link").get("href").endswith(published.get_absolute_url())
    assert entry.find(f"{ATOM}updated") is not None


@pytest.mark.parametrize(("path", "expected"), [("/sitemap.xml", [4, 4]), ("/feed.xml", [1, 1])])
def test_sitemap_and_feed_query_counts_are_constant(client, path, expected):
    assert queries_for_1_and_50(client, path) == expected


# --- Error pages ----------------------------------------------------------------------


def test_404_page_is_in_the_site_style(client, clinic):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = html(response)
    assert h1_count(response) == 1
    assert "<h1>Page not found</h1>" in page
    assert clinic.name in page
    assert '<a class="skip-link" href="#main">' in page
    assert 'rel="canonical"' not in page


def test_500_page_renders_without_database_or_context(db, settings, django_assert_num_queries):
    settings.ROOT_URLCONF = "tests.portal.error_urls"
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/boom/")
    assert response.status_code == 500
    page = html(response)
    assert "<h1>Sorry, something went wrong</h1>" in page
    assert '<main id="main" tabindex="-1">' in page
    assert "/static/portal/site.css" in page


def test_favicon_ico_redirects_to_the_site_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("portal/favicon.svg")
