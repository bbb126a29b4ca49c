"""Plain language (issue 16): grades stored and frozen, the writer's panel, the publish gate,
key points and "When to get help", content checks, the clinic's own words."""

import html as html_lib
import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import plain_panel, releases
from articles.models import Article, PlainTerm, Release, Section
from tests.admin_forms import form_data
from tests.conftest import make_article, make_clinic, make_expert, make_staff, publish
from tests.pages import ld_of_type

TODAY = timezone.localdate()
HARD = (
    "<p>Physicians frequently recommend comprehensive pharmacological interventions for "
    "individuals experiencing persistent neurological symptoms.</p>"
)
EASY = "<p>Walk a bit each day. Go to bed at the same time. Drink less tea at night.</p>"
KEY_POINTS = "Move your legs when they feel odd.\nTalk to your doctor about magnesium."
GET_HELP = "<p>Call the clinic if your legs keep you awake.</p><ul><li>Call 911 if you cannot walk.</li></ul>"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def publish_url(article):
    return reverse("admin:articles_article_publish", args=[article.pk])


def text(response):
    return html_lib.unescape(response.content.decode())


def refreshed(article):
    releases.refresh_working_copy([article.pk])
    article.refresh_from_db()
    return article


def publish_data(reviewer, **fields):
    return {
        "reviewed_by": reviewer.pk,
        "reviewed_on": TODAY.isoformat(),
        "go_live_at": "",
        "note": "",
    } | fields


def hard_article(**fields):
    article = make_article(status=Article.Status.IN_REVIEW, sections=0, **fields)
    Section.objects.create(article=article, position=1, heading="Causes", body=HARD)
    Section.objects.create(article=article, position=2, heading="", body=EASY)
    return refreshed(article)


# Grades stored and frozen ----------------------------------------------------------------


@pytest.mark.django_db
def test_each_part_grade_is_stored_on_the_working_copy_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(status=Article.Status.DRAFT, sections=0, key_points=KEY_POINTS)
        Section.objects.create(article=article, position=1, heading="Causes", body=HARD)
        Section.objects.create(article=article, position=2, heading="", body=EASY)
    article.refresh_from_db()
    grades = {part["part"]: part for part in article.reading_parts}
    assert list(grades) == ["Summary", "Key points", "Section 1: Causes", "Section 2"]
    assert grades["Section 1: Causes"]["grade"] > 15 > 3 > grades["Section 2"]["grade"]
    assert grades["Section 2"]["words"] == 17
    assert float(article.reading_grade) == releases.reading_stats(releases.snapshot(article))[1]
    assert sum(part["words"] for part in article.reading_parts) == article.word_count


@pytest.mark.django_db
def test_release_freezes_the_part_grades_and_later_edits_leave_them():
    article = hard_article()
    release = publish(article)
    frozen = list(release.reading_parts)
    assert [part["part"] for part in frozen] == ["Summary", "Section 1: Causes", "Section 2"]
    Section.objects.filter(article=article, position=1).update(body=EASY)
    article = refreshed(article)
    assert article.reading_parts != frozen
    assert Release.objects.get(pk=release.pk).reading_parts == frozen
    assert float(Release.objects.get(pk=release.pk).reading_grade) == float(release.reading_grade)


@pytest.mark.django_db
def test_releases_made_before_key_points_keep_their_digest():
    article = make_article()
    content = releases.snapshot(article)
    assert content["key_points"] == []
    assert content["get_help"] == ""
    older = {k: v for k, v in content.items() if k not in ("key_points", "get_help")}
    assert releases.content_hash(content) == releases.content_hash(older)
    assert releases.stage(article) == "published"


# The panel on the change form and the publish screen ----------------------------------------


@pytest.mark.django_db
def test_change_form_shows_grades_hardest_sentences_and_plainer_words(editor_client):
    PlainTerm.objects.create(term="odd", alternative="strange")
    article = hard_article(key_points=KEY_POINTS)
    page = text(editor_client.get(change_url(article)))
    panel = page[page.index('<div class="plain-panel">') :]
    assert "target 8 or lower" in panel
    assert "above the target" in panel
    assert "Section 1: Causes</th>" in panel
    assert "(above target)" in panel
    assert (
        "<mark>Physicians frequently recommend comprehensive pharmacological interventions "
        "for individuals experiencing persistent neurological symptoms.</mark>"
    ) in panel
    assert "(Section 1: Causes; grade" in panel
    assert "“Physicians”: try “doctor”" in panel
    assert "“odd”: try “strange”" in panel  # the clinic's own word, from the key points


