"""The public pages in Chromium: accessibility, citation links, print and keyboard use."""

import subprocess

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Quote, Section
from experts.models import ExpertLink
from tests.conftest import make_article, make_clinic, make_expert, make_topic, publish

pytestmark = pytest.mark.browser

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BODY = (
    "<p>Restless legs syndrome makes your legs feel uncomfortable in the evening [1]. "
    "Moving eases it for a while [2].</p>"
    "<h3>What helps</h3><ul><li>Gentle stretching</li><li>A regular bedtime</li></ul>"
    '<p>Read more at <a href="https://www.nhs.uk/conditions/restless-legs-syndrome/">the NHS</a>.</p>'
)


@pytest.fixture
def site(live_server, transactional_db):
    """Publish a small site: two articles on a topic, an expert with links; return its URLs."""
    # An earlier transactional test's flush may have removed the content types this
    # process has cached; taggit needs Article's, so look it up afresh.
    ContentType.objects.clear_cache()
    make_clinic(name="Riverside Clinic", phone="555-0100", address="1 River Road")
    topic = make_topic(name="Restless legs syndrome")
    expert = make_expert(
        name="Roxana Ehsani",
        honorific="",
        credentials="MS, RDN, CSSD",
        role="Registered Dietitian Nutritionist",
        bio="<p>A dietitian who helps people eat for better sleep.</p>",
    )
    ExpertLink.objects.create(expert=expert, label="Profile", url="https://example.org/roxana")
    article = make_article(
        title="Magnesium for restless legs syndrome",
        sections=5,
        citations=3,
        faqs=3,
        topics=[topic],
        tags=["magnesium"],
        reviewed_by=expert,
    )
    Section.objects.filter(article=article).update(body=BODY)
    Quote.objects.create(
        article=article,
        position=1,
        expert=expert,
        text="Magnesium is a helpful mineral.",
        section=article.sections.get(position=2),
    )
    publish(article, note="Sections written.")
    make_article(title="Iron and restless legs", topics=[topic], tags=["magnesium"], faqs=1)
    pages = {
        "home": reverse("portal:home"),
        "article": article.get_absolute_url(),
        "a-z": reverse("articles:index"),
        "topics": reverse("articles:topics"),
        "topic": topic.get_absolute_url(),
        "tag": reverse("articles:tag", kwargs={"slug": "magnesium"}),
        "faqs": reverse("articles:faqs"),
        "experts": reverse("experts:list"),
        "expert": expert.get_absolute_url(),
        "not found": "/no-such-page/",
    }
    return {name: live_server.url + path for name, path in pages.items()}


def test_every_page_type_has_no_wcag_violations_or_console_errors(page, site):
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
        # Chromium logs the 404 page's own status; any other error (a CSP refusal, a
        # missing stylesheet) is a fault.
        expected = "status of 404" if name == "not found" else None
        if unexpected := [m for m in messages if not (expected and expected in m)]:
            errors[name] = unexpected
    assert not reports, "\n\n".join(f"== {name}\n{report}" for name, report in reports.items())
    assert errors == {}


def test_pages_fit_a_320_pixel_wide_screen(page, site):
    page.set_viewport_size({"width": 320, "height": 800})
    for name in ("home", "article", "expert"):
        page.goto(site[name])
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, name


def test_reference_link_lands_on_its_reference(page, site):
    page.goto(site["article"])
    page.locator("a.cite").first.click()
    assert page.url.endswith("#ref-1")
    expect(page.locator("#ref-1")).to_be_in_viewport()
    expect(page.locator("#ref-1")).to_contain_text("A study of things")


def test_print_hides_the_chrome_and_keeps_the_content(page, site, tmp_path):
    page.goto(site["article"])
    page.emulate_media(media="print")
    for chrome in (".site-header", "#site-search", ".site-nav", ".site-footer", ".skip-link"):
        expect(page.locator(chrome)).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".article-section").first).to_be_visible()
    expect(page.locator("#ref-1")).to_be_visible()
    # Closed FAQs print open.
    expect(page.locator(".faq-answer").first).to_be_visible()
    after = page.evaluate(
        "getComputedStyle(document.querySelector('main a[href^=\"https://www.nhs\"]'),"
        " '::after').content"
    )
    assert "https://www.nhs.uk/conditions/restless-legs-syndrome/" in after

    pdf = tmp_path / "article.pdf"
    page.pdf(path=pdf)
    printed = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, check=True, text=True)
    text = " ".join(printed.stdout.split())
    assert "Magnesium for restless legs syndrome" in text
    assert "Answer 3." in text
    assert "(https://www.nhs.uk/conditions/restless-legs-syndrome/)" in text
    assert "Search health articles" not in text
    assert "Updates feed" not in text


def test_keyboard_user_skips_to_main_content_and_reaches_search(page, site):
    page.goto(site["article"])
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    page.goto(site["article"])
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search":
            break
    expect(page.locator("#site-search")).to_be_focused()
