"""The Spanish pages in Chromium: no accessibility violations, and the language links work."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from articles.models import Article
from tests.conftest import publish

pytestmark = pytest.mark.browser

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
EN_SLUG = "magnesium-for-restless-leg-syndrome"
ES_SLUG = "magnesio-para-el-sindrome-de-piernas-inquietas"


@pytest.fixture
def site(live_server, transactional_db):
    """Load the demo (with its Spanish translation), make the translation stale; return URLs."""
    ContentType.objects.clear_cache()
    call_command("load_demo", stdout=io.StringIO())
    english = Article.objects.get(slug=EN_SLUG)
    publish(english, note="A newer English version, so the Spanish one shows its notice.")
    pages = {
        "home": "/es/",
        "article": f"/es/articles/{ES_SLUG}/",
        "handout": f"/es/articles/{ES_SLUG}/handout/",
        "a-z": "/es/articles/",
        "topics": "/es/topics/",
        "topic": "/es/topics/restless-legs-syndrome/",
        "tag": "/es/tags/magnesio/",
        "faqs": "/es/faqs/",
        "experts": "/es/experts/",
        "expert": "/es/experts/deborah-lee/",
        "search": "/es/search/?q=magnesio",
        "not found": "/es/no-existe/",
        "english article": f"/articles/{EN_SLUG}/",
    }
    return {name: live_server.url + path for name, path in pages.items()}


def test_spanish_pages_have_no_wcag_violations_or_console_errors(page, site):
    axe = Axe()
    messages = []
    page.on("console", lambda message: message.type == "error" and messages.append(message.text))
    reports, errors = {}, {}
    for name, url in site.items():
        messages.clear()
        page.goto(url)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
        if results.violations_count:
            reports[name] = results.generate_report()
        expected = "status of 404" if name == "not found" else None
        if unexpected := [m for m in messages if not (expected and expected in m)]:
            errors[name] = unexpected
    assert not reports, "\n\n".join(f"== {name}\n{report}" for name, report in reports.items())
    assert errors == {}


def test_language_links_take_a_reader_between_the_two_articles(page, site):
    page.goto(site["english article"])
    page.get_by_role("link", name="Disponible en español").click()
    assert page.url == site["article"]
    assert page.locator("html").get_attribute("lang") == "es"
    assert "La versión en inglés de este artículo se actualizó" in page.content()
    page.get_by_role("link", name="English").click()
    assert page.url == site["english article"]


def test_spanish_article_fits_a_320_pixel_wide_screen(page, site):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(site["article"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