@pytest.mark.django_db
def test_publish_screen_shows_the_same_panel(reviewer_client):
    article = hard_article()
    response = reviewer_client.get(publish_url(article))
    page = text(response)
    assert response.status_code == 200
    assert "<h2>Plain language</h2>" in page
    assert "<mark>Physicians frequently" in page
    assert "“Physicians”: try “doctor”" in page
    assert "the clinic's target is 8 or lower" in page


@pytest.mark.django_db
def test_panel_follows_the_clinics_reading_target(editor_client):
    make_clinic(reading_target=20)
    article = hard_article()
    page = text(editor_client.get(change_url(article)))
    assert "target 20 or lower:\n    meets the target." in page


@pytest.mark.django_db
def test_new_article_form_says_the_panel_comes_after_saving(editor_client):
    page = text(editor_client.get(reverse("admin:articles_article_add")))
    assert "Shown after saving." in page


@pytest.mark.django_db
@pytest.mark.parametrize("sections", [1, 50])
def test_change_form_query_count_does_not_grow_with_sections(admin_client, sections):
    article = make_article(sections=sections)
    admin_client.get(change_url(article))  # warm the session, clinic settings and caches
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(change_url(article))
    assert response.status_code == 200
    assert len(queries) == CHANGE_FORM_QUERIES


CHANGE_FORM_QUERIES = 20


# The gate -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_above_the_target_needs_the_tick_and_a_reason(reviewer_client):
    article = hard_article()
    reviewer = make_expert(name="Ana Ruiz")

    response = reviewer_client.post(publish_url(article), publish_data(reviewer))
    page = text(response)
    assert response.status_code == 200
    assert "above the clinic's reading target of 8. Make it plainer, or tick this box" in page
    assert "Say why it should be published as it is." in page
    assert not Release.objects.filter(article=article).exists()

    response = reviewer_client.post(
        publish_url(article), publish_data(reviewer, publish_above_target="on")
    )
    assert response.status_code == 200
    assert "Say why it should be published as it is." in text(response)
    assert not Release.objects.filter(article=article).exists()

    response = reviewer_client.post(
        publish_url(article), publish_data(reviewer, above_target_reason="Terms patients need.")
    )
    assert response.status_code == 200
    assert "tick this box" in text(response)
    assert not Release.objects.filter(article=article).exists()

    response = reviewer_client.post(
        publish_url(article),
        publish_data(
            reviewer, publish_above_target="on", above_target_reason="  Terms patients need.  "
        ),
    )
    assert response.status_code == 302
    release = Release.objects.get(article=article)
    assert release.above_target_reason == "Terms patients need."
    versions = text(reviewer_client.get(response["Location"]))
    assert "Published above the reading target: Terms patients need." in versions
    assert f"<td>{release.reading_grade}<br>" in versions


@pytest.mark.django_db
def test_publishing_at_or_below_the_target_asks_nothing_extra(reviewer_client):
    article = make_article(status=Article.Status.IN_REVIEW, sections=0)
    Section.objects.create(article=article, position=1, heading="", body=EASY)
    reviewer = make_expert()
    page = text(reviewer_client.get(publish_url(article)))
    assert "publish_above_target" not in page
    assert "above_target_reason" not in page
    response = reviewer_client.post(
        publish_url(article), publish_data(reviewer, above_target_reason="ignored")
    )
    assert response.status_code == 302
    assert Release.objects.get(article=article).above_target_reason == ""


@pytest.mark.django_db
def test_publish_refuses_text_above_the_target_without_a_reason():
    article = hard_article()
    with pytest.raises(releases.PublishError, match="above the clinic's reading target of 8"):
        releases.publish(
            article, user=None, reviewer=article.reviewed_by, reviewed_on=TODAY, reading_target=8
        )
    assert not Release.objects.filter(article=article).exists()
    release = releases.publish(
        article,
        user=None,
        reviewer=article.reviewed_by,
        reviewed_on=TODAY,
        reading_target=8,
        above_target_reason="As in the source.",
    )
    assert release.above_target_reason == "As in the source."


def test_reading_target_is_read_through_the_common_hook(db):
    make_clinic(reading_target=11)
    assert plain_panel.reading_target() == 11


@pytest.mark.django_db
def test_clinic_settings_refuse_a_reading_target_out_of_range():
    clinic = make_clinic()
    for bad in (0, 21):
        clinic.reading_target = bad
        with pytest.raises(ValidationError) as error:
            clinic.full_clean()
        assert "reading_target" in error.value.message_dict


# Key points and "When to get help" -----------------------------------------------------------


