"""`make run` helpers: the admin account is created once, its password printed once."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command


def run(name):
    out = StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_ensure_admin_creates_an_admin_and_prints_a_working_password(db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    output = run("ensure_admin")
    password = output.split("password:")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password(password)


def test_ensure_admin_uses_the_given_password(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-given-passw0rd")
    output = run("ensure_admin")
    assert "a-long-given-passw0rd" not in output
    assert get_user_model().objects.get(username="admin").check_password("a-long-given-passw0rd")


def test_ensure_admin_twice_keeps_the_first_account(db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    first = run("ensure_admin")
    password = first.split("password:")[1].split()[0]
    second = run("ensure_admin")
    assert "exists" in second
    assert "password:" not in second
    assert get_user_model().objects.count() == 1
    assert get_user_model().objects.get().check_password(password)


def test_admin_login_with_printed_password_works(client, db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    password = run("ensure_admin").split("password:")[1].split()[0]
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": password}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"].is_authenticated
    assert "Site administration" in response.content.decode()


def test_admin_login_is_throttled_after_repeated_failures(client, db, monkeypatch, settings):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    password = run("ensure_admin").split("password:")[1].split()[0]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin", "password": password})
    assert response.status_code == 429
    assert not client.session.get("_auth_user_id")
