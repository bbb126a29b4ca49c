"""Two-factor sign-in for staff: enrolment, app codes, recovery codes, lock-out, reset."""

import re
import time

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AuditEvent
from tests.conftest import make_article, make_staff
from tests.portal.test_settings import PROD_ENV, run_python

PASSWORD = "correct horse battery staple 42"
SETUP = "/admin/2fa/setup/"
VERIFY = "/admin/2fa/verify/"
# Every kind of admin page, and the staff-only packet view.
STAFF_PAGES = [
    "/admin/",
    "/admin/articles/article/",
    "/admin/articles/article/add/",
    "/admin/portal/clinicsettings/",
    "/admin/auth/user/",
    "/admin/portal/auditevent/",
    "/admin/otp_totp/totpdevice/",
    "/handouts/packet/",
]


@pytest.fixture(autouse=True)
def _no_device_pauses(settings):
    """django-otp pauses a device after a wrong code; these tests try again at once."""
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def required(settings):
    settings.STAFF_2FA = "required"


def make_user(**fields):
    user = make_staff(**({"is_superuser": True} | fields))
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, user):
    """Sign in with the password through the admin login form."""
    response = client.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def code_for(device, steps_ahead=0):
    """Return the code the staff member's app shows now (or a later time step)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled_user():
    """Return a user with a confirmed authenticator app and ten recovery codes."""
    user = make_user()
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Recovery codes")
    for token in ["aaaa2222", "bbbb3333", "cccc4444"]:
        StaticToken.objects.create(device=static, token=token)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_PAGES)
def test_password_only_reaches_no_staff_page_when_2fa_is_required(client, required, url):
    sign_in(client, make_user())
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{SETUP}?next=")


@pytest.mark.django_db
def test_password_only_cannot_post_to_the_admin_either(client, required):
    user = make_user()
    sign_in(client, user)
    response = client.post("/admin/auth/user/add/", {"username": "x", "password1": "y"})
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert not type(user).objects.filter(username="x").exists()


@pytest.mark.django_db
def test_enrolled_user_with_password_only_is_asked_for_a_code(client, required):
    sign_in(client, enrolled_user())
    response = client.get("/admin/articles/article/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2Farticles%2Farticle%2F"


@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_and_a_key_then_ten_recovery_codes(client, required):
    user = make_user()
    sign_in(client, user)
    page = client.get(f"{SETUP}?next=/admin/").content.decode()
    assert "<svg" in page
    assert "Clinic portal administration" in page  # the admin's own header and styles
    assert 'href="/static/admin/css/base.css"' in page
    assert all(re.search(r"<script[^>]*\ssrc=", tag) for tag in re.findall(r"<script[^>]*>", page))
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(SETUP, {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()

    done = client.post(SETUP, {"code": code_for(device, 1), "next": "/admin/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(kind="2fa_enrolled", user=user).exists()


@pytest.mark.django_db
def test_setup_page_keeps_the_same_key_until_confirmed(client, required):
    user = make_user()
    sign_in(client, user)
    client.get(SETUP)
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_sign_in_with_a_code_from_the_app(client, required):
    user = enrolled_user()
    sign_in(client, user)
    device = TOTPDevice.objects.get(user=user)
    assert client.get(VERIFY).status_code == 200
    response = client.post(f"{VERIFY}?next=/admin/articles/article/", {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/articles/article/"
    for url in ["/admin/", "/admin/articles/article/"]:
        assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(kind="2fa_passed", user=user).exists()


@pytest.mark.django_db
def test_a_code_is_accepted_once(client, required):
    user = enrolled_user()
    device = TOTPDevice.objects.get(user=user)
    code = code_for(device)
    sign_in(client, user)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post("/admin/logout/")
    sign_in(client, user)
    assert client.post(VERIFY, {"code": code}).status_code == 200  # refused: already used


@pytest.mark.django_db
def test_recovery_codes_work_once_each(client, required):
    user = enrolled_user()
    sign_in(client, user)
    assert client.post(VERIFY, {"code": "AAAA 2222"}).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")

    sign_in(client, user)
    again = client.post(VERIFY, {"code": "aaaa2222"})
    assert again.status_code == 200
    assert "That code is not right" in again.content.decode()
    assert client.get("/admin/").status_code == 302
    assert client.post(VERIFY, {"code": "bbbb3333"}).status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 1


@pytest.mark.django_db
def test_wrong_codes_count_as_failed_sign_ins_and_lock_out(client, required, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = enrolled_user()
    sign_in(client, user)
    assert client.post(VERIFY, {"code": "111111"}).status_code == 200
    assert client.post(VERIFY, {"code": "222222"}).status_code == 200
    locked = client.post(VERIFY, {"code": "333333"})
    assert locked.status_code == 429
    assert client.get("/admin/").status_code == 302  # signed out
    assert "_auth_user_id" not in client.session
    # The password alone no longer opens a session either.
    refused = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert refused.status_code == 429
    assert AuditEvent.objects.filter(kind="2fa_failed", user=user).count() == 3


@pytest.mark.django_db
def test_a_right_password_does_not_forget_wrong_codes(client, required, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = enrolled_user()
    sign_in(client, user)
    client.post(VERIFY, {"code": "111111"})
    client.post(VERIFY, {"code": "222222"})
    client.post("/admin/logout/")
    sign_in(client, user)  # the password is right: failures are kept all the same
    assert client.post(VERIFY, {"code": "333333"}).status_code == 429


@pytest.mark.django_db
def test_a_complete_sign_in_forgets_earlier_failures(client, required):
    user = enrolled_user()
    client.post("/admin/login/", {"username": user.username, "password": "wrong"})
    assert AccessAttempt.objects.filter(username=user.username).exists()
    sign_in(client, user)
    assert AccessAttempt.objects.filter(username=user.username).exists()
    client.post(VERIFY, {"code": code_for(TOTPDevice.objects.get(user=user))})
    assert not AccessAttempt.objects.filter(username=user.username).exists()


@pytest.mark.django_db
def test_optional_lets_staff_without_a_device_in_with_the_password(client, settings):
    settings.STAFF_2FA = "optional"
    sign_in(client, make_user())
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_optional_still_asks_enrolled_staff_for_a_code(client, settings):
    settings.STAFF_2FA = "optional"
    sign_in(client, enrolled_user())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


@pytest.mark.django_db
def test_half_signed_in_staff_can_sign_out(client, required):
    sign_in(client, make_user())
    assert 'action="/admin/2fa/sign-out/"' in client.get(SETUP).content.decode()
    assert client.post("/admin/2fa/sign-out/")["Location"] == "/admin/login/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_half_signed_in_staff_see_no_drafts(client, required):
    draft = make_article(status="draft")
    sign_in(client, make_user())
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


@pytest.mark.django_db
def test_code_pages_send_anonymous_visitors_to_the_login(client):
    for url in (SETUP, VERIFY):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_next_cannot_send_staff_to_another_site(client, required):
    user = enrolled_user()
    sign_in(client, user)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_reset_2fa_removes_the_devices_so_the_user_enrols_again(client, required, capsys):
    user = enrolled_user()
    call_command("reset_2fa", user.username)
    assert "Removed 2 two-factor device(s)" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(kind="2fa_reset", object_id=str(user.pk)).exists()
    sign_in(client, user)
    assert client.get("/admin/")["Location"].startswith(SETUP)


@pytest.mark.django_db
def test_reset_2fa_of_an_unknown_user_says_so():
    with pytest.raises(CommandError, match="No user named"):
        call_command("reset_2fa", "nobody")


def test_staff_2fa_is_required_in_production_and_optional_in_development():
    code = "from django.conf import settings; print(settings.STAFF_2FA)"
    assert run_python(code, **PROD_ENV).stdout.strip() == "required"
    assert run_python(code, DEBUG="1").stdout.strip() == "optional"
    assert run_python(code, **PROD_ENV, STAFF_2FA="optional").stdout.strip() == "optional"
    wrong = run_python(code, DEBUG="1", STAFF_2FA="sometimes")
    assert wrong.returncode != 0
    assert "STAFF_2FA must be" in wrong.stderr


def test_deploy_check_warns_when_2fa_is_optional():
    check = "from django.core.management import call_command; call_command('check', '--deploy', '--fail-level', 'WARNING')"
    code = f"import django; django.setup(); {check}"
    assert run_python(code, **PROD_ENV).returncode == 0
    optional = run_python(code, **PROD_ENV, STAFF_2FA="optional")
    assert optional.returncode != 0
    assert "portal.W001" in optional.stderr
