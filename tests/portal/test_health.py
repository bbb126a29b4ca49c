"""GET /healthz tells a monitor whether the portal and its database answer."""

from unittest import mock

from django.db import DatabaseError
from django.urls import reverse


def test_healthz_is_ok_when_the_database_answers(client, db):
    response = client.get(reverse("portal:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_is_503_when_the_database_fails(client, db):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError("down")
    ):
        response = client.get(reverse("portal:healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}


def test_healthz_refuses_post(client, db):
    assert client.post(reverse("portal:healthz")).status_code == 405
