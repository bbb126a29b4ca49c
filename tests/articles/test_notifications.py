"""Workflow emails and the audit trail: sent to review, published, sent back; weekly digest."""

import datetime
import io
from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ReviewDigest, Section
from common.email_url import parse_email_url
from portal.models import AuditEvent
from tests.admin_forms import form_data
from tests.conftest import make_article, make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

LIST_URL = reverse("admin:articles_article_changelist")
SECRET_TEXT = "Take two capsules of the secret remedy"
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://clinic.example.org"


def client_as(user):
    client = Client()
    client.force_login(user)
    return client


def draft_with_body():
    article = make_article(title="Magnesium and sleep", status="draft")
    Section.objects.filter(article=article).update(body=f"<p>{SECRET_TEXT}.</p>")
    return article


def send_to_review(client, article):
    return client.post(
        LIST_URL, {"action": "send_to_review", ACTION_CHECKBOX_NAME: [str(article.pk)]}
    )


def assert_no_body_text(message):
    assert SECRET_TEXT not in message.body
    assert SECRET_TEXT not in message.subject


def kinds(article):
    return list(
        AuditEvent.objects.filter(object_id=str(article.pk), object_type="articles.article")
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_sending_to_review_mails_the_active_reviewers_after_commit(
    django_capture_on_commit_callbacks,
):
    reviewer = make_staff("Medical reviewers", email="rev@example.org")
    make_staff("Medical reviewers", email="gone@example.org", is_active=False)
    make_staff("Editors", email="other-editor@example.org")
    editor = make_staff("Editors", email="ed@example.org", first_name="Ada")
    article = draft_with_body()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_to_review(client_as(editor), article)
        assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == [reviewer.email]
    assert "Magnesium and sleep" in message.subject
    assert "Ada sent “Magnesium and sleep” for medical review" in message.body
    publish = reverse("admin:articles_article_publish", args=[article.pk])
    assert f"https://clinic.example.org{publish}" in message.body
    assert_no_body_text(message)
    assert kinds(article) == [AuditEvent.Kind.SENT_TO_REVIEW]


def test_publishing_mails_the_editor_who_sent_it_and_is_audited(
    django_capture_on_commit_callbacks,
):
    make_staff("Medical reviewers", email="rev@example.org")
    editor = make_staff("Editors", email="ed@example.org")
    article = draft_with_body()
    send_to_review(client_as(editor), article)
    reviewer = client_as(make_staff("Medical reviewers", email="me@example.org"))
    url = reverse("admin:articles_article_publish", args=[article.pk])
    data = {"reviewed_by": article.reviewed_by_id, "reviewed_on": TODAY.isoformat(), "note": ""}
    with django_capture_on_commit_callbacks(execute=True):
        assert reviewer.post(url, data).status_code == 302
    [message] = mail.outbox
    assert message.to == [editor.email]
    assert message.subject == "Published: “Magnesium and sleep”"
    assert "version 1" in message.body
    assert f"https://clinic.example.org{article.get_absolute_url()}" in message.body
    assert_no_body_text(message)
    assert AuditEvent.Kind.PUBLISH in kinds(article)


def test_send_back_needs_a_comment(reviewer_client):
    article = make_article(status="in_review")
    url = reverse("admin:articles_article_send_back", args=[article.pk])
    response = reviewer_client.post(url, {"comment": "  "})
    assert response.status_code == 200
    assert "Write a comment" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW


def test_editors_cannot_send_back(editor_client):
    article = make_article(status="in_review")
    url = reverse("admin:articles_article_send_back", args=[article.pk])
    assert editor_client.post(url, {"comment": "No."}).status_code == 403


def test_publish_screen_offers_send_back(reviewer_client):
    article = make_article(status="in_review")
    html = reviewer_client.get(
        reverse("admin:articles_article_publish", args=[article.pk])
    ).content.decode()
    assert reverse("admin:articles_article_send_back", args=[article.pk]) in html
    assert "Send back to the editor" in html


def test_send_back_drafts_shows_the_comment_mails_the_editor_and_clears_on_resend(
    django_capture_on_commit_callbacks,
):
    editor = make_staff("Editors", email="ed@example.org")
    article = draft_with_body()
    editor_client = client_as(editor)
    send_to_review(editor_client, article)
    reviewer = client_as(make_staff("Medical reviewers", email="rev@example.org"))
    url = reverse("admin:articles_article_send_back", args=[article.pk])
    comment = "Please add the dose for children."
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(url, {"comment": comment})
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    assert response.status_code == 302
    assert response["Location"] == change_url
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.sent_back_comment == comment

    [message] = mail.outbox
    assert message.to == [editor.email]
    assert "sent “Magnesium and sleep” back to you" in message.body
    assert comment not in message.body  # the comment may quote the text: never mailed
    assert f"https://clinic.example.org{change_url}" in message.body
    assert_no_body_text(message)
    assert kinds(article) == [AuditEvent.Kind.SENT_TO_REVIEW, AuditEvent.Kind.SENT_BACK]

    assert comment in editor_client.get(change_url).content.decode()
    data = form_data(editor_client.get(change_url)) | {"status": "in_review"}
    assert editor_client.post(change_url, data).status_code == 302
    article.refresh_from_db()
    assert article.sent_back_comment == ""
    assert comment not in editor_client.get(change_url).content.decode()


def test_without_a_sender_the_last_editor_in_history_is_told(django_capture_on_commit_callbacks):
    editor = make_staff("Editors", email="ed@example.org")
    article = make_article(status="draft")
    editor_client = client_as(editor)
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(editor_client.get(change_url)) | {"title": "Renamed"}
    assert editor_client.post(change_url, data).status_code == 302
    Article.objects.filter(pk=article.pk).update(status="in_review")
    reviewer = client_as(make_staff("Medical reviewers", email="rev@example.org"))
    url = reverse("admin:articles_article_send_back", args=[article.pk])
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(url, {"comment": "Not yet."})
    assert [m.to for m in mail.outbox] == [[editor.email]]


def test_archiving_is_audited(reviewer_client):
    article = make_article()
    reviewer_client.post(LIST_URL, {"action": "archive", ACTION_CHECKBOX_NAME: [str(article.pk)]})
    assert kinds(article) == [AuditEvent.Kind.ARCHIVE]


def test_review_digest_is_sent_once_per_iso_week():
    reviewers = [make_staff("Medical reviewers", email=f"r{i}@example.org") for i in range(2)]
    make_staff("Editors", email="ed@example.org")
    article = make_article(title="Due soon", next_review_due=TODAY + datetime.timedelta(days=5))
    Section.objects.filter(article=article).update(body=f"<p>{SECRET_TEXT}.</p>")
    make_article(title="Due later", next_review_due=TODAY + datetime.timedelta(days=90))

    call_command("send_review_digest", stdout=io.StringIO())
    call_command("send_review_digest", stdout=io.StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == [u.email for u in reviewers]
    message = mail.outbox[0]
    assert "Due soon" in message.body
    assert "Due later" not in message.body
    change = reverse("admin:articles_article_change", args=[article.pk])
    assert f"https://clinic.example.org{change}" in message.body
    assert_no_body_text(message)
    assert ReviewDigest.objects.count() == 2

    next_week = TODAY + datetime.timedelta(days=7)
    with mock.patch("django.utils.timezone.localdate", return_value=next_week):
        call_command("send_review_digest", stdout=io.StringIO())
    assert len(mail.outbox) == 4


def test_review_digest_sends_nothing_when_nothing_is_due():
    make_staff("Medical reviewers", email="r@example.org")
    make_article(next_review_due=TODAY + datetime.timedelta(days=90))
    call_command("send_review_digest", stdout=io.StringIO())
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://user:p%40ss@mail.example.org:587",
            {"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": 587, "EMAIL_HOST_USER": "user",
             "EMAIL_HOST_PASSWORD": "p@ss", "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False},
        ),
        (
            "smtps://user:pw@mail.example.org",
            {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False},
        ),
        ("smtp://relay.internal", {"EMAIL_PORT": 25, "EMAIL_USE_TLS": False}),
        ("smtp://relay.internal:2525?tls=1", {"EMAIL_PORT": 2525, "EMAIL_USE_TLS": True}),
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
    ],
)  # fmt: skip
def test_email_url_is_parsed(url, expected):
    parsed = parse_email_url(url)
    assert {key: parsed[key] for key in expected} == expected


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "smtp://host:port"])
def test_a_bad_email_url_is_refused_with_a_clear_error(url):
    with pytest.raises(ValueError, match="EMAIL_URL"):
        parse_email_url(url)
