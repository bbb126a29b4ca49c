"""Every staff route, walked by every role: the status code each one gets is in a table.

Add a row to EXPECTED for each new route (the lead's release routes go here); a model
registered in the admin without rows fails test_every_admin_model_is_in_the_table.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from reversion import add_to_revision, create_revision
from reversion.models import Version
from taggit.models import Tag

from articles.models import SlugRedirect, Topic
from portal import audit
from portal.models import AuditEvent
from tests.conftest import (
    make_article,
    make_clinic,
    make_expert,
    make_reference,
    make_staff,
    make_topic,
    publish,
)

ROLES = ["Editors", "Medical reviewers", "Front desk", "no group", "superuser"]
OK, FOUND, DENIED = 200, 302, 403

# route → status for (Editors, Medical reviewers, Front desk, no group, superuser).
# "model kind" routes are admin pages: kind is changelist, add, change, history, delete
# or recoverlist (django-reversion's "Recover deleted"); others are named below.
EDIT_NO_DELETE = {
    "changelist": (OK, OK, DENIED, DENIED, OK),
    "add": (OK, OK, DENIED, DENIED, OK),
    "change": (OK, OK, DENIED, DENIED, OK),
    "history": (OK, OK, DENIED, DENIED, OK),
    "delete": (DENIED, DENIED, DENIED, DENIED, OK),
    "recoverlist": (OK, OK, DENIED, DENIED, OK),
}
FRONT_DESK_VIEWS = EDIT_NO_DELETE | {
    "changelist": (OK, OK, OK, DENIED, OK),
    "change": (OK, OK, OK, DENIED, OK),  # a read-only page for the front desk
    "history": (OK, OK, OK, DENIED, OK),
}
SUPERUSER_ONLY = {
    "changelist": (DENIED, DENIED, DENIED, DENIED, OK),
    "add": (DENIED, DENIED, DENIED, DENIED, OK),
    "change": (DENIED, DENIED, DENIED, DENIED, OK),
    "history": (DENIED, DENIED, DENIED, DENIED, OK),
    "delete": (DENIED, DENIED, DENIED, DENIED, OK),
}
NOBODY_ADDS = SUPERUSER_ONLY | {"add": (DENIED,) * 5}  # rows made by the system only
READ_ONLY_FOR_SUPERUSERS = NOBODY_ADDS | {"delete": (DENIED,) * 5}
EXPECTED = {
    "admin index": (OK, OK, OK, OK, OK),
    "articles.article": FRONT_DESK_VIEWS,
    "articles.article compare": (OK, OK, OK, DENIED, OK),
    # Releases: made only by publishing (reviewers), never changed or deleted by anyone.
    "articles.release": {
        "changelist": (OK, OK, OK, DENIED, OK),
        "add": (DENIED,) * 5,
        "change": (OK, OK, OK, DENIED, OK),  # read-only
        "history": (OK, OK, OK, DENIED, OK),
        "delete": (DENIED,) * 5,
    },
    "article publish screen": (DENIED, OK, DENIED, DENIED, OK),
    "article versions": (OK, OK, OK, DENIED, OK),
    "article versions compare": (OK, OK, OK, DENIED, OK),
    "article version reschedule": (DENIED, OK, DENIED, DENIED, OK),
    "working-copy preview": (OK, OK, 404, 404, OK),
    "draft handout": (OK, OK, 404, 404, OK),
    "articles.topic": FRONT_DESK_VIEWS,
    "articles.reference": EDIT_NO_DELETE,
    "experts.expert": EDIT_NO_DELETE,
    "taggit.tag": {k: v for k, v in EDIT_NO_DELETE.items() if k != "recoverlist"},
    # Old addresses are kept by the system; only superusers look at or remove them.
    "articles.slugredirect": SUPERUSER_ONLY,
    "portal.clinicsettings": {
        "changelist": (DENIED, DENIED, DENIED, DENIED, FOUND),  # straight to the one row
        "add": (DENIED,) * 5,  # the row exists
        "change": (DENIED, DENIED, DENIED, DENIED, OK),
        "history": (DENIED, DENIED, DENIED, DENIED, OK),
        "delete": (DENIED,) * 5,
    },
    "portal.auditevent": READ_ONLY_FOR_SUPERUSERS | {"change": (DENIED,) * 4 + (OK,)},
    "auth.user": SUPERUSER_ONLY,
    "auth.group": SUPERUSER_ONLY,
    "otp_totp.totpdevice": SUPERUSER_ONLY,
    "otp_static.staticdevice": SUPERUSER_ONLY,
    "axes.accessattempt": NOBODY_ADDS,
    "axes.accesslog": NOBODY_ADDS,
    "axes.accessfailurelog": NOBODY_ADDS,
    # The packet page answers a POST from the article list; a GET goes back to the list.
    "handout packet": (FOUND, FOUND, FOUND, DENIED, FOUND),
}


def make_objects():
    """Create one row of every model the admin shows; return {label: object}."""
    article = make_article(topics=[make_topic()], tags=["sleep"])
    with create_revision():  # a version to compare with
        add_to_revision(article)
    user = make_staff()
    rows = {
        "articles.article": article,
        "articles.release": article.releases.get(),
        "draft": make_article(status="draft"),
        "articles.topic": Topic.objects.first(),
        "articles.reference": make_reference(),
        "articles.slugredirect": SlugRedirect.objects.create(old_slug="old", article=article),
        "experts.expert": make_expert(),
        "taggit.tag": Tag.objects.get(name="sleep"),
        "portal.clinicsettings": make_clinic(),
        "portal.auditevent": audit.record(user, AuditEvent.Kind.LOGIN, user),
        "auth.user": user,
        "auth.group": Group.objects.get(name="Editors"),
        "otp_totp.totpdevice": TOTPDevice.objects.create(user=user, name="app"),
        "otp_static.staticdevice": StaticDevice.objects.create(user=user, name="codes"),
        "axes.accessattempt": AccessAttempt.objects.create(username="x", failures_since_start=1),
        "axes.accesslog": AccessLog.objects.create(username="x"),
        "axes.accessfailurelog": AccessFailureLog.objects.create(username="x"),
    }
    return rows


def routes(objects):
    """Return [(table key, kind, url)] for every staff route."""
    found = [("admin index", None, reverse("admin:index"))]
    for label, obj in objects.items():
        if label == "draft":
            continue
        app, model = label.split(".")
        for kind in EXPECTED[label]:
            args = [] if kind in ("changelist", "add", "recoverlist") else [obj.pk]
            found.append((label, kind, reverse(f"admin:{app}_{model}_{kind}", args=args)))
    article = objects["articles.article"]
    compare = reverse("admin:articles_article_compare", args=[article.pk])
    version = Version.objects.get_for_object(article).first()
    found.append(("articles.article compare", None, f"{compare}?from={version.pk}"))
    found.append(("handout packet", None, reverse("articles:packet")))
    release = objects["articles.release"]
    later = publish(article, note="Later.", go_live_at=timezone.now() + timedelta(days=1))
    for key, name, args, query in [
        ("article publish screen", "admin:articles_article_publish", [article.pk], ""),
        ("article versions", "admin:articles_article_releases", [article.pk], ""),
        (
            "article versions compare",
            "admin:articles_article_compare_releases",
            [article.pk],
            "?from=1&to=working",
        ),
        (
            "article version reschedule",
            "admin:articles_article_reschedule",
            [article.pk, later.number],
            "",
        ),
    ]:
        found.append((key, None, reverse(name, args=args) + query))
    draft = objects["draft"]
    found.append(("working-copy preview", None, draft.get_absolute_url()))
    found.append(("draft handout", None, reverse("articles:handout", args=[draft.slug])))
    assert release.number == 1
    return found


def client_for(client, role):
    if role == "superuser":
        user = make_staff(is_superuser=True)
    else:
        user = make_staff(None if role == "no group" else role)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_on_every_staff_route(client, role):
    client = client_for(client, role)
    column = ROLES.index(role)
    wrong = {}
    for key, kind, url in routes(make_objects()):
        expected = (EXPECTED[key][kind] if kind else EXPECTED[key])[column]
        status = client.get(url).status_code
        if status != expected:
            wrong[f"{key} {kind or ''} {url}"] = f"got {status}, expected {expected}"
    assert wrong == {}


@pytest.mark.django_db
def test_every_admin_model_is_in_the_table():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == {key for key in EXPECTED if "." in key and " " not in key}


@pytest.mark.django_db
def test_front_desk_can_print_a_packet_and_nothing_else(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    article = make_article()
    client.force_login(make_staff("Front desk"))
    changelist = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert 'value="print_handout_packet"' in changelist
    assert 'value="archive"' not in changelist
    assert 'value="send_to_review"' not in changelist
    response = client.post(reverse("articles:packet"), {"articles": [article.pk], "paper": "a4"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_staff_without_a_group_cannot_print_a_packet(client):
    article = make_article()
    client.force_login(make_staff())
    response = client.post(reverse("articles:packet"), {"articles": [article.pk], "paper": "a4"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_front_desk_group_holds_only_view_permissions_for_articles_releases_and_topics():
    perms = Group.objects.get(name="Front desk").permissions.all()
    assert sorted(f"{p.content_type.app_label}.{p.codename}" for p in perms) == [
        "articles.view_article",
        "articles.view_release",
        "articles.view_topic",
    ]
