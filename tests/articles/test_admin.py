"""The article admin: creating with every inline, the list, autocomplete, index, CSP, bad input."""

import base64
import datetime
import hashlib
import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import FAQ, Article, Citation, Quote, Section, Topic
from tests.admin_forms import article_data, form_data, rows
from tests.conftest import make_article, make_expert, make_reference, make_staff, make_topic

ADD_URL = reverse("admin:articles_article_add")
LIST_URL = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def png_bytes(size=(8, 8), noise=False):
    """Return a real PNG image; with noise it does not compress (for size limits)."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, "white")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def snapshot(article):
    """Return what an article looks like in the database, to prove nothing changed."""
    article = Article.objects.get(pk=article.pk)
    return (
        article.title,
        article.slug,
        article.status,
        article.reviewed_by_id,
        article.last_reviewed,
        article.next_review_due,
        bool(article.hero_image),
        list(article.sections.values_list("position", "heading", "body")),
        list(article.citations.values_list("position", "reference_id")),
        list(article.faqs.values_list("position", "question")),
    )


# Creating an article -------------------------------------------------------------


@pytest.mark.django_db
def test_reviewer_creates_and_publishes_an_article_with_every_inline_through_admin_posts(
    reviewer_client,
):
    dietitian, doctor = make_expert(name="Roxana Ehsani"), make_expert(name="Deborah Lee")
    topic = make_topic(name="Restless legs syndrome")
    review, trial = make_reference(title="A review"), make_reference(title="A trial")
    data = article_data(
        title="Magnesium for restless legs",
        summary="What the studies say about magnesium.",
        tags="magnesium, sleep",
        topics=[str(topic.pk)],
        author=str(dietitian.pk),
        status="in_review",
        reviewed_by=str(doctor.pk),
        last_reviewed="2026-01-15",
    )
    data |= rows(
        "sections",
        [
            {"position": "1", "heading": "", "body": "<p>Magnesium may help [1].</p>"},
            {"position": "2", "heading": "Dosage", "body": "<p>Take it at night [1, 2].</p>"},
        ],
    )
    data |= rows(
        "quotes", [{"position": "1", "expert": str(doctor.pk), "text": "Ask your doctor."}]
    )
    data |= rows(
        "citations",
        [
            {"position": "1", "reference": str(review.pk)},
            {"position": "2", "reference": str(trial.pk)},
        ],
    )
    data |= rows(
        "faqs",
        [
            {"position": "1", "question": "Is it safe?", "answer": "<p>Mostly, yes.</p>"},
            {"position": "2", "question": "How much?", "answer": "<p>Ask us.</p>"},
        ],
    )

    response = reviewer_client.post(ADD_URL, data)

    assert response.status_code == 302
    article = Article.objects.get(slug="magnesium-for-restless-legs")
    publish = reverse("admin:articles_article_publish", args=[article.pk])
    response = reviewer_client.post(
        publish, {"reviewed_by": doctor.pk, "reviewed_on": "2026-01-15", "note": ""}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.releases.get().number == 1
    assert article.author == dietitian
    assert article.reviewed_by == doctor
    assert article.next_review_due == datetime.date(2027, 1, 15)
    assert list(article.topics.all()) == [topic]
    assert sorted(article.tags.names()) == ["magnesium", "sleep"]
    assert list(article.sections.values_list("position", "heading")) == [(1, ""), (2, "Dosage")]
    assert article.quotes.get().expert == doctor
    assert list(article.citations.values_list("position", "reference")) == [
        (1, review.pk),
        (2, trial.pk),
    ]
    assert list(article.faqs.values_list("question", flat=True)) == ["Is it safe?", "How much?"]
    assert article.word_count > 0
    assert article in Article.objects.live()


@pytest.mark.django_db
def test_editor_can_open_the_article_forms(editor_client):
    assert editor_client.get(ADD_URL).status_code == 200
    article = make_article(status=Article.Status.DRAFT, sections=1, faqs=1)
    response = editor_client.get(change_url(article))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ["Content", "Publishing and review", "Search and sharing"]:
        assert f">{heading}</h2>" in html
    for inline in ["Sections", "Quotes", "Citations", "FAQs"]:
        assert inline.upper() in html.upper()


@pytest.mark.django_db
def test_review_fields_are_read_only_for_editors_and_editable_for_reviewers(editor_client):
    html = editor_client.get(ADD_URL).content.decode()
    assert 'name="status"' in html
    for name in ["reviewed_by", "last_reviewed", "next_review_due"]:
        assert f'name="{name}"' not in html

    reviewer = Client()
    reviewer.force_login(make_staff("Medical reviewers"))
    html = reviewer.get(ADD_URL).content.decode()
    for name in ["reviewed_by", "last_reviewed", "next_review_due"]:
        assert f'name="{name}"' in html


@pytest.mark.django_db
def test_article_form_offers_autocomplete_and_add_another_reference(admin_client):
    html = admin_client.get(ADD_URL).content.decode()
    autocomplete = reverse("admin:autocomplete")
    for field in ["author", "reviewed_by", "topics"]:
        assert re.search(rf'name="{field}"[^>]*data-ajax--url="{autocomplete}"', html) or (
            re.search(rf'data-ajax--url="{autocomplete}"[^>]*name="{field}"', html)
        ), field
    add_reference = reverse("admin:articles_reference_add") + "?_to_field=id&amp;_popup=1"
    assert 'id="add_id_citations-__prefix__-reference"' in html
    assert add_reference in html
    assert 'name="tags"' in html


@pytest.mark.django_db
def test_reference_autocomplete_finds_by_doi_and_author(admin_client):
    reference = make_reference(authors="Marshall NS, Serinel Y", doi="10.1016/j.smrv.2019.101218")
    make_reference(authors="Nobody A")
    for term in ["smrv.2019", "Serinel"]:
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "term": term,
                "app_label": "articles",
                "model_name": "citation",
                "field_name": "reference",
            },
        )
        assert response.status_code == 200
        assert [item["id"] for item in response.json()["results"]] == [str(reference.pk)]


@pytest.mark.django_db
def test_view_on_site_leads_to_the_public_address_of_a_draft(admin_client):
    article = make_article(status=Article.Status.DRAFT, slug="draft-article")
    html = admin_client.get(change_url(article)).content.decode()
    content_type = ContentType.objects.get_for_model(Article)
    shortcut = reverse("admin:view_on_site", args=[content_type.pk, article.pk])
    assert shortcut in html
    response = admin_client.get(shortcut)
    assert response.status_code == 302
    assert response["Location"].endswith("/articles/draft-article/")


# The list ------------------------------------------------------------------------


@pytest.mark.django_db
def test_article_list_shows_review_columns(admin_client):
    reviewer = make_expert(name="Deborah Lee")
    make_article(title="Magnesium basics", reviewed_by=reviewer)
    html = admin_client.get(LIST_URL).content.decode()
    for column in ["Title", "Status", "Medically reviewed by", "Last reviewed", "Next review due"]:
        assert column in html
    assert "Magnesium basics" in html
    assert "Dr Deborah Lee" in html
    assert "2027-01-15" in html


@pytest.mark.django_db
def test_article_list_searches_title_summary_and_tags(admin_client):
    make_article(title="Iron and sleep", tags=["ferritin"])
    make_article(title="Stretching", summary="Gentle evening stretches.")
    make_article(title="Unrelated")
    for term, title in [("iron", "Iron and sleep"), ("evening", "Stretching")]:
        html = admin_client.get(LIST_URL, {"q": term}).content.decode()
        assert title in html
        assert "Unrelated" not in html
    html = admin_client.get(LIST_URL, {"q": "ferritin"}).content.decode()
    assert "Iron and sleep" in html
    assert "1 result" in html


@pytest.mark.django_db
def test_article_list_filters_by_review_due(admin_client):
    today = timezone.localdate()
    make_article(title="Overdue one", next_review_due=today - datetime.timedelta(days=3))
    make_article(title="Due soon", next_review_due=today + datetime.timedelta(days=10))
    make_article(title="Due later", next_review_due=today + datetime.timedelta(days=90))
    overdue = admin_client.get(LIST_URL, {"review": "overdue"}).content.decode()
    soon = admin_client.get(LIST_URL, {"review": "soon"}).content.decode()
    assert "Overdue one" in overdue
    assert "Due soon" not in overdue
    assert "Due soon" in soon
    assert "Overdue one" not in soon
    assert "Due later" not in overdue + soon
    assert "(overdue)" in overdue


@pytest.mark.django_db
def test_article_list_filters_by_status_topic_and_reviewer(admin_client):
    topic = make_topic(name="Sleep")
    reviewer = make_expert(name="Deborah Lee")
    make_article(title="Draft one", status=Article.Status.DRAFT, topics=[topic])
    make_article(title="Reviewed one", reviewed_by=reviewer)
    assert "Draft one" in admin_client.get(LIST_URL, {"status__exact": "draft"}).content.decode()
    by_topic = admin_client.get(LIST_URL, {"topics__id__exact": topic.pk}).content.decode()
    assert "Draft one" in by_topic
    assert "Reviewed one" not in by_topic
    by_reviewer = admin_client.get(LIST_URL, {"reviewed_by__id__exact": reviewer.pk})
    assert "Reviewed one" in by_reviewer.content.decode()
    assert "Draft one" not in by_reviewer.content.decode()


@pytest.mark.django_db
def test_article_list_query_count_does_not_grow_with_articles(
    admin_client, django_assert_max_num_queries
):
    for _ in range(3):
        make_article()
    with django_assert_max_num_queries(20) as small:
        admin_client.get(LIST_URL)
    for _ in range(12):
        make_article()
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(LIST_URL)


# Admin index ---------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_index_shows_reviewers_the_reviews_due(reviewer_client):
    today = timezone.localdate()
    overdue = make_article(title="Overdue one", next_review_due=today - datetime.timedelta(1))
    soon = make_article(title="Due soon", next_review_due=today + datetime.timedelta(days=20))
    make_article(title="Due later", next_review_due=today + datetime.timedelta(days=60))
    make_article(
        title="Archived one",
        status=Article.Status.ARCHIVED,
        next_review_due=today - datetime.timedelta(1),
    )
    html = reviewer_client.get(reverse("admin:index")).content.decode()
    assert "Medical reviews due" in html
    assert f'href="{change_url(overdue)}">Overdue one</a>' in html
    assert f'href="{change_url(soon)}">Due soon</a>' in html
    assert "overdue</strong>" in html
    assert "Due later" not in html
    assert "Archived one" not in html


@pytest.mark.django_db
def test_admin_index_shows_editors_the_reviews_due_but_not_the_reviewers_queue(editor_client):
    make_article(title="Overdue one", next_review_due=timezone.localdate())
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "Medical reviews due" in html
    assert "Waiting for your review" not in html
    assert "Articles" in html


# Groups --------------------------------------------------------------------------


@pytest.mark.django_db
def test_editorial_groups_have_the_right_permissions():
    editors = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Editors").permissions.all()
    }
    reviewers = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Medical reviewers").permissions.all()
    }
    for perm in [
        "articles.add_article",
        "articles.change_article",
        "articles.change_reference",
        "articles.add_topic",
        "experts.change_expert",
        "taggit.add_tag",
        "articles.delete_faq",
        "experts.delete_expertlink",
    ]:
        assert perm in editors
    assert "articles.publish_article" not in editors
    assert "articles.delete_article" not in editors
    assert reviewers == editors | {"articles.publish_article"}


# CSP and the rich-text editor ----------------------------------------------------


@pytest.mark.django_db
def test_article_form_loads_rich_text_editor_with_csp_nonce(admin_client):
    article = make_article(sections=2, faqs=1)
    response = admin_client.get(change_url(article))
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script type="importmap" nonce="{nonce}">' in html
    # get_help, section and FAQ rows, and the two inline templates
    assert html.count("data-django-prose-editor-configurable") == 1 + 2 + 1 + 2
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_prose_editor_style_hash_matches_the_installed_editor():
    import django_prose_editor

    bundle = Path(django_prose_editor.__file__).parent / "static/django_prose_editor/editor.js"
    blocks = re.findall(r"=`(\.ProseMirror \{[^`]*)`", bundle.read_text())
    assert len(blocks) == 1
    digest = base64.b64encode(hashlib.sha256(blocks[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" == settings.PROSE_EDITOR_STYLE_HASH
    assert (
        settings.PROSE_EDITOR_STYLE_HASH
        in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    )


@pytest.mark.django_db
def test_public_pages_get_no_nonce(client):
    response = client.get(reverse("portal:healthz"))
    assert "nonce" not in response.get("Content-Security-Policy", "")


# Inline positions ----------------------------------------------------------------


@pytest.mark.django_db
def test_new_rows_left_at_zero_or_blank_are_numbered_after_existing_ones(admin_client):
    article = make_article(sections=2, faqs=1)
    data = form_data(admin_client.get(change_url(article)))
    data |= {
        "sections-TOTAL_FORMS": "4",
        "sections-2-position": "0",
        "sections-2-heading": "Third",
        "sections-2-body": "<p>Three.</p>",
        "sections-3-position": "",
        "sections-3-heading": "Fourth",
        "sections-3-body": "<p>Four.</p>",
        "faqs-TOTAL_FORMS": "2",
        "faqs-1-position": "0",
        "faqs-1-question": "Another?",
        "faqs-1-answer": "<p>Yes.</p>",
    }
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 302
    assert list(article.sections.values_list("position", "heading")) == [
        (1, "Heading 1"),
        (2, "Heading 2"),
        (3, "Third"),
        (4, "Fourth"),
    ]
    assert list(article.faqs.values_list("position", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_duplicate_positions_are_a_clear_formset_error(admin_client):
    article = make_article(sections=2)
    before = snapshot(article)
    data = form_data(admin_client.get(change_url(article)))
    data["sections-1-position"] = "1"
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Two or more sections have position 1." in response.content.decode()
    assert snapshot(article) == before


@pytest.mark.django_db
def test_swapping_two_positions_saves(admin_client):
    article = make_article(sections=2)
    data = form_data(admin_client.get(change_url(article)))
    data |= {"sections-0-position": "2", "sections-1-position": "1"}
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 302
    assert list(article.sections.values_list("heading", flat=True)) == ["Heading 2", "Heading 1"]


@pytest.mark.django_db
def test_deleted_row_frees_its_position_for_another(admin_client):
    article = make_article(sections=2)
    data = form_data(admin_client.get(change_url(article)))
    data |= {"sections-0-DELETE": "on", "sections-1-position": "1"}
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 302
    assert list(article.sections.values_list("position", "heading")) == [(1, "Heading 2")]


@pytest.mark.django_db
def test_citing_the_same_reference_twice_is_a_clear_error(admin_client):
    article = make_article(sections=1, citations=1)
    data = form_data(admin_client.get(change_url(article)))
    data |= {
        "citations-TOTAL_FORMS": "2",
        "citations-1-position": "2",
        "citations-1-reference": data["citations-0-reference"],
    }
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "The same reference is cited twice." in response.content.decode()
    assert article.citations.count() == 1


@pytest.mark.django_db
def test_quote_section_choices_are_the_articles_own_sections(admin_client):
    article = make_article(sections=2, quotes=1)
    other = make_article(sections=1)
    form = admin_client.get(change_url(article)).context["inline_admin_formsets"][1].formset
    choices = set(form.forms[0].fields["section"].queryset)
    assert choices == set(article.sections.all())
    assert not choices & set(other.sections.all())


# Bad input: each a clear error, with the saved data untouched ---------------------


@pytest.mark.django_db
def test_unknown_citation_marker_is_an_error_naming_the_marker(admin_client):
    article = make_article(sections=1, citations=1)
    before = snapshot(article)
    data = form_data(admin_client.get(change_url(article)))
    data |= {"sections-0-heading": "Dosage", "sections-0-body": "<p>Take it [1] daily [4].</p>"}
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Section “Dosage” cites [4], but the article has no reference 4." in (
        response.content.decode()
    )
    assert snapshot(article) == before


@pytest.mark.django_db
def test_marker_is_checked_against_citations_submitted_on_the_same_page(admin_client):
    article = make_article(sections=1, citations=1)
    new_reference = make_reference()
    data = form_data(admin_client.get(change_url(article)))
    data |= {
        "sections-0-body": "<p>See [1] and [2].</p>",
        "citations-TOTAL_FORMS": "2",
        "citations-1-position": "2",
        "citations-1-reference": str(new_reference.pk),
    }
    assert admin_client.post(change_url(article), data).status_code == 302
    assert article.citations.count() == 2

    data = form_data(admin_client.get(change_url(article)))
    data["citations-1-DELETE"] = "on"
    response = admin_client.post(change_url(article), data)
    assert "cites [2], but the article has no reference 2." in response.content.decode()
    assert article.citations.count() == 2


@pytest.mark.django_db
def test_unknown_marker_in_a_new_article_saves_nothing(admin_client):
    data = article_data(title="New one") | rows(
        "sections", [{"position": "1", "heading": "Intro", "body": "<p>See [1-2].</p>"}]
    )
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Section “Intro” cites [1] and [2], but the article has no references 1 and 2." in (
        response.content.decode()
    )
    assert not Article.objects.filter(title="New one").exists()
    assert not Section.objects.exists()


@pytest.mark.django_db
def test_duplicate_slug_is_a_clear_error(admin_client):
    make_article(slug="taken")
    article = make_article(slug="mine")
    before = snapshot(article)
    data = form_data(admin_client.get(change_url(article))) | {"slug": "taken"}
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Another article already uses this web address (slug)." in response.content.decode()
    assert snapshot(article) == before


@pytest.mark.django_db
def test_next_review_before_last_review_is_a_clear_error(admin_client):
    article = make_article()
    before = snapshot(article)
    data = form_data(admin_client.get(change_url(article)))
    data |= {"last_reviewed": "2026-03-01", "next_review_due": "2026-02-01"}
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "The next review must be after the last review." in response.content.decode()
    assert snapshot(article) == before


@pytest.mark.django_db
def test_setting_status_to_published_without_a_release_is_a_clear_error(admin_client):
    article = make_article(status=Article.Status.DRAFT, reviewed_by=None, last_reviewed=None)
    before = snapshot(article)
    data = form_data(admin_client.get(change_url(article))) | {"status": "published"}
    response = admin_client.post(change_url(article), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Use the Publish button to publish" in html
    assert snapshot(article) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java&#x09;script:alert(1)", "data:text/html,x"],
)
def test_unsafe_link_in_rich_text_is_a_clear_error(admin_client, href):
    article = make_article(sections=1, faqs=1)
    before = snapshot(article)
    data = form_data(admin_client.get(change_url(article)))
    data["faqs-0-answer"] = f'<p><a href="{href}">Click</a></p>'
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "is not allowed: links must start with http://, https:// or mailto:." in (
        response.content.decode()
    )
    assert snapshot(article) == before
    assert FAQ.objects.get(article=article).answer == "<p>Answer 1.</p>"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.png", b"this is not an image", "Upload a valid image."),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "SVG images are not accepted because they can carry scripts.",
        ),
        ("report.pdf", b"%PDF-1.4", "Upload a valid image."),
    ],
)
def test_upload_that_is_not_a_safe_image_is_a_clear_error(admin_client, name, content, message):
    article = make_article()
    before = snapshot(article)
    data = form_data(admin_client.get(change_url(article)))
    data |= {"hero_image": SimpleUploadedFile(name, content), "hero_image_alt": "A picture"}
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(article) == before


@pytest.mark.django_db
def test_upload_over_5_mb_is_a_clear_error(admin_client):
    article = make_article()
    before = snapshot(article)
    big = png_bytes((1400, 1400), noise=True)
    assert len(big) > settings.MAX_UPLOAD_SIZE
    data = form_data(admin_client.get(change_url(article)))
    data |= {"hero_image": SimpleUploadedFile("big.png", big), "hero_image_alt": "Noise"}
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "the limit is 5 MB. Please upload a smaller image." in response.content.decode()
    assert snapshot(article) == before


@pytest.mark.django_db
def test_real_image_upload_is_saved(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = make_article()
    data = form_data(admin_client.get(change_url(article)))
    data |= {"hero_image": SimpleUploadedFile("calm.png", png_bytes()), "hero_image_alt": "Calm"}
    assert admin_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    # Stored under a generated name with the decoded format's extension (common/uploads.py).
    assert re.fullmatch(r"articles/[0-9a-f]{32}\.png", article.hero_image.name)


# Other admins in the articles app ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "term", ["magnesium supplementation", "Serinel", "Sleep Med Rev", "10.1016/j.smrv", "9703590"]
)
def test_reference_admin_searches_title_author_journal_doi_and_pmid(admin_client, term):
    make_reference(
        authors="Marshall NS, Serinel Y, Killick R, et al",
        title="Magnesium supplementation for restless legs",
        journal="Sleep Med Rev",
        doi="10.1016/j.smrv.2019.101218",
        pmid="9703590",
    )
    make_reference(title="Something else", journal="Other J")
    html = admin_client.get(reverse("admin:articles_reference_changelist"), {"q": term})
    html = html.content.decode()
    assert "Magnesium supplementation for restless legs" in html
    assert "Something else" not in html


@pytest.mark.django_db
def test_reference_admin_shows_ama_style_and_citing_articles(admin_client):
    reference = make_reference(
        authors="Hornyak M, Voderholzer U",
        title="Magnesium therapy",
        journal="Sleep",
        year=1998,
        volume="21",
        issue="5",
        pages="501-505",
        pmid="9703590",
    )
    article = make_article(sections=0)
    Citation.objects.create(article=article, position=1, reference=reference)
    html = admin_client.get(
        reverse("admin:articles_reference_change", args=[reference.pk])
    ).content.decode()
    assert "Hornyak M, Voderholzer U. Magnesium therapy. <em>Sleep.</em> 1998;21(5):501-505." in (
        html
    )
    assert f'href="{change_url(article)}">{article.title}</a>' in html


@pytest.mark.django_db
def test_topic_admin_fills_slug_from_name_and_uses_the_editor(admin_client):
    html = admin_client.get(reverse("admin:articles_topic_add")).content.decode()
    assert "data-prepopulated-fields" in html
    assert "data-django-prose-editor-configurable" in html
    response = admin_client.post(
        reverse("admin:articles_topic_add"),
        {
            "name": "Restless legs syndrome",
            "slug": "",
            "description": "<p>About.</p>",
            "codes-TOTAL_FORMS": "0",  # the diagnosis codes inline
            "codes-INITIAL_FORMS": "0",
            "translations-TOTAL_FORMS": "0",  # the translations inline
            "translations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Topic.objects.get(slug="restless-legs-syndrome").name == "Restless legs syndrome"


@pytest.mark.django_db
def test_quote_and_section_rows_survive_an_unchanged_resave(admin_client, article):
    before = (Section.objects.count(), Quote.objects.count(), FAQ.objects.count())
    response = admin_client.post(
        change_url(article), form_data(admin_client.get(change_url(article)))
    )
    assert response.status_code == 302
    assert (Section.objects.count(), Quote.objects.count(), FAQ.objects.count()) == before
