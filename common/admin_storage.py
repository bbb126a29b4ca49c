"""A failing media disk during an admin save: a clear form error, nothing lost."""

import logging

from django import forms

logger = logging.getLogger(__name__)

STORAGE_ERROR = (
    "The picture could not be stored: the server's disk is full or read-only. "
    "Nothing was saved; try again later or ask IT."
)


class StorageErrorMixin:
    """Show a form error when storing an upload fails, keeping everything typed.

    Files are written while the object is saved, after the form validated. If the media
    disk is full or read-only the storage raises OSError: the admin's transaction has
    already rolled back, so the form is shown again, with the posted values and an error
    on each uploaded field, and nothing is saved.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError:
            if request.method != "POST" or not request.FILES:
                raise
            logger.exception("Storing an upload failed; the form is shown again")
            request.storage_failed = True
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        if not getattr(request, "storage_failed", False):
            return form_class
        return type(form_class)(form_class.__name__, (StorageFailedForm, form_class), {})


class StorageFailedForm(forms.BaseForm):
    """Fail validation, naming the uploaded fields (or the form, for inline uploads)."""

    def clean(self):
        cleaned = super().clean()
        uploaded = [name for name in self.fields if self.add_prefix(name) in self.files]
        for name in uploaded:
            self.add_error(name, STORAGE_ERROR)
        if not uploaded:
            self.add_error(None, STORAGE_ERROR)
        return cleaned
