"""Editorial workflow: working copy and releases, through the admin's own requests.

Editors edit working copies and send them to review; only medical reviewers publish
(create a release), archive, bring back and set review details, by any route.
"""

import datetime
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import releases, rendering
from articles.models import Article, Release, ReleaseIsImmutable, Section
from tests.admin_forms import article_data, form_data
from tests.conftest import make_article, make_expert, make_staff, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

ADD_URL = reverse("admin:articles_article_add")
LIST_URL = reverse("admin:articles_article_changelist")
TODAY = datetime.date(2026, 11, 30)


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def publish_url(article):
    return reverse("admin:articles_article_publish", args=[article.pk])


def versions_url(article):
    return reverse("admin:articles_article_releases", args=[article.pk])


def page(client, article, **query):
    url = article.get_absolute_url()
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.get(url)


def text(response):
    return response.content.decode()


def run_action(client, action, *articles):
    return client.post(
        LIST_URL,
        {"action": action, ACTION_CHECKBOX_NAME: [str(a.pk) for a in articles]},
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def edit_section(client, article, body):
    """Post the article's change form with its first section's body changed."""
    data = form_data(client.get(change_url(article))) | {"sections-0-body": body}
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def publish_data(reviewer, **fields):
    return {
        "reviewed_by": reviewer.pk,
        "reviewed_on": TODAY.isoformat(),
        "go_live_at": "",
        "note": "",
    } | fields


def release_state():
    return list(Release.objects.values_list("article_id", "number", "content_hash"))


# An editor's edit never reaches patients until a reviewer publishes it ------------------


@pytest.fixture
def anon():
    """A visitor who is not signed in (the other fixtures sign `client` in)."""
    return Client()


@pytest.fixture
def live_article(db):
    return make_article(title="Magnesium and sleep", sections=2, faqs=1)


PUBLIC_ROUTES = {
    "page": lambda a: a.get_absolute_url(),
    "handout": lambda a: reverse("articles:handout", kwargs={"slug": a.slug}),
    "feed": lambda a: reverse("portal:feed"),
    "search": lambda a: "/search/?q=unreviewed",
}


def test_editor_edit_of_a_published_article_stays_off_every_public_route(
    anon, editor_client, live_article
):
    edit_section(editor_client, live_article, "<p>An unreviewed claim about magnesium.</p>")
    assert "unreviewed claim" in Section.objects.get(article=live_article, position=1).body
    for name, route in PUBLIC_ROUTES.items():
        response = anon.get(route(live_article))
        assert "unreviewed claim" not in text(response), name
    assert "Version 1" in text(page(anon, live_article))


def test_the_pdf_keeps_the_reviewed_text_until_publishing(anon, editor_client, live_article):
    edit_section(editor_client, live_article, "<p>An unreviewed claim.</p>")
    response = anon.get(reverse("articles:handout_pdf", kwargs={"slug": live_article.slug}))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-v1.pdf"')


def test_reviewer_publishes_the_edit_and_every_route_shows_it(anon, reviewer_client, live_article):
    edit_section(reviewer_client, live_article, "<p>A reviewed claim about magnesium.</p>")
    screen = reviewer_client.get(publish_url(live_article))
    assert screen.status_code == 200
    assert "<ins>reviewed claim about magnesium.</ins>" in text(screen).replace("<ins>A", "<ins>")
    response = reviewer_client.post(
        publish_url(live_article),
        publish_data(live_article.reviewed_by, note="Clearer advice on magnesium."),
    )
    assert response.status_code == 302
    release = Release.objects.get(article=live_article, number=2)
    assert release.note == "Clearer advice on magnesium."
    assert release.approved_by.groups.filter(name="Medical reviewers").exists()
    assert "reviewed claim" in text(page(anon, live_article))
    assert "Version 2" in text(page(anon, live_article))
    handout = anon.get(reverse("articles:handout", kwargs={"slug": live_article.slug}))
    assert "reviewed claim" in text(handout)
    assert "Version 2" in text(handout)
    assert "reviewed claim" in text(anon.get("/search/?q=reviewed+claim"))


@pytest.mark.django_db(transaction=True)
def test_the_change_form_and_list_say_where_the_article_stands(editor_client, live_article):
    # A real commit: the working copy's digest is refreshed once the save commits.
    assert "Published</td>" in text(editor_client.get(LIST_URL)).replace("</a>", "")
    edit_section(editor_client, live_article, "<p>Changed.</p>")
    listing = text(editor_client.get(LIST_URL))
    assert "Published – changes not yet reviewed" in listing
    assert "Published – changes not yet reviewed" in text(
        editor_client.get(change_url(live_article))
    )


@pytest.mark.parametrize(
    ("fields", "stage"),
    [
        ({"status": Article.Status.DRAFT}, "Draft"),
        ({"status": Article.Status.IN_REVIEW}, "In review"),
        ({}, "Published"),
        ({"publish_at": timezone.now() + datetime.timedelta(days=2)}, "Scheduled"),
        ({"status": Article.Status.ARCHIVED}, "Archived"),
    ],
)
def test_stages(fields, stage):
    article = make_article(**fields)
    assert releases.STAGES[releases.stage(article)] == stage


# Who may publish, by any route ---------------------------------------------------------


def test_editor_never_sees_or_reaches_the_publish_screen(editor_client, live_article):
    assert "Publish…" not in text(editor_client.get(change_url(live_article)))
    assert editor_client.get(publish_url(live_article)).status_code == 403
    before = release_state()
    crafted = editor_client.post(
        publish_url(live_article), publish_data(live_article.reviewed_by, note="Sneaky.")
    )
    assert crafted.status_code == 403
    assert release_state() == before


def test_editor_who_sets_status_to_published_gets_a_clear_error(editor_client):
    article = make_article(status=Article.Status.IN_REVIEW)
    data = form_data(editor_client.get(change_url(article))) | {"status": "published"}
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Use the Publish button to publish" in text(response)
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW
    assert not Release.objects.filter(article=article).exists()


def test_editor_cannot_create_a_published_article(editor_client):
    response = editor_client.post(ADD_URL, article_data(status="published"))
    assert response.status_code == 200
    assert not Article.objects.exists()


def test_editor_cannot_archive_or_bring_back(editor_client, live_article):
    response = run_action(editor_client, "archive", live_article)
    assert Article.objects.get(pk=live_article.pk).status == Article.Status.PUBLISHED
    assert "archive" not in [
        name
        for name, *_ in response.context["cl"].model_admin.get_action_choices(response.wsgi_request)
    ]
    data = form_data(editor_client.get(change_url(live_article))) | {"status": "archived"}
    assert editor_client.post(change_url(live_article), data).status_code == 200
    assert Article.objects.get(pk=live_article.pk).status == Article.Status.PUBLISHED


def test_editor_who_sends_review_fields_gets_a_clear_error(editor_client, live_article):
    data = form_data(editor_client.get(change_url(live_article)))
    response = editor_client.post(
        change_url(live_article), data | {"reviewed_by": make_expert().pk}
    )
    assert response.status_code == 200
    assert "Only medical reviewers can change the review details" in text(response)


# The reviewer's publish screen ----------------------------------------------------------


def test_first_release_needs_reviewer_and_date_but_no_note(reviewer_client):
    article = make_article(status=Article.Status.IN_REVIEW, reviewed_by=None)
    response = reviewer_client.post(publish_url(article), {"reviewed_on": "", "note": ""})
    assert response.status_code == 200
    assert "Choose the medical reviewer who approved this text." in text(response)
    assert "Enter the date of the medical review." in text(response)
    assert not Release.objects.exists()
    reviewer = make_expert(name="Ana Ruiz")
    response = reviewer_client.post(publish_url(article), publish_data(reviewer))
    assert response.status_code == 302
    release = Release.objects.get(article=article)
    assert (release.number, release.reviewer_name, release.reviewed_on) == (
        1,
        "Dr Ana Ruiz, MD",
        TODAY,
    )
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.next_review_due == datetime.date(2027, 11, 30)


def test_second_release_needs_a_what_changed_note(reviewer_client, live_article):
    before = release_state()
    response = reviewer_client.post(
        publish_url(live_article), publish_data(live_article.reviewed_by)
    )
    assert response.status_code == 200
    assert "Say in a few words what changed" in text(response)
    assert release_state() == before


def test_review_date_in_the_future_is_refused(reviewer_client, live_article):
    future = timezone.localdate() + datetime.timedelta(days=3)
    data = publish_data(live_article.reviewed_by, reviewed_on=future.isoformat(), note="x")
    response = reviewer_client.post(publish_url(live_article), data)
    assert "The review date cannot be in the future." in text(response)


def test_scheduled_release_keeps_the_previous_one_live_until_its_time(client, live_article):
    later = timezone.now() + datetime.timedelta(hours=2)
    Section.objects.filter(article=live_article, position=1).update(body="<p>Next year's text.</p>")
    publish(live_article, note="New text.", go_live_at=later)
    assert "Next year" not in text(page(client, live_article))
    assert Release.objects.live().get(article=live_article).number == 1
    assert Release.objects.live(now=later).get(article=live_article).number == 2


def test_reviewer_reschedules_and_the_move_is_recorded(reviewer_client, anon, live_article):
    anon.force_login(make_staff("Editors"))
    editor_client = anon
    later = timezone.now() + datetime.timedelta(days=2)
    release = publish(live_article, note="Later.", go_live_at=later)
    url = reverse("admin:articles_article_reschedule", args=[live_article.pk, release.number])
    assert editor_client.post(url, {"go_live_at": "2020-01-01T10:00"}).status_code == 403
    assert Release.objects.get(pk=release.pk).go_live_at == later
    new_time = timezone.localtime(later + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = reviewer_client.post(url, {"go_live_at": new_time}, follow=True)
    assert response.status_code == 200, response.redirect_chain
    assert "Moved the go-live time of version 2" in text(response)
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.filter(change_message__startswith="Moved the go-live time").exists()


def test_two_reviewers_publishing_at_once_get_consecutive_numbers(live_article):
    first = publish(live_article, note="First.")
    second = publish(live_article, note="Second.")
    assert (first.number, second.number) == (2, 3)


def test_a_duplicate_number_is_refused_by_the_database(live_article):
    from django.db import IntegrityError, transaction

    release = Release.objects.get(article=live_article)
    release.pk = None
    release._state.adding = True
    with pytest.raises(IntegrityError), transaction.atomic():
        release.save()


def test_a_failed_publish_leaves_no_half_release(live_article, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(rendering, "release_parts", broken)  # fails after the insert
    with pytest.raises(RuntimeError):
        publish(live_article, note="Will fail.")
    assert list(Release.objects.filter(article=live_article).values_list("number", flat=True)) == [
        1
    ]


# Releases are the approval record: never changed, never deleted ---------------------------


def test_a_release_refuses_update_and_delete(live_article):
    release = Release.objects.get(article=live_article)
    release.title = "Changed"
    with pytest.raises(ReleaseIsImmutable):
        release.save()
    with pytest.raises(ReleaseIsImmutable):
        Release.objects.filter(pk=release.pk).update(title="Changed")
    with pytest.raises(ReleaseIsImmutable):
        release.delete()
    with pytest.raises(ReleaseIsImmutable):
        Release.objects.filter(pk=release.pk).delete()
    assert Release.objects.get(pk=release.pk).title == "Magnesium and sleep"


def test_the_admin_shows_releases_read_only(admin_client, live_article):
    release = Release.objects.get(article=live_article)
    url = reverse("admin:articles_release_change", args=[release.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="title"' not in text(response)
    admin_client.post(url, {"title": "Changed"})
    assert Release.objects.get(pk=release.pk).title == "Magnesium and sleep"
    assert admin_client.get(reverse("admin:articles_release_add")).status_code == 403
    delete = reverse("admin:articles_release_delete", args=[release.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_a_release_handout_still_shows_its_own_text_after_later_releases(
    client, admin_client, live_article
):
    Section.objects.filter(article=live_article, position=1).update(body="<p>Second words.</p>")
    publish(live_article, note="Second.")
    old = admin_client.get(
        reverse("articles:handout", kwargs={"slug": live_article.slug}) + "?release=1"
    )
    assert "Body 1." in text(old)
    assert "Second words." not in text(old)
    assert "Version 1" in text(old)
    assert "Second words." in text(
        client.get(reverse("articles:handout", kwargs={"slug": live_article.slug}))
    )
    assert (
        client.get(
            reverse("articles:handout", kwargs={"slug": live_article.slug}) + "?release=1"
        ).status_code
        == 404
    )


def test_versions_list_links_each_release_and_compares_two(admin_client, live_article):
    Section.objects.filter(article=live_article, position=1).update(body="<p>Second words.</p>")
    publish(live_article, note="Second.")
    listing = text(admin_client.get(versions_url(live_article)))
    assert "(live)" in listing
    assert "Second." in listing
    assert f"{live_article.get_absolute_url()}?release=1" in listing
    compare = reverse("admin:articles_article_compare_releases", args=[live_article.pk])
    diff = text(admin_client.get(compare + "?from=1&to=2"))
    assert "<del>Body 1.</del>" in diff or "<del>Body</del>" in diff
    assert admin_client.get(compare + "?from=x&to=2").status_code == 404


# Archiving --------------------------------------------------------------------------------


def test_archived_article_disappears_from_every_public_route(anon, reviewer_client, live_article):
    run_action(reviewer_client, "archive", live_article)
    assert Article.objects.get(pk=live_article.pk).status == Article.Status.ARCHIVED
    for route in [
        live_article.get_absolute_url(),
        reverse("articles:handout", kwargs={"slug": live_article.slug}),
        reverse("articles:handout_pdf", kwargs={"slug": live_article.slug}),
    ]:
        assert anon.get(route).status_code == 404, route
    for route in ["/", "/articles/", "/feed.xml", "/sitemap.xml", "/faqs/"]:
        assert live_article.slug not in text(anon.get(route)), route
    assert Release.objects.filter(article=live_article).count() == 1  # kept


def test_bulk_archiving_empties_the_page_cache(anon, settings, live_article):
    settings.MIDDLEWARE = ["portal.cache.PageCacheMiddleware", *settings.MIDDLEWARE]
    assert anon.get(live_article.get_absolute_url()).status_code == 200
    assert anon.get(live_article.get_absolute_url()).status_code == 200  # from the cache
    Article.objects.filter(pk=live_article.pk).update(status=Article.Status.ARCHIVED)
    assert anon.get(live_article.get_absolute_url()).status_code == 404


# Send to review ---------------------------------------------------------------------------


def test_send_to_review_action_moves_drafts_and_published_working_copies(editor_client):
    draft = make_article(title="A draft", status=Article.Status.DRAFT)
    live = make_article(title="Live one")
    response = run_action(editor_client, "send_to_review", draft, live)
    assert "Sent to review: A draft, Live one." in messages_of(response) or (
        "Sent to review: Live one, A draft." in messages_of(response)
    )
    assert Article.objects.get(pk=draft.pk).status == Article.Status.IN_REVIEW
    assert Release.objects.live().filter(article=live).exists()  # still live meanwhile


# The data migration and the demo -----------------------------------------------------------


def test_load_demo_publishes_release_1_of_each_demo_article(db):
    call_command("load_demo", stdout=io.StringIO())
    numbers = Release.objects.values_list("article__slug", "number", "approved_by")
    assert sorted(numbers) == [
        ("magnesio-para-el-sindrome-de-piernas-inquietas", 1, None),
        ("magnesium-and-restless-leg-syndrome-guide", 1, None),
        ("magnesium-for-restless-leg-syndrome", 1, None),
    ]


@pytest.mark.django_db(transaction=True)
def test_working_copy_digest_and_reading_stats_refresh_after_commit(live_article):
    Article.objects.filter(pk=live_article.pk).update(word_count=0)
    section = Section.objects.get(article=live_article, position=1)
    section.body = "<p>Different words now.</p>"
    section.save()
    article = Article.objects.get(pk=live_article.pk)
    assert article.word_count > 0
    assert article.working_hash != Release.objects.get(article=live_article).content_hash


@pytest.mark.django_db(transaction=True)
def test_saving_a_section_costs_a_constant_number_of_queries(live_article):
    from tests.articles.test_rendering import article_with

    big = article_with(24)
    counts = []
    for article in (live_article, big):
        section = Section.objects.filter(article=article).first()
        with CaptureQueriesContext(connection) as queries:
            section.body = "<p>Edited.</p>"
            section.save()  # autocommit: the after-commit refresh runs here too
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 7  # the update, then the working copy read in 5 queries and stored
