"""Inline rows ordered by `position`, shared by every app's admin."""

from collections import Counter

from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.text import get_text_list

# Rows being moved are parked at the top of the position range while the formset saves.
PARKING_POSITION = 32767


class PositionedInlineFormSet(BaseInlineFormSet):
    """Inline rows ordered by `position`.

    New rows left at 0 or blank are numbered after the others, duplicate numbers get
    a clear error, and rows can swap places without tripping the unique constraint.
    Formsets of one page may share `siblings` (prefix -> formset) so one can check
    another: see `sharing_siblings()`.
    """

    siblings = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.siblings is None:
            self.siblings = {}
        self.siblings[self.prefix] = self

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "position" in form.fields:
            form.fields["position"].required = False
            form.fields["position"].help_text = "Leave at 0 to add it at the end."

    def kept_forms(self):
        """Return the valid forms that will be saved (not deleted, not left empty)."""
        return [
            form
            for form in self.forms
            if form.is_valid()
            and form.cleaned_data
            and not (self.can_delete and self._should_delete_form(form))
            and (form.instance.pk or form.has_changed())
        ]

    def clean(self):
        kept = self.kept_forms()
        self._number_new_rows(kept)
        positions = Counter(form.instance.position for form in kept if form.instance.position)
        duplicates = sorted(position for position, count in positions.items() if count > 1)
        if duplicates:
            plural = self.model._meta.verbose_name_plural
            numbers = get_text_list([str(n) for n in duplicates], "and")
            raise ValidationError(
                f"Two or more {plural} have position {numbers}. Give each one its own "
                "number, or leave new ones at 0 to add them at the end.",
                code="duplicate_position",
            )
        super().clean()

    def _number_new_rows(self, kept):
        taken = [form.cleaned_data.get("position") or 0 for form in kept]
        next_position = max(taken, default=0) + 1
        for form in kept:
            if form.cleaned_data.get("position"):
                continue
            if form.instance.pk and not form.has_changed():
                continue
            form.cleaned_data["position"] = form.instance.position = next_position
            next_position += 1

    def save_existing_objects(self, commit=True):
        if commit:
            moving = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk
                and (form in self.deleted_forms or "position" in form.changed_data)
            ]
            for offset, pk in enumerate(moving):
                self.model._default_manager.filter(pk=pk).update(position=PARKING_POSITION - offset)
        return super().save_existing_objects(commit)


def sharing_siblings(formsets_with_inlines):
    """Yield (formset class, inline) pairs whose formsets of one request see each other."""
    siblings = {}
    for formset, inline in formsets_with_inlines:
        if issubclass(formset, PositionedInlineFormSet):
            formset = type(formset.__name__, (formset,), {"siblings": siblings})
        yield formset, inline
