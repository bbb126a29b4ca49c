"""Share a draft with an outside clinician: a signed, expiring, revocable, never-cached link."""

import datetime
import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import sharing
from articles.models import Section, ShareLink, ShareLinkOpening
from portal.models import AuditEvent
from tests.conftest import make_article, make_clinic, make_staff, publish

pytestmark = pytest.mark.django_db


def share_url(article):
    return reverse("admin:articles_article_share", args=[article.pk])


def make_link(client, article, **data):
    """Make a share link through the admin; return the ShareLink and its address (a path)."""
    response = client.post(share_url(article), {"days": "7", "version": ""} | data, follow=True)
    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"]]
    link = ShareLink.objects.latest("pk")
    path = re.search(r"https?://[^/]+(/preview/\S+/)", message).group(1)
    return link, path


@pytest.fixture
def draft():
    make_clinic(name="Riverside Clinic")
    article = make_article(title="Iron in pregnancy", status="draft")
    Section.objects.filter(article=article).update(body="<p>Draft words to check.</p>")
    return article


def test_the_change_form_offers_share_to_staff_who_may_change(editor_client, draft):
    url = reverse("admin:articles_article_change", args=[draft.pk])
    assert f'href="{share_url(draft)}"' in editor_client.get(url).content.decode()


def test_a_share_link_opens_anonymously_never_cached_and_noindex(editor_client, draft):
    link, path = make_link(editor_client, draft, shared_with="Dr Lee, neurology")
    assert link.created_by is not None
    assert link.expires_at > timezone.now() + datetime.timedelta(days=6)
    anonymous = Client()
    for _ in range(2):  # the page cache is on: a second visit must not come from it
        response = anonymous.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Iron in pregnancy" in html
        assert "Draft words to check." in html
        assert "Riverside Clinic" in html
        assert f"{timezone.localtime(link.expires_at):%-d %B %Y}" in html
        assert '<meta name="robots" content="noindex">' in html
        assert response["X-Robots-Tag"] == "noindex"
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control
        assert "private" in cache_control
    assert ShareLinkOpening.objects.filter(link=link).count() == 2
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SHARE_LINK).count() == 1
    assert not any(
        f.name in {"ip", "ip_address", "user_agent"} for f in ShareLinkOpening._meta.fields
    )


def test_a_revoked_link_answers_404_at_once(editor_client, draft):
    link, path = make_link(editor_client, draft)
    anonymous = Client()
    assert anonymous.get(path).status_code == 200
    revoke = reverse("admin:articles_article_share_revoke", args=[draft.pk, link.pk])
    assert editor_client.get(revoke).status_code == 405
    editor_client.post(revoke)
    response = anonymous.get(path)
    assert response.status_code == 404
    assert "expired, was withdrawn" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SHARE_LINK_REVOKED).count() == 1


def test_an_expired_link_answers_404(draft):
    link = ShareLink.objects.create(
        article=draft, expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    path = reverse("articles:shared_preview", args=[sharing.token_for(link)])
    response = Client().get(path)
    assert response.status_code == 404
    assert "Draft words" not in response.content.decode()


def test_a_link_expires_after_the_days_chosen(editor_client, draft):
    link, path = make_link(editor_client, draft, days="2")
    assert sharing.link_from(path.split("/")[2]) == link
    later = timezone.now() + datetime.timedelta(days=2, minutes=1)
    assert sharing.link_from(path.split("/")[2], now=later) is None


def test_a_tampered_token_answers_404(editor_client, draft):
    link, _ = make_link(editor_client, draft)
    forged = signing.dumps({"link": link.pk}, salt="another-salt")
    for token in [forged, sharing.token_for(link) + "x", "nonsense"]:
        path = reverse("articles:shared_preview", args=[token])
        assert Client().get(path).status_code == 404


@pytest.mark.parametrize(("days", "error"), [("31", "30 days at most"), ("0", "at least 1 day")])
def test_the_expiry_is_between_1_and_30_days(editor_client, draft, days, error):
    response = editor_client.post(share_url(draft), {"days": days, "version": ""})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ShareLink.objects.exists()


def test_a_link_can_show_a_chosen_version(editor_client):
    article = make_article(title="Released one")
    Section.objects.filter(article=article).update(body="<p>Unreviewed edit.</p>")
    publish(article, note="Second.")
    Section.objects.filter(article=article).update(body="<p>Working copy only.</p>")
    _, path = make_link(editor_client, article, version="1")
    html = Client().get(path).content.decode()
    assert "Body 1." in html
    assert "Working copy only." not in html
    assert "version 1" in html


def test_front_desk_cannot_share(client, draft):
    client.force_login(make_staff("Front desk"))
    assert client.get(share_url(draft)).status_code == 403
    assert client.post(share_url(draft), {"days": "7"}).status_code == 403
    assert not ShareLink.objects.exists()


def test_the_share_page_lists_links_with_revoke_buttons(editor_client, draft):
    link, _ = make_link(editor_client, draft, shared_with="Dr Lee")
    html = editor_client.get(share_url(draft)).content.decode()
    assert "Dr Lee" in html
    assert reverse("admin:articles_article_share_revoke", args=[draft.pk, link.pk]) in html