@pytest.mark.django_db
def test_key_points_and_get_help_show_on_page_handout_release_and_json_ld(
    client, without_page_cache
):
    article = make_article(key_points=KEY_POINTS, get_help=GET_HELP)
    release = article.releases.get()
    assert release.content["key_points"] == [
        "Move your legs when they feel odd.",
        "Talk to your doctor about magnesium.",
    ]
    assert release.content["get_help"] == GET_HELP

    response = client.get(article.get_absolute_url())
    page = response.content.decode()
    summary_at = page.index('<p class="summary">')
    key_points_at = page.index('<section class="key-points">')
    assert summary_at < key_points_at < page.index('<section class="article-section"')
    assert "<li>Move your legs when they feel odd.</li>" in page
    get_help_at = page.index('<section class="get-help">')
    assert page.index('id="section-1"') < get_help_at
    assert "<li>Call 911 if you cannot walk.</li>" in page[get_help_at:]
    ld = ld_of_type(response, "MedicalWebPage")
    assert ld["abstract"] == (
        "Move your legs when they feel odd.\nTalk to your doctor about magnesium."
    )

    handout = client.get(reverse("articles:handout", args=[article.slug])).content.decode()
    assert handout.index('<p class="summary">') < handout.index('<section class="key-points">')
    get_help_at = handout.index('<section class="get-help">')
    assert handout.index('class="handout-section"') < get_help_at
    assert "<li>Call 911 if you cannot walk.</li>" in handout[get_help_at:]


@pytest.mark.django_db
def test_get_help_is_sanitised():
    article = make_article(
        get_help='<p onclick="x()">Call us.</p><script>alert(1)</script><img src=x>'
    )
    assert article.get_help == "<p>Call us.</p>"
    assert article.releases.get().content["get_help"] == "<p>Call us.</p>"


@pytest.mark.django_db
def test_article_without_key_points_or_get_help_shows_no_boxes(client, without_page_cache):
    article = make_article()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "key-points" not in page.split("</head>")[1]
    assert 'class="get-help"' not in page
    assert "abstract" not in json.dumps(
        ld_of_type(client.get(article.get_absolute_url()), "MedicalWebPage")
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("\n".join(f"Point {n}." for n in range(1, 7)), "There are 6 key points"),
        ("One.\n\nTwo.", "Remove the empty lines"),
        ("Short.\n" + "x" * 201, "Key point 2 has 201 characters"),
    ],
)
def test_key_points_are_at_most_five_short_lines(value, message):
    article = Article(title="T", summary="S.", key_points=value)
    with pytest.raises(ValidationError) as error:
        article.clean_fields(exclude=["slug"])
    assert message in str(error.value.message_dict["key_points"])


def test_five_key_points_with_a_trailing_newline_are_fine():
    Article(title="T", summary="S.", key_points="A.\nB.\nC.\nD.\nE.\n").clean_fields(
        exclude=["slug"]
    )


