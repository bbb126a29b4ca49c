"""Editorial workflow: who may publish and set review details, in the form and list actions."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.admin_forms import article_data, form_data
from tests.conftest import make_article, make_expert

ADD_URL = reverse("admin:articles_article_add")
LIST_URL = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def state(article):
    article = Article.objects.get(pk=article.pk)
    return (
        article.status,
        article.publish_at,
        article.reviewed_by_id,
        article.last_reviewed,
        article.next_review_due,
        article.revision,
    )


def run_action(client, action, *articles):
    return client.post(
        LIST_URL,
        {"action": action, ACTION_CHECKBOX_NAME: [str(a.pk) for a in articles]},
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# The form ------------------------------------------------------------------------


@pytest.mark.django_db
def test_editor_who_sets_status_to_published_gets_a_clear_error(editor_client):
    article = make_article(status=Article.Status.IN_REVIEW)
    before = state(article)
    data = form_data(editor_client.get(change_url(article))) | {"status": "published"}
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Only medical reviewers can publish an article." in response.content.decode()
    assert state(article) == before


@pytest.mark.django_db
def test_editor_cannot_create_a_published_article(editor_client):
    response = editor_client.post(ADD_URL, article_data(title="Sneaky", status="published"))
    assert response.status_code == 200
    assert "Only medical reviewers can publish an article." in response.content.decode()
    assert not Article.objects.filter(title="Sneaky").exists()


@pytest.mark.django_db
def test_editor_who_sends_review_fields_gets_a_clear_error(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    other_reviewer = make_expert()
    before = state(article)
    data = form_data(editor_client.get(change_url(article)))
    assert "reviewed_by" not in data  # read-only for editors
    data |= {"reviewed_by": str(other_reviewer.pk), "last_reviewed": "2026-02-02"}
    response = editor_client.post(change_url(article), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Only medical reviewers can change the review details" in html
    assert "medically reviewed by and last reviewed" in html
    assert state(article) == before


@pytest.mark.django_db
def test_editor_saves_content_and_sends_to_review(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    reviewer_before = article.reviewed_by_id
    data = form_data(editor_client.get(change_url(article)))
    data |= {"title": "Better title", "status": "in_review"}
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.status) == ("Better title", Article.Status.IN_REVIEW)
    assert article.reviewed_by_id == reviewer_before


@pytest.mark.django_db
def test_editor_may_correct_an_article_that_is_already_published(editor_client):
    article = make_article(sections=1)
    data = form_data(editor_client.get(change_url(article))) | {"summary": "A clearer summary."}
    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.summary == "A clearer summary."
    assert article.status == Article.Status.PUBLISHED


@pytest.mark.django_db
def test_reviewer_publishes_with_review_details(reviewer_client):
    doctor = make_expert()
    article = make_article(status=Article.Status.IN_REVIEW, reviewed_by=None, last_reviewed=None)
    data = form_data(reviewer_client.get(change_url(article)))
    data |= {"status": "published", "reviewed_by": str(doctor.pk), "last_reviewed": "2026-03-31"}
    response = reviewer_client.post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.reviewed_by == doctor
    assert article.next_review_due == datetime.date(2027, 3, 31)
    assert article in Article.objects.published()


@pytest.mark.django_db
def test_new_review_date_moves_next_review_unless_it_was_set_too(reviewer_client):
    article = make_article(last_reviewed=datetime.date(2026, 1, 15))
    assert article.next_review_due == datetime.date(2027, 1, 15)
    data = form_data(reviewer_client.get(change_url(article))) | {"last_reviewed": "2026-05-31"}
    assert reviewer_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.next_review_due == datetime.date(2027, 5, 31)

    data = form_data(reviewer_client.get(change_url(article)))
    data |= {"last_reviewed": "2026-06-01", "next_review_due": "2026-12-01"}
    assert reviewer_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.next_review_due == datetime.date(2026, 12, 1)


@pytest.mark.django_db
def test_future_publish_time_schedules_the_article(reviewer_client):
    article = make_article(status=Article.Status.IN_REVIEW)
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    data = form_data(reviewer_client.get(change_url(article)))
    data |= {
        "status": "published",
        "publish_at_0": tomorrow.strftime("%Y-%m-%d"),
        "publish_at_1": "09:00:00",
    }
    assert reviewer_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.is_scheduled
    assert article not in Article.objects.published()


# List actions --------------------------------------------------------------------


@pytest.mark.django_db
def test_editor_publish_action_is_refused_and_changes_nothing(editor_client):
    article = make_article(status=Article.Status.IN_REVIEW)
    before = state(article)
    response = run_action(editor_client, "publish", article)
    assert response.status_code == 200
    assert "Only medical reviewers can publish articles. Nothing was changed." in messages_of(
        response
    )
    assert state(article) == before


@pytest.mark.django_db
def test_reviewer_publish_action_publishes_and_names_articles_it_refuses(reviewer_client):
    ready = make_article(title="Ready", status=Article.Status.IN_REVIEW)
    unreviewed = make_article(
        title="No reviewer", status=Article.Status.IN_REVIEW, reviewed_by=None, last_reviewed=None
    )
    before = state(unreviewed)
    response = run_action(reviewer_client, "publish", ready, unreviewed)
    shown = messages_of(response)
    assert "Published: Ready." in shown
    assert any(
        m.startswith("“No reviewer” was not published: An article needs a medical reviewer")
        for m in shown
    )
    assert Article.objects.get(pk=ready.pk).is_published
    assert state(unreviewed) == before


@pytest.mark.django_db
def test_send_to_review_action_moves_drafts_and_leaves_published_ones(editor_client):
    draft = make_article(title="A draft", status=Article.Status.DRAFT)
    live = make_article(title="Live one")
    response = run_action(editor_client, "send_to_review", draft, live)
    shown = messages_of(response)
    assert "Sent to review: A draft." in shown
    assert any("Left as they are because they are published: Live one." in m for m in shown)
    assert Article.objects.get(pk=draft.pk).status == Article.Status.IN_REVIEW
    assert Article.objects.get(pk=live.pk).status == Article.Status.PUBLISHED


@pytest.mark.django_db
def test_archive_action_takes_articles_off_the_site(editor_client):
    live = make_article(title="Live one")
    response = run_action(editor_client, "archive", live)
    assert "Archived: Live one." in messages_of(response)
    assert Article.objects.get(pk=live.pk).status == Article.Status.ARCHIVED
    assert not Article.objects.published().filter(pk=live.pk).exists()


@pytest.mark.django_db
def test_actions_are_recorded_in_the_history(reviewer_client):
    article = make_article(status=Article.Status.IN_REVIEW)
    run_action(reviewer_client, "publish", article)
    html = reviewer_client.get(
        reverse("admin:articles_article_history", args=[article.pk])
    ).content.decode()
    assert "Published from the article list." in html
