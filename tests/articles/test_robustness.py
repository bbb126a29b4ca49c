"""Issue 17: no text staff can enter (or a shell can store) makes a page answer 500."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Release, Section, Topic
from common.text import clean_text
from experts.models import Expert
from portal.models import ClinicSettings
from tests.admin_forms import article_data, rows
from tests.conftest import make_article, make_clinic, make_expert, make_topic, publish

pytestmark = pytest.mark.django_db

SITE_PAGES = ["/", "/articles/", "/topics/", "/faqs/", "/experts/", "/feed.xml", "/sitemap.xml"]


def article_pages(article):
    slug = article.slug
    return [
        article.get_absolute_url(),
        reverse("articles:handout", kwargs={"slug": slug}),
        reverse("articles:handout", kwargs={"slug": slug}) + "?size=large",
    ]


def assert_pages_answer(client, *paths):
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)


# 1. A 7,600-word unpunctuated section --------------------------------------------------


def test_an_unpunctuated_7600_word_section_saves_through_the_admin_and_every_page_answers(
    admin_client, client, without_page_cache, django_capture_on_commit_callbacks
):
    reviewer = make_expert(name="Dr Reviewer")
    run_on = " ".join(["patients with restless legs often feel an urge to move"] * 760)
    data = article_data(title="Run on", summary="A long one.", reviewed_by=str(reviewer.pk))
    data |= rows(
        "sections", [{"position": "1", "heading": "All of it", "body": f"<p>{run_on}</p>"}]
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302
    article = Article.objects.get(title="Run on")
    assert 0 <= article.reading_grade <= 99.9
    response = admin_client.post(
        reverse("admin:articles_article_publish", args=[article.pk]),
        {
            "reviewed_by": reviewer.pk,
            "reviewed_on": "2026-01-15",
            "note": "",
            "publish_above_target": "on",  # a run-on text is far above the reading target
            "above_target_reason": "A test of a run-on paragraph.",
        },
    )
    assert response.status_code == 302
    assert 0 <= Release.objects.get(article=article).reading_grade <= 99.9
    assert_pages_answer(client, *SITE_PAGES, *article_pages(article), "/search/?q=restless")


def test_superscript_digits_in_a_section_give_a_reading_grade():
    """ "m³" and "10²": str.isdigit() is true for them, int() refuses them (found by fuzzing)."""
    article = make_article(sections=0, status="draft")
    Section.objects.create(
        article=article, position=1, body="<p>Drink 2 m³ of water, 10² times.</p>"
    )
    from articles.releases import refresh_working_copy

    refresh_working_copy([article.pk])

    assert 0 <= Article.objects.get(pk=article.pk).reading_grade <= 99.9


# 2. Slugs that are not ASCII ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [("Ménière", "meniere"), ("💊", "tag-1")])
def test_an_accented_or_emoji_tag_gets_an_ascii_slug_and_pages_answer(
    client, without_page_cache, name, expected
):
    article = make_article(tags=[name])

    tag = Tag.objects.get(name=name)
    assert tag.slug == expected
    assert_pages_answer(client, *SITE_PAGES, *article_pages(article))
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'href="/tags/{expected}/"' in page
    assert_pages_answer(client, f"/tags/{expected}/")


def test_two_tags_with_the_same_ascii_slug_stay_apart(db):
    first, second = Tag.objects.create(name="Ménière"), Tag.objects.create(name="Meniere")
    third, fourth = Tag.objects.create(name="💊"), Tag.objects.create(name="🩺")
    assert first.slug != second.slug
    assert third.slug != fourth.slug
    assert all(t.slug.isascii() and t.slug for t in (first, second, third, fourth))


def test_non_ascii_slugs_written_from_the_shell_become_ascii_on_save(client, without_page_cache):
    article = make_article(title="Ménière's disease", tags=["vertigo"])
    article.slug = "ménière-disease"
    article.save()
    topic = make_topic(name="Oído", slug="oído")
    expert = make_expert(name="José Núñez", slug="josé-núñez")
    article.topics.add(topic)
    publish(article, note="Topic added.")

    assert (article.slug, topic.slug, expert.slug) == ("meniere-disease", "oido", "jose-nunez")
    assert Article.objects.get(pk=article.pk).slug == "meniere-disease"
    emoji = make_article(title="💊💊", slug="💊")
    assert emoji.slug == "article-1"
    assert_pages_answer(client, *SITE_PAGES, *article_pages(article), topic.get_absolute_url())


def test_pages_still_answer_for_slugs_stored_behind_the_models_back(client, without_page_cache):
    """Old rows (bulk updates, raw SQL) may hold any slug: pages link them, never 500."""
    expert = make_expert(name="Expert for links")
    article = make_article(tags=["ok"], topics=[make_topic()], reviewed_by=expert)
    Tag.objects.filter(name="ok").update(slug="ménière")
    Topic.objects.filter(articles=article).update(slug="oído")
    Expert.objects.filter(pk=expert.pk).update(slug="josé")
    Article.objects.filter(pk=article.pk).update(slug="ménière-old")
    article.refresh_from_db()

    assert_pages_answer(client, *SITE_PAGES, *article_pages(article), "/tags/ménière/")
    assert_pages_answer(client, "/topics/oído/", "/experts/josé/", "/search/?q=article")


def test_the_slug_migration_makes_stored_slugs_ascii(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("articles.migrations.0012_ascii_slugs")
    article = make_article(title="Vértigo")
    Tag.objects.create(name="Meniere")  # takes "meniere" first
    Tag.objects.create(name="Ménière")
    Tag.objects.filter(name="Ménière").update(slug="ménière")
    Tag.objects.create(name="💉")
    Tag.objects.filter(name="💉").update(slug="💉")
    Article.objects.filter(pk=article.pk).update(slug="vértigo")
    Topic.objects.create(name="Oído", slug="y")
    Topic.objects.filter(name="Oído").update(slug="oído")

    migration.make_slugs_ascii(apps, None)

    assert set(Tag.objects.values_list("slug", flat=True)) >= {"meniere", "meniere-2", "tag-1"}
    assert Article.objects.get(pk=article.pk).slug == "vertigo"
    assert Topic.objects.get(name="Oído").slug == "oido"


# 3. Control characters ---------------------------------------------------------------------

WORD_PASTE = "Sleep\x0band rest\x0c\x01\x1f\x7f\x85\x9f\ud800 now\ufffe\uffff"


def test_clean_text_keeps_tabs_and_newlines_and_drops_what_xml_cannot_carry():
    assert clean_text("a\tb\nc\r\nd") == "a\tb\nc\r\nd"
    assert clean_text(WORD_PASTE) == "Sleep and rest   now"
    assert clean_text("Ménière 💊 \u202eRTL") == "Ménière 💊 \u202eRTL"
    assert clean_text(None) is None
    assert clean_text(7) == 7


def test_a_vertical_tab_pasted_in_the_admin_is_removed_and_the_feed_answers(
    admin_client, client, without_page_cache
):
    reviewer = make_expert()
    data = article_data(
        title="Sleep\x0bwell",
        summary="Rest\x0b and \x1bsleep.",
        reviewed_by=str(reviewer.pk),
        disclaimer="Ask\x0cus.",
    )
    data |= rows(
        "sections", [{"position": "1", "heading": "Why\x0b", "body": "<p>Be\x0bcause\x02.</p>"}]
    )
    data |= rows("faqs", [{"position": "1", "question": "Q\x0b?", "answer": "<p>A\x0b.</p>"}])

    assert admin_client.post(reverse("admin:articles_article_add"), data).status_code == 302

    article = Article.objects.get(title="Sleep well")
    assert article.summary == "Rest  and sleep."
    assert article.disclaimer == "Ask us."
    assert article.sections.get().heading == "Why"  # the form strips the space
    assert article.sections.get().body == "<p>Be cause.</p>"
    assert article.faqs.get().question == "Q ?"
    publish(article)
    assert_pages_answer(client, *SITE_PAGES, *article_pages(article))


def test_control_characters_are_removed_on_save_in_every_content_model(db):
    expert = make_expert(name="Ann\x0bLee", credentials="MD\x01", bio="<p>Bio\x0b</p>")
    topic = make_topic(name="Legs\x0b", description="<p>About\x0c</p>")
    clinic = make_clinic(name="Clinic\x0b", handout_footer="Open\x07 daily")
    article = make_article(title="T\x0bitle", summary="S\x1f.", reviewed_by=expert)
    Section.objects.filter(article=article).update(body="<p>Bulk\x0b</p>")
    Article.objects.filter(pk=article.pk).update(title="Bulk\x0btitle")

    assert (expert.name, expert.credentials) == ("Ann Lee", "MD")
    assert Expert.objects.get(pk=expert.pk).bio == "<p>Bio </p>"
    assert (topic.name, Topic.objects.get(pk=topic.pk).description) == ("Legs ", "<p>About </p>")
    clinic = ClinicSettings.objects.get()
    assert (clinic.name, clinic.handout_footer) == ("Clinic ", "Open daily")
    assert Article.objects.get(pk=article.pk).title == "Bulk title"
    assert article.releases.get().title == "T itle"
    assert Section.objects.get(article=article).body == "<p>Bulk </p>"


def test_a_name_that_differs_only_by_control_characters_is_a_form_error(admin_client):
    make_topic(name="Legs")

    response = admin_client.post(
        reverse("admin:articles_topic_add"),
        {"name": "Legs\x1b", "slug": "", "description": "x", "_save": "Save"}
        | rows("codes", [])
        | rows("translations", []),
    )

    assert response.status_code == 200
    assert "Topic with this Name already exists." in response.content.decode()


def test_the_feed_answers_for_releases_stored_with_control_characters(client, without_page_cache):
    """Releases are never changed, so ones stored before the fix must still render."""
    article = make_article(title="Old one", summary="Fine.")
    Release.objects.filter(article=article).update(rendered={})  # allowed: a derived column
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_release SET title = %s, summary = %s, reviewer_name = %s",
            ["Old\x0bone", "Sum\x1bmary", "Dr\x0c Who"],
        )
    make_clinic(name="Clinic")
    ClinicSettings.objects.update(name="Clin\x0bic")

    response = client.get("/feed.xml")

    assert response.status_code == 200
    assert b"<title>Old one</title>" in response.content
    assert_pages_answer(client, *SITE_PAGES, *article_pages(article))
