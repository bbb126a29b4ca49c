"""Two-factor sign-in for staff: an authenticator app (TOTP) plus ten recovery codes.

A password opens a session that can reach only the pages here (and sign-out) until a
code from the staff member's authenticator app, or one of their recovery codes, proves
the second factor (django-otp marks the session verified). With STAFF_2FA=required every
account must enrol at its first sign-in; with "optional" only accounts that enrolled are
asked. Wrong codes count as failed sign-ins for django-axes, so they lock out as wrong
passwords do, and only a complete sign-in forgets earlier failures.
"""

import base64
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import checks
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import audit

SESSION_KEY = "portal_2fa_needed"
RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


# --- Policy -----------------------------------------------------------------------


def needs_second_factor(request):
    """Say whether this request's user signed in with a password but no second factor yet."""
    user = request.user
    if not user.is_authenticated:
        return False
    if settings.STAFF_2FA != "required" and not request.session.get(SESSION_KEY):
        return False
    is_verified = getattr(user, "is_verified", None)  # set by django-otp's OTPMiddleware
    return not (is_verified and is_verified())


def on_login(sender, request, user, **kwargs):
    """Note whether this sign-in still needs a second factor; if not, it is complete."""
    if request is None:
        return
    needed = settings.STAFF_2FA == "required" or user_has_device(user)
    request.session[SESSION_KEY] = needed
    if not needed:
        sign_in_complete(request, user)


def sign_in_complete(request, user):
    """Forget this user's failed attempts from this address: both factors passed."""
    AxesProxyHandler.update_request(request)
    axes_reset(ip=request.axes_ip_address, username=user.get_username())


def connect():
    user_logged_in.connect(on_login, dispatch_uid="two-factor-login")


@checks.register(checks.Tags.security, deploy=True)
def check_required_in_production(app_configs, **kwargs):
    """Warn in `check --deploy` when a password alone signs staff in."""
    if settings.STAFF_2FA == "required":
        return []
    return [
        checks.Warning(
            "STAFF_2FA is 'optional': staff who never set up an authenticator app sign in "
            "with a password alone.",
            hint="Unset STAFF_2FA (it defaults to 'required' with DEBUG=0) or set it to 'required'.",
            id="portal.W001",
        )
    ]


class SecondFactorMiddleware:
    """Send a half-signed-in session to the code page, whatever it asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_second_factor(request) and request.path not in open_paths():
            has_app = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists()
            target = reverse("two_factor:verify" if has_app else "two_factor:setup")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def open_paths():
    """Return the paths a half-signed-in session may reach."""
    return {
        reverse("two_factor:verify"),
        reverse("two_factor:setup"),
        reverse("two_factor:sign_out"),
    }


# --- Pages ------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).replace("-", "").lower()


def next_url(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse("admin:index")


def guarded(view):
    """Decorate a code page: signed-in users only, nothing cached, no code in error reports."""
    view = sensitive_post_parameters("code")(never_cache(view))

    def wrapper(request):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('admin:login')}?{urlencode({'next': next_url(request)})}")
        return view(request)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def page(request, template, context, status=200):
    context = {
        "site_header": admin.site.site_header,
        "site_title": "Clinic portal admin",
        "next": next_url(request),
        **context,
    }
    return render(request, f"two_factor/{template}", context, status=status)


def locked_out(request, credentials):
    """Say whether this user is locked out; if so, end their half-open session."""
    return AxesProxyHandler.is_locked(request, credentials)


def lockout(request, credentials):
    logout(request)
    return get_lockout_response(request, None, credentials)


def failed(request, credentials):
    """Count a wrong code as a failed sign-in (django-axes locks out after enough)."""
    user_login_failed.send(
        sender=__name__, credentials={**credentials, "second_factor": True}, request=request
    )
    return getattr(request, "axes_locked_out", False)


@guarded
def verify(request):
    """Ask for a code from the authenticator app, or a recovery code."""
    user = request.user
    if not needs_second_factor(request):
        return redirect(next_url(request))
    if not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        return redirect(f"{reverse('two_factor:setup')}?{urlencode({'next': next_url(request)})}")
    credentials = {"username": user.get_username()}
    if locked_out(request, credentials):
        return lockout(request, credentials)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = match(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            sign_in_complete(request, user)
            message = "Recovery code used." if isinstance(device, StaticDevice) else ""
            audit.record(request, audit.Kind.SECOND_FACTOR_PASSED, device, message)
            return redirect(next_url(request))
        if failed(request, credentials):
            return lockout(request, credentials)
        form.add_error("code", "That code is not right, or has expired. Try the newest code.")
    return page(request, "verify.html", {"form": form, "title": "Enter your sign-in code"})


def match(user, code):
    """Return the device that accepts code: six digits for the app, else a recovery code."""
    model = TOTPDevice if code.isdigit() and len(code) in (6, 8) else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


@guarded
def setup(request):
    """Enrol an authenticator app with a QR code, then show ten recovery codes once."""
    user = request.user
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        if needs_second_factor(request):
            return redirect(
                f"{reverse('two_factor:verify')}?{urlencode({'next': next_url(request)})}"
            )
        return page(request, "enrolled.html", {"title": "Two-factor sign-in is set up"})
    credentials = {"username": user.get_username()}
    if locked_out(request, credentials):
        return lockout(request, credentials)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if form.cleaned_data["code"].isdigit() and device.verify_token(form.cleaned_data["code"]):
            codes = enrol(device)
            otp_login(request, device)
            sign_in_complete(request, user)
            audit.record(request, audit.Kind.SECOND_FACTOR_ENROLLED, device)
            context = {"codes": codes, "title": "Save your recovery codes"}
            return page(request, "recovery_codes.html", context)
        if failed(request, credentials):
            return lockout(request, credentials)
        form.add_error(
            "code",
            "That code is not right. Check the app shows this account and try the newest code.",
        )
    context = {
        "form": form,
        "title": "Set up two-factor sign-in",
        "qr_svg": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5)),  # noqa: S308 - segno's own SVG, no user text
        "secret": secret_for_typing(device),
    }
    return page(request, "setup.html", context)


@require_POST
def sign_out(request):
    """Sign out (the admin's own sign-out page is closed to a half-signed-in session)."""
    logout(request)
    return redirect("admin:login")


def enrol(device):
    """Confirm the app and replace the recovery codes; return the new codes."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=device.user).delete()
        static = StaticDevice.objects.create(user=device.user, name=RECOVERY_DEVICE_NAME)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def secret_for_typing(device):
    """Return the app's secret key in base32, in groups of four, for typing by hand."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def reset_devices(user):
    """Remove every second-factor device of user; return how many were removed."""
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    return len(devices)


urlpatterns = [
    path("verify/", verify, name="verify"),
    path("setup/", setup, name="setup"),
    path("sign-out/", sign_out, name="sign_out"),
]
