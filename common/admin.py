"""Admin mixins every app's model admins share: rich-text editor, safe uploads, history."""

import contextvars

from django.db import models
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Media
from reversion import add_to_revision, create_revision, set_comment, set_user

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