@pytest.mark.django_db
def test_editor_sees_a_clear_error_for_six_key_points(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    data = form_data(editor_client.get(change_url(article)))
    data["key_points"] = "\n".join(f"Point {n}." for n in range(1, 7))
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "There are 6 key points; keep the 5 that matter most." in text(response)


# Content checks in the panel -----------------------------------------------------------------


BAD_SAMPLES = {
    "heading-order": "<h4>Too deep</h4><p>Text.</p>",
    "heading-empty": "<h3></h3><p>Text.</p>",
    "link-text": '<p>See <a href="https://example.org/a">click here</a>.</p>',
    "long-paragraph": "<p>" + "Word and more words here. " * 20 + "</p>",
    "long-sentence": "<p>" + "word " * 40 + "end.</p>",
}


@pytest.mark.django_db
@pytest.mark.parametrize("code", BAD_SAMPLES)
def test_each_content_check_fires_in_the_panel(editor_client, code):
    article = make_article(status=Article.Status.DRAFT, sections=0)
    Section.objects.create(article=article, position=1, heading="Bad", body=BAD_SAMPLES[code])
    warnings = plain_panel.panel(Article.objects.for_snapshot().get(pk=article.pk))["warnings"]
    assert [w.code for w in warnings if w.code == code]
    assert all(w.where == "Section 1: Bad" for w in warnings)
    page = text(editor_client.get(change_url(article)))
    assert "<strong>Section 1: Bad:</strong>" in page


@pytest.mark.django_db
def test_alt_text_that_is_a_file_name_is_flagged_for_hero_image_and_expert_photos(editor_client):
    expert = make_expert(name="Deborah Lee")
    article = make_article(status=Article.Status.DRAFT, reviewed_by=expert)
    Article.objects.filter(pk=article.pk).update(
        hero_image="articles/hero.jpg", hero_image_alt="IMG_2034.jpg"
    )
    type(expert).objects.filter(pk=expert.pk).update(photo="experts/p.jpg", photo_alt="DSC0001")
    page = text(editor_client.get(change_url(article)))
    assert "<strong>Hero image:</strong> The alt text “IMG_2034.jpg” looks like a file name" in page
    assert "<strong>Photo of Dr Deborah Lee:</strong> The alt text “DSC0001” looks like" in page


@pytest.mark.django_db
def test_demo_content_shows_only_the_known_long_paragraph_warning():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    found = {}
    for article in Article.objects.for_snapshot():
        found[article.slug] = [(w.code, w.where) for w in plain_panel.panel(article)["warnings"]]
    assert found == {
        "magnesium-for-restless-leg-syndrome": [("long-paragraph", "Section 5")],
        "magnesium-and-restless-leg-syndrome-guide": [],
        # The Spanish translation keeps the source's paragraphs.
        "magnesio-para-el-sindrome-de-piernas-inquietas": [("long-paragraph", "Section 5")],
    }


@pytest.mark.django_db
def test_demo_grades_are_stored_and_both_demo_articles_carry_their_above_target_reason():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    short = Article.objects.get(slug="magnesium-for-restless-leg-syndrome")
    guide = Article.objects.get(slug="magnesium-and-restless-leg-syndrome-guide")
    assert float(short.reading_grade) == 14.4
    assert float(guide.reading_grade) == 8.8  # 9.2 before its plain key points and help box
    for article in (short, guide):
        release = article.releases.get()
        assert release.reading_grade == article.reading_grade
        assert release.above_target_reason.startswith("Transcribed from the source as is")
        assert release.reading_parts == article.reading_parts
    content = guide.releases.get().content
    assert len(content["key_points"]) == 5
    assert "See a doctor if:" in content["get_help"]


# The clinic's own words ----------------------------------------------------------------------


@pytest.mark.django_db
def test_editor_adds_a_plain_language_word_in_the_admin(editor_client):
    response = editor_client.post(
        reverse("admin:articles_plainterm_add"),
        {"term": "  myocardial   infarction ", "alternative": "heart attack"},
    )
    assert response.status_code == 302
    assert PlainTerm.objects.get().term == "myocardial infarction"


@pytest.mark.django_db
def test_plain_language_word_needs_letters(editor_client):
    response = editor_client.post(
        reverse("admin:articles_plainterm_add"), {"term": "!!!", "alternative": "x"}
    )
    assert response.status_code == 200
    assert "Enter a word or phrase with letters in it." in text(response)


@pytest.mark.django_db
def test_front_desk_cannot_change_plain_language_words(client):
    client.force_login(make_staff("Front desk"))
    assert client.get(reverse("admin:articles_plainterm_add")).status_code == 403


@pytest.mark.django_db
def test_editors_and_reviewers_may_add_and_change_plain_language_words():
    for name in ("Editors", "Medical reviewers"):
        codenames = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert {"add_plainterm", "change_plainterm", "view_plainterm"} <= codenames
    front_desk = Group.objects.get(name="Front desk").permissions.values_list("codename", flat=True)
    assert "add_plainterm" not in front_desk


SPANISH = (
    "<p>El placebo no tiene medicamento. Los investigadores compararon el magnesio con un "
    "placebo durante seis semanas en personas con molestias persistentes en las piernas.</p>"
)


def test_panel_grades_spanish_text_in_spanish_and_skips_the_english_word_list(db):
    article = make_article(language="es", summary="Un resumen corto.")
    Section.objects.filter(article=article).update(body=SPANISH)
    releases.refresh_working_copy([article.pk])
    article.refresh_from_db()
    data = plain_panel.panel(Article.objects.for_snapshot().get(pk=article.pk))
    analysis = data["analysis"]
    assert analysis.language == "es"
    assert str(analysis.grade) == str(article.reading_grade)  # the Reading-level grade
    spanish = releases.reading_analysis(releases.snapshot(article), hardest=5, language="es")
    english = releases.reading_analysis(releases.snapshot(article), hardest=5)
    assert [h.difficulty for h in analysis.hardest] == [h.difficulty for h in spanish.hardest]
    assert [h.difficulty for h in analysis.hardest] != [h.difficulty for h in english.hardest]
    assert data["jargon"] == []
    assert not data["jargon_checked"]
    html = plain_panel.render_for_change_form(article)
    assert "Fernández-Huerta score" in html
    assert "dummy pill" not in html
    assert "Not checked: the list of words with plainer alternatives is in English." in html

    english_article = make_article()
    Section.objects.filter(article=english_article).update(body="<p>They got a placebo.</p>")
    html = plain_panel.render_for_change_form(english_article)
    assert "dummy pill" in html
    assert "Fernández-Huerta" not in html
