"""Text that every page, feed and PDF can carry: no characters XML 1.0 refuses.

Word pastes a vertical tab for a line break and a form feed for a page break; other
control characters arrive from copied PDFs, spreadsheets and terminals. XML (the Atom
feed, the sitemap) cannot carry them at all, so they are removed when content is saved,
whatever the path, and again where XML is written, for rows stored before.
"""

import re

from django.db import models

# C0 controls but tab, newline and carriage return; DEL and the C1 controls; UTF-16
# surrogates (a str holds only lone ones, which no encoding can write); U+FFFE and U+FFFF.
UNCARRIABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Line and page breaks stay word breaks: "Sleep<VT>well" is two words.
BREAKS = str.maketrans({"\x0b": " ", "\x0c": " ", "\x85": " "})


def clean_text(value):
    """Return value without the control characters XML and PDFs cannot carry."""
    if not isinstance(value, str) or not UNCARRIABLE_RE.search(value):
        return value
    return UNCARRIABLE_RE.sub("", value.translate(BREAKS))


def text_fields(model):
    """Return the model's concrete text fields (CharField, TextField and their subclasses)."""
    text = (models.CharField, models.TextField)
    return [field for field in model._meta.concrete_fields if isinstance(field, text)]


def clean_text_fields(instance):
    """Clean every text field of a model instance in place."""
    for field in text_fields(type(instance)):
        value = getattr(instance, field.attname)
        cleaned = clean_text(value)
        if cleaned is not value:
            setattr(instance, field.attname, cleaned)


class CleanTextMixin:
    """Model mixin: text fields lose what XML and PDFs cannot carry, whatever the path.

    Before validation, so that a form's uniqueness check sees the value that will be
    stored ("Legs<ESC>" and "Legs" are one topic), and on every save, raw ones (fixtures,
    restoring a version) included. QuerySet.update() is the queryset's to clean.
    """

    def clean_fields(self, exclude=None):
        clean_text_fields(self)
        super().clean_fields(exclude)

    def save_base(self, *args, **kwargs):
        clean_text_fields(self)
        super().save_base(*args, **kwargs)


def clean_values(values):
    """Return a dict of field values (e.g. QuerySet.update's) with its strings cleaned."""
    return {name: clean_text(value) for name, value in values.items()}
