"""Admin mixins every app's model admins share: rich-text editor, safe uploads, history,
no lost updates."""

import contextvars

from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Media
from reversion import add_to_revision, create_revision, is_registered, set_comment, set_user
from reversion.models import Version

from common.admin_storage import StorageErrorMixin
from common.richtext import EDITOR_CONFIG, RichTextField
from common.uploads import SafeImageField


class PortalFieldsMixin:
    """Rich-text editor and safe image uploads, for model admins and inlines alike."""

    formfield_overrides = {
        # Listed before TextField in the field's MRO, so the admin's plain textarea
        # default does not replace the rich-text editor.
        RichTextField: {
            "widget": AdminProseEditorWidget(config=EDITOR_CONFIG, preset="configurable")
        },
        models.ImageField: {"form_class": SafeImageField},
        # Staff often type addresses without a scheme; https is the right guess.
        models.URLField: {"assume_scheme": "https"},
    }


class PortalAdminMixin(StorageErrorMixin, PortalFieldsMixin):
    """PortalFieldsMixin plus a CSP nonce for the rich-text editor's import map, and a
    form error instead of a 500 when the media disk cannot store an upload."""

    def render_change_form(self, request, context, *args, **kwargs):
        # The editor needs an inline <script type="importmap">; the strict CSP lets it
        # run only with this request's nonce (django-csp adds it to the header on use).
        nonce = getattr(request, "csp_nonce", None)
        if nonce is not None and "media" in context:
            context["media"] = Media.from_media(context["media"], nonce=nonce)
        return super().render_change_form(request, context, *args, **kwargs)


class VersionBeforeDeleteMixin:
    """Save a last version before deleting, so anything deleted can be recovered.

    Rows created outside the admin (the demo loader, the shell) have no version yet;
    without this, "Recover deleted" would not list them.
    """

    def delete_model(self, request, obj):
        self._save_last_version(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._save_last_version(request, queryset)
        super().delete_queryset(request, queryset)

    @staticmethod
    def _save_last_version(request, objects):
        def save():
            with create_revision():
                set_user(request.user)
                set_comment("Deleted.")
                for obj in objects:
                    add_to_revision(obj)

        # The list's delete action runs inside the list view's own revision, which is
        # saved after the rows are gone (and then skips them). django-reversion keeps
        # its revision stack in a context variable, so a fresh context saves this
        # version now, on the same database connection and transaction.
        contextvars.Context().run(save)


class ReadOnlyAdminMixin:
    """A record nobody adds, changes or deletes through the admin (it is made by the system)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def module_view(model_admin, function):
    """Return an admin URL's view for a view function kept in its own module.

    The function is called as function(model_admin, request, *args), behind the admin's
    login and CSRF checks; it checks its own permission.
    """

    def view(request, *args, **kwargs):
        return function(model_admin, request, *args, **kwargs)

    return model_admin.admin_site.admin_view(view)


class StaleSaveMixin:
    """Refuse to save a change form over a newer version of the row (no lost updates).

    The change form carries the version it was loaded at (the row's `updated` time) in a
    hidden field. If someone saved the row since, the save is refused with a message
    naming who and when, linking to their change; the form comes back with everything
    the user typed, now marked as loaded at the newer version, so saving again is a
    deliberate choice to replace it.
    """

    version_field = "updated"
    # An admin URL name taking (object_id) and ?from=&to= version ids, to show a change;
    # the object's history page when None.
    compare_url_name = None

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and self.has_change_permission(request, obj):
            fieldsets.append((None, {"fields": [LOADED_VERSION], "classes": ["hidden"]}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.pop("form", self.form)
        attrs = {
            LOADED_VERSION: forms.CharField(widget=forms.HiddenInput, required=False),
            "model_admin": self,
        }
        form = type(base.__name__, (VersionCheckedForm, base), attrs)
        return super().get_form(request, obj, change=change, form=form, **kwargs)

    def version_of(self, obj, lock=False):
        """Return the row's version as stored now, as text ("" for a new row)."""
        if obj.pk is None:
            return ""
        rows = type(obj)._default_manager.filter(pk=obj.pk)
        if lock:
            rows = rows.select_for_update()
        value = rows.values_list(self.version_field, flat=True).first()
        return value.isoformat() if value is not None else ""

    def stale_message(self, obj):
        """Return the refusal: who saved the row last and when, with a link to their change."""
        user, when, url = last_change(obj, self.compare_url_name)
        who = (user.get_full_name() or user.get_username()) if user else "Someone"
        when = f" on {timezone.localtime(when):%d %B %Y at %H:%M}" if when else ""
        return format_html(
            "{}{} saved this {} after you opened it. "
            '<a href="{}" target="_blank" rel="noopener">See their change</a> (opens in a new '
            "tab). Nothing was saved: your text is still below. Save again to replace their "
            "version with yours, or reload the page to start from theirs.",
            who,
            when,
            obj._meta.verbose_name,
            url,
        )


LOADED_VERSION = "loaded_version"


class VersionCheckedForm:
    """The form half of StaleSaveMixin: compares the posted version with the stored one."""

    model_admin = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            value = getattr(self.instance, self.model_admin.version_field, None)
            self.initial[LOADED_VERSION] = value.isoformat() if value else ""

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None or LOADED_VERSION not in self.data:
            return cleaned_data
        current = self.model_admin.version_of(self.instance, lock=True)
        if current and self.data[LOADED_VERSION] != current:
            self.add_error(None, self.model_admin.stale_message(self.instance))
            self.data = self.data.copy()
            self.data[LOADED_VERSION] = current
        return cleaned_data


def last_change(obj, compare_url_name=None):
    """Return (user, time, url of the change) of the row's latest saved version."""
    versions = []
    if is_registered(type(obj)):
        versions = list(Version.objects.get_for_object(obj).select_related("revision__user")[:2])
    opts = obj._meta
    history = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    if versions:
        latest = versions[0]
        url = history
        if compare_url_name and len(versions) == 2:
            compare = reverse(compare_url_name, args=[obj.pk])
            url = f"{compare}?from={versions[1].pk}&to={latest.pk}"
        return latest.revision.user, latest.revision.date_created, url
    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )
        .select_related("user")
        .order_by("-action_time")
        .first()
    )
    if entry is not None:
        return entry.user, entry.action_time, history
    return None, None, history
