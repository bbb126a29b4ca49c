"""The article admin in Chromium: the rich-text editor works under the strict CSP."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Reference, Section
from tests.conftest import make_article, make_staff

pytestmark = pytest.mark.browser

CSP_LISTENER = (
    "document.addEventListener('securitypolicyviolation', e => "
    "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.sourceFile))"
)


def record(problems, message):
    """Keep console errors, except the browser's own request for a favicon the admin lacks."""
    if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
        problems.append(f"{message.text} {message.location['url']}")


@pytest.fixture
def staff_page(live_server, transactional_db, page):
    """Return (page, problems): a page logged in as a medical reviewer, and its console errors."""
    if not Group.objects.filter(name="Medical reviewers").exists():
        # transactional_db empties the tables after each test, groups included.
        importlib.import_module("portal.migrations.0002_editorial_groups").create_groups(apps, None)
    client = Client()
    client.force_login(make_staff("Medical reviewers"))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    problems = []
    page.add_init_script(CSP_LISTENER)
    page.on("console", lambda message: record(problems, message))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.context.on("page", lambda popup: popup.add_init_script(CSP_LISTENER))
    return page, problems


def test_article_editor_loads_and_saves_without_csp_errors(live_server, staff_page):
    page, problems = staff_page
    article = make_article(sections=2, faqs=1)
    url = live_server.url + reverse("admin:articles_article_change", args=[article.pk])

    page.goto(url)
    editors = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    expect(editors).to_have_count(4)  # when to get help, two sections, one FAQ
    section = page.locator("#sections-group .prose-editor").first
    section.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.press("End")
    page.keyboard.type(" Added in the browser.")
    section.get_by_role("button", name="bold").first.click()
    page.keyboard.type(" Bold words")
    page.locator("input[name=_continue]").click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    body = Section.objects.get(article=article, position=1).body
    assert "Added in the browser." in body
    assert "Bold words</strong>" in body
    assert problems == []


def test_new_section_row_gets_an_editor(live_server, staff_page):
    page, problems = staff_page
    page.goto(live_server.url + reverse("admin:articles_article_add"))
    page.get_by_role("button", name="Add another Section").click()
    expect(
        page.locator("#sections-group .prose-editor .ProseMirror[contenteditable=true]")
    ).to_have_count(1)
    assert problems == []


def test_add_another_reference_from_a_citation_row(live_server, staff_page):
    page, problems = staff_page
    article = make_article(sections=0)
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    page.get_by_role("button", name="Add another Citation").click()

    with page.expect_popup() as popup_info:
        page.locator("#add_id_citations-0-reference").click()
    popup = popup_info.value
    popup.locator("#id_title").fill("A new trial of magnesium")
    popup.locator("#id_authors").fill("Doe J")
    popup.locator("input[name=_save]").click()
    popup.wait_for_event("close")

    reference = Reference.objects.get(title="A new trial of magnesium")
    expect(page.locator("#id_citations-0-reference")).to_have_value(str(reference.pk))
    assert problems == []


def test_a_javascript_link_typed_in_the_link_dialog_is_refused_by_name(live_server, staff_page):
    """The editor must not turn the link into an empty one: the form refuses it, by name."""
    page, problems = staff_page
    article = make_article(sections=1)
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    section = page.locator("#sections-group .prose-editor").first
    section.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")
    section.get_by_role("button", name="insert link").first.click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("URL").fill("javascript:alert(1)")
    dialog.locator("button[type=submit], input[type=submit]").first.click()
    page.locator("input[name=_continue]").click()

    expect(page.locator(".errorlist").first).to_contain_text(
        "The link “javascript:alert(1)” is not allowed"
    )
    assert Section.objects.get(article=article).body == "<p>Body 1.</p>"
    assert [p for p in problems if "CSP" not in p] == []
