"""The audit trail: what it records, who may read it, and its CSV export."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal import audit
from portal import cache as page_cache
from portal.models import AuditEvent
from tests.admin_forms import form_data
from tests.conftest import make_article, make_clinic, make_staff

Kind = AuditEvent.Kind
PASSWORD = "correct horse battery staple 42"
CHANGELIST = "/admin/portal/auditevent/"


def staff_with_password(**fields):
    user = make_staff(**fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def kinds():
    return list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))


@pytest.mark.django_db
def test_sign_in_failure_and_sign_out_are_recorded(client):
    user = staff_with_password()
    client.post("/admin/login/", {"username": "no-such-person", "password": "guess"})
    client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    client.post("/admin/logout/")
    failed, signed_in, signed_out = AuditEvent.objects.order_by("pk")
    assert (failed.kind, failed.username, failed.user) == (
        Kind.LOGIN_FAILED,
        "no-such-person",
        None,
    )
    assert failed.ip_address == "127.0.0.1"
    assert (signed_in.kind, signed_in.user, signed_in.username) == (Kind.LOGIN, user, user.username)
    assert signed_out.kind == Kind.LOGOUT


@pytest.mark.django_db
def test_clinic_settings_changes_are_recorded_with_who_and_what(admin_client):
    make_clinic(name="Old name")
    url = reverse("admin:portal_clinicsettings_change", args=[1])
    data = form_data(admin_client.get(url)) | {"name": "New name"}
    assert admin_client.post(url, data).status_code == 302
    event = AuditEvent.objects.filter(kind=Kind.SETTINGS_CHANGED).order_by("pk").last()
    assert event.user.is_superuser
    assert event.message == "Changed: name"
    assert event.object_repr == "New name"


@pytest.mark.django_db
def test_group_membership_changes_are_recorded_with_who_did_them(admin_client):
    user = make_staff()
    url = reverse("admin:auth_user_change", args=[user.pk])
    editors = Group.objects.get(name="Editors")
    data = form_data(admin_client.get(url)) | {"groups": [editors.pk]}
    assert admin_client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(kind=Kind.ROLE_CHANGED)
    assert event.user.is_superuser
    assert event.object_id == str(user.pk)
    assert event.message == f"{user.username}: group added: Editors"


@pytest.mark.django_db
def test_role_changes_outside_the_admin_are_recorded_too():
    user = make_staff()
    editors = Group.objects.get(name="Editors")
    editors.user_set.add(user)
    user.groups.remove(editors)
    user.is_superuser = True
    user.save()
    user.groups.add(editors)
    user.groups.clear()
    messages = list(
        AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED)
        .order_by("pk")
        .values_list("message", flat=True)
    )
    assert messages == [
        f"{user.username}: group “Editors” added",
        f"{user.username}: group removed: Editors",
        f"{user.username}: is_superuser on",
        f"{user.username}: group added: Editors",
        f"{user.username}: group removed: Editors",
    ]


@pytest.mark.django_db
def test_saving_last_login_is_not_a_role_change(client):
    user = staff_with_password()
    client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert not AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED).exists()


@pytest.mark.django_db
def test_record_is_a_small_public_function_for_workflows(rf):
    article = make_article()
    user = make_staff()
    request = rf.post("/", REMOTE_ADDR="203.0.113.9")
    request.user = user
    event = audit.record(request, Kind.PUBLISH, article, "Release 3")
    stored = AuditEvent.objects.get(pk=event.pk) if event.pk else AuditEvent.objects.get()
    assert (stored.kind, stored.user, stored.object_type) == (
        Kind.PUBLISH,
        user,
        "articles.article",
    )
    assert (stored.object_id, stored.object_repr) == (str(article.pk), article.title)
    assert (stored.message, stored.ip_address) == ("Release 3", "203.0.113.9")
    audit.record(user, Kind.SHARE_LINK, article)
    audit.record(None, Kind.ARCHIVE, article)
    assert kinds() == [Kind.PUBLISH, Kind.SHARE_LINK, Kind.ARCHIVE]


@pytest.mark.django_db
def test_recording_does_not_empty_the_page_cache(client, clinic):
    make_article()
    generation = page_cache.new_generation()
    audit.record(None, Kind.EXPORT, message="x")
    assert page_cache.read_stamp(page_cache.stamp_path()) == generation


@pytest.mark.django_db
def test_only_superusers_see_the_trail_and_nobody_edits_it(client, admin_client):
    event = audit.record(None, Kind.EXPORT)
    for group in ["Editors", "Medical reviewers", "Front desk", None]:
        client.force_login(make_staff(group))
        assert client.get(CHANGELIST).status_code == 403
    assert admin_client.get(CHANGELIST).status_code == 200
    change = reverse("admin:portal_auditevent_change", args=[event.pk])
    assert admin_client.post(change, {"message": "edited"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:portal_auditevent_delete", args=[event.pk])).status_code
        == 403
    )
    assert admin_client.get(reverse("admin:portal_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(kind=Kind.EXPORT).message == ""


@pytest.mark.django_db
def test_trail_filters_by_kind_and_date(admin_client):
    audit.record(None, Kind.EXPORT, message="the export")
    audit.record(None, Kind.LOGIN_FAILED, message="the failure")
    page = admin_client.get(CHANGELIST, {"kind": "export"}).content.decode()
    assert "the export" in page
    assert "the failure" not in page
    today = AuditEvent.objects.first().time
    page = admin_client.get(
        CHANGELIST, {"time__year": today.year, "time__month": today.month}
    ).content.decode()
    assert "the export" in page


@pytest.mark.django_db
def test_csv_export_is_formula_safe_and_itself_recorded(admin_client):
    audit.record(None, Kind.LOGIN_FAILED, username='=HYPERLINK("http://evil")', message="+1")
    audit.record(None, Kind.LOGIN_FAILED, username="@SUM(A1)", message="-2")
    audit.record(None, Kind.LOGIN_FAILED, username="plain", message="fine")
    ids = list(AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED).values_list("pk", flat=True))
    response = admin_client.post(CHANGELIST, {"action": "export_csv", "_selected_action": ids})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["time", "username", "kind"]
    cells = {(row[1], row[6]) for row in rows[1:]}
    assert cells == {
        ('\'=HYPERLINK("http://evil")', "'+1"),
        ("'@SUM(A1)", "'-2"),
        ("plain", "fine"),
    }
    export = AuditEvent.objects.get(kind=Kind.EXPORT)
    assert export.user.is_superuser
    assert export.message == "Audit trail, 3 events"


def test_csv_cell_quotes_every_formula_start():
    for start in ["=", "+", "-", "@", "\t", "\r"]:
        assert audit.csv_cell(f"{start}x") == f"'{start}x"
    assert audit.csv_cell("a=b") == "a=b"
