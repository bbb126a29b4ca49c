"""The review queue on the admin home page: what waits for each role, in constant queries."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import releases, translations
from articles.models import Article
from tests.conftest import make_article, make_staff, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

INDEX = reverse("admin:index")
LIST_URL = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def publish_url(article):
    return reverse("admin:articles_article_publish", args=[article.pk])


def client_as(user):
    client = Client()
    client.force_login(user)
    return client


def send_to_review(client, *articles):
    return client.post(
        LIST_URL,
        {"action": "send_to_review", ACTION_CHECKBOX_NAME: [str(a.pk) for a in articles]},
    )


def queue_html(client):
    return client.get(INDEX).content.decode()


def section(html, element_id):
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</table>", start)]


def test_reviewer_sees_articles_sent_to_review_oldest_first_with_sender_and_time():
    editor = make_staff("Editors", first_name="Ada", last_name="Editor")
    first = make_article(title="Sent first", status="draft")
    second = make_article(title="Sent second", status="draft")
    editor_client = client_as(editor)
    send_to_review(editor_client, first)
    send_to_review(editor_client, second)
    first.refresh_from_db()
    assert first.status == Article.Status.IN_REVIEW
    assert first.sent_for_review_by == editor
    assert first.sent_for_review_at is not None

    html = section(queue_html(client_as(make_staff("Medical reviewers"))), "in-review")
    assert f'href="{publish_url(first)}">Sent first</a>' in html
    assert html.index("Sent first") < html.index("Sent second")
    assert "Ada Editor" in html
    assert f"{timezone.localtime(first.sent_for_review_at):%-d %b %Y}" in html


def test_saving_the_form_with_status_in_review_records_who_sent_it(editor_client):
    from tests.admin_forms import form_data

    article = make_article(status="draft")
    data = form_data(editor_client.get(change_url(article))) | {"status": "in_review"}
    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert article.sent_for_review_by is not None
    html = section(queue_html(client_as(make_staff("Medical reviewers"))), "in-review")
    assert article.title in html


def test_reviewer_sees_published_articles_with_unreviewed_changes():
    changed = make_article(title="Edited since")
    make_article(title="As reviewed")
    first = changed.sections.get()
    first.body = "<p>New words.</p>"
    first.save()
    releases.refresh_working_copy([changed.pk])  # what the commit would do

    html = section(queue_html(client_as(make_staff("Medical reviewers"))), "unreviewed-changes")
    assert f'href="{publish_url(changed)}">Edited since</a>' in html
    assert "As reviewed" not in html


def test_reviewer_and_editor_see_reviews_overdue_or_due_within_30_days():
    today = timezone.localdate()
    make_article(title="Overdue one", next_review_due=today - datetime.timedelta(days=3))
    make_article(title="Due soon", next_review_due=today + datetime.timedelta(days=29))
    make_article(title="Due later", next_review_due=today + datetime.timedelta(days=60))
    for group in ("Medical reviewers", "Editors"):
        html = section(queue_html(client_as(make_staff(group))), "reviews-due")
        assert "Overdue one" in html
        assert "overdue</strong>" in html
        assert "Due soon" in html
        assert "Due later" not in html


def test_editor_sees_their_articles_sent_back_with_the_comment_and_not_others():
    editor, other = make_staff("Editors"), make_staff("Editors")
    mine = make_article(title="Mine", status="draft")
    theirs = make_article(title="Theirs", status="draft")
    send_to_review(client_as(editor), mine)
    send_to_review(client_as(other), theirs)
    reviewer = client_as(make_staff("Medical reviewers", username="drreview"))
    for article in (mine, theirs):
        url = reverse("admin:articles_article_send_back", args=[article.pk])
        reviewer.post(url, {"comment": "Please cite the 2024 guideline."})

    html = section(queue_html(client_as(editor)), "sent-back")
    assert f'href="{change_url(mine)}">Mine</a>' in html
    assert "Please cite the 2024 guideline." in html
    assert "drreview" in html
    assert "Theirs" not in html
    assert 'id="in-review"' not in queue_html(client_as(editor))


def test_front_desk_and_staff_without_a_group_see_no_queue():
    make_article(title="Overdue one", next_review_due=timezone.localdate())
    for group in ("Front desk", None):
        html = queue_html(client_as(make_staff(group)))
        assert 'id="review-queue"' not in html


def make_stale_translation(title="Sleep well"):
    """Return (source, translation): a published Spanish translation of release 1, then release 2."""
    source = make_article(title=title)
    translation = translations.start(source, "es")
    translation.title = f"{title} (es)"
    translation.reviewed_by = source.reviewed_by
    translation.save()
    publish(translation)
    source.summary = "Newer advice."
    source.save()
    publish(source, note="Newer advice.")
    return source, translation


@pytest.mark.parametrize("group", ["Medical reviewers", "Editors"])
def test_translation_behind_its_source_shows_with_what_to_do(group):
    source, translation = make_stale_translation()
    current = translations.start(make_article(), "es")
    current.title, current.reviewed_by = "Up to date (es)", current.translation_of.reviewed_by
    current.save()
    publish(current)
    client = client_as(make_staff(group))

    html = section(queue_html(client), "translations-behind")
    assert f'href="{change_url(translation)}">Sleep well (es)</a>' in html
    assert f'href="{change_url(source)}">Sleep well</a>, has had version 2 live since' in html
    assert "patients read a translation of version 1" in html
    assert "the change form shows word by word what changed in the source" in html
    assert "Up to date (es)" not in html
    # The link leads to the word-level comparison of the two source releases.
    form = client.get(change_url(translation)).content.decode()
    assert "Behind its source" in form
    assert (
        "<td><del>A</del><ins>Newer</ins> <del>short summary of the article.</del><ins>advice.</ins></td>"
        in form
    )

    translation.summary = "Consejos nuevos."
    translation.save()
    translations.mark_up_to_date(translation)
    html = section(queue_html(client), "translations-behind")
    assert "The text is up to date with version 2: send it for review and publish it." in html

    translation.refresh_from_db()
    publish(translation, note="Al día.")
    html = section(queue_html(client), "translations-behind")
    assert "Sleep well (es)" not in html
    assert "Every published translation follows its source's live version." in html


@pytest.mark.parametrize("group", ["Medical reviewers", "Editors"])
def test_queue_queries_do_not_grow_with_the_rows(group):
    user = make_staff(group)
    editor = make_staff("Editors")
    today = timezone.localdate()

    def add_rows(n):
        for _ in range(n):
            waiting = make_article(status="draft", next_review_due=today)
            send_to_review(client_as(editor), waiting)
            back = make_article(status="draft")
            send_to_review(client_as(user), back)
            client_as(make_staff("Medical reviewers")).post(
                reverse("admin:articles_article_send_back", args=[back.pk]), {"comment": "No."}
            )
            make_stale_translation()

    client = client_as(user)
    add_rows(1)
    client.get(INDEX)
    with CaptureQueriesContext(connection) as one:
        client.get(INDEX)
    add_rows(4)
    client.get(INDEX)  # the edits started a new cache generation: clinic settings read again
    with CaptureQueriesContext(connection) as five:
        html = client.get(INDEX).content.decode()
    assert html.count("<tr>") > 5
    assert len(five.captured_queries) == len(one.captured_queries)
