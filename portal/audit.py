"""The audit trail: who signed in, failed, changed roles or settings, exported, published.

Call `record(request, AuditEvent.Kind.PUBLISH, article)` from any workflow. Sign-ins,
failures, sign-outs, role changes and clinic-settings changes are recorded by the signal
receivers below; `AuditMiddleware` tells them who is acting and from which address.
"""

import contextvars
import csv
import logging

from axes.helpers import get_client_ip_address
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, pre_save
from django.http import HttpRequest, StreamingHttpResponse

from portal.models import AuditEvent, ClinicSettings

logger = logging.getLogger(__name__)
Kind = AuditEvent.Kind

# The request being handled, so signal receivers know who acted (None in the shell).
current_request = contextvars.ContextVar("audit_request", default=None)
# Fields of a user whose change is a change of role.
ROLE_FIELDS = ("is_superuser", "is_staff", "is_active")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def record(request_or_user, kind, obj=None, message="", *, username="", user=None):
    """Record one audit event by this request's user (or this user, or nobody)."""
    request = request_or_user if isinstance(request_or_user, HttpRequest) else None
    if user is None:
        user = getattr(request, "user", None) if request is not None else request_or_user
    if user is not None and not user.is_authenticated:
        user = None
    event = AuditEvent(
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        kind=kind,
        message=str(message),
        ip_address=client_ip(request),
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower[:100]
        event.object_id = str(obj.pk)[:64]
        event.object_repr = str(obj)[:200]
    # bulk_create sends no post_save: an audit row is not content and must not empty the
    # page cache or touch the search index.
    AuditEvent.objects.bulk_create([event])
    return event


def client_ip(request):
    """Return the client's address as the login throttle sees it (proxies counted)."""
    if request is None:
        return None
    try:
        return get_client_ip_address(request) or None
    except Exception:  # an odd header must not stop the action being recorded
        logger.exception("Audit: cannot read the client address")
        return None


class AuditMiddleware:
    """Remember the request being handled, for receivers that record who acted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def actor():
    """Return the current request, or None outside a request (shell, commands)."""
    return current_request.get()


# --- Signal receivers -------------------------------------------------------------


def logged_in(sender, request, user, **kwargs):
    record(request, Kind.LOGIN, user, user=user)


def login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    if credentials.get("second_factor"):
        record(request or actor(), Kind.SECOND_FACTOR_FAILED, message="Wrong or expired code.")
    else:
        record(request or actor(), Kind.LOGIN_FAILED, username=username)


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(user, Kind.LOGOUT, user)


def user_saving(sender, instance, update_fields=None, **kwargs):
    """Record changes to a user's superuser, staff or active flag."""
    if instance.pk is None or (
        update_fields is not None and not set(update_fields) & set(ROLE_FIELDS)
    ):
        return
    before = sender.objects.filter(pk=instance.pk).values(*ROLE_FIELDS).first()
    if before is None:
        return
    changes = [
        f"{field} {'on' if getattr(instance, field) else 'off'}"
        for field in ROLE_FIELDS
        if before[field] != getattr(instance, field)
    ]
    if changes:
        record_by_actor(Kind.ROLE_CHANGED, instance, f"{instance}: " + ", ".join(changes))


def memberships_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Record groups or permissions given to or taken from a user."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    what = "group" if sender is get_user_model().groups.through else "permission"
    verb = {"post_add": "added", "post_remove": "removed", "pre_clear": "removed"}[action]
    if action == "pre_clear":
        related = instance.groups.all() if what == "group" else instance.user_permissions.all()
        if reverse:  # a group or permission cleared of all its users
            related = instance.user_set.all()
        pk_set = {obj.pk for obj in related}
    if not pk_set:
        return
    if reverse:  # instance is the group or permission; pk_set holds users
        for user in model.objects.filter(pk__in=pk_set):
            record_by_actor(Kind.ROLE_CHANGED, user, f"{user}: {what} “{instance}” {verb}")
    else:
        names = ", ".join(sorted(str(obj) for obj in model.objects.filter(pk__in=pk_set)))
        record_by_actor(Kind.ROLE_CHANGED, instance, f"{instance}: {what} {verb}: {names}")


def settings_saving(sender, instance, raw=False, **kwargs):
    """Record which clinic settings changed (not the row's creation with defaults)."""
    if raw:
        return
    before = sender.objects.filter(pk=instance.pk).first() if instance.pk else None
    if before is None:
        return
    changed = [
        field.verbose_name
        for field in sender._meta.concrete_fields
        if field.name != "updated"
        and field.value_from_object(before) != field.value_from_object(instance)
    ]
    if changed:
        record_by_actor(Kind.SETTINGS_CHANGED, instance, "Changed: " + ", ".join(changed))


def record_by_actor(kind, obj, message):
    record(actor(), kind, obj, message)


def connect():
    """Record sign-ins, sign-outs, failures, role changes and clinic-settings changes."""
    User = get_user_model()
    user_logged_in.connect(logged_in, dispatch_uid="audit-login")
    user_login_failed.connect(login_failed, dispatch_uid="audit-login-failed")
    user_logged_out.connect(logged_out, dispatch_uid="audit-logout")
    pre_save.connect(user_saving, sender=User, dispatch_uid="audit-user")
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(memberships_changed, sender=through, dispatch_uid=f"audit-{through}")
    pre_save.connect(settings_saving, sender=ClinicSettings, dispatch_uid="audit-settings")


# --- CSV export -------------------------------------------------------------------

CSV_COLUMNS = [
    ("time", lambda e: e.time.isoformat()),
    ("username", lambda e: e.username),
    ("kind", lambda e: e.kind),
    ("object type", lambda e: e.object_type),
    ("object id", lambda e: e.object_id),
    ("object", lambda e: e.object_repr),
    ("message", lambda e: e.message),
    ("IP address", lambda e: e.ip_address or ""),
]


def csv_cell(value):
    """Return value safe to open in a spreadsheet: a formula start is quoted."""
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class Echo:
    def write(self, value):
        return value


def csv_response(events, filename="audit-trail.csv"):
    """Stream the events as CSV, one row each, formula-injection safe."""
    writer = csv.writer(Echo())

    def rows():
        yield writer.writerow([name for name, _ in CSV_COLUMNS])
        for event in events.iterator():
            yield writer.writerow([csv_cell(get(event)) for _, get in CSV_COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
