"""Texts patients read of topics and experts, in the page's language.

Articles are translated as articles of their own (articles/translations.py). A topic's
name and introduction, and what the expert pages say of an expert, are short texts kept
on the row in English, with one translation row per other language
(articles.TopicTranslation, experts.ExpertTranslation). A page asks for its rows
`in_language()`: one LEFT JOIN in the same query annotates `translated_<field>`, and the
model's `shown_<field>` properties give that text where it is written, else the English.
"""

from django.conf import settings
from django.db.models import CharField, F, FilteredRelation, Q, TextField, Value
from django.db.models.functions import NullIf
from django.utils import translation

from common.richtext import plain_text


def other_languages():
    """Return the (code, name) choices a translation can be in: every language but the default."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def in_language(queryset, fields, language=None):
    """Annotate translated_<field> of each row: its translation in language, None where none.

    language defaults to the active one; the default language needs no translation row.
    The translations are the model's reverse relation named "translations", one row per
    language at most (a unique constraint), so the join never repeats a row.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    model = queryset.model
    if language == settings.LANGUAGE_CODE:
        nothing = {
            f"translated_{name}": Value(None, output_field=_text_type(model, name))
            for name in fields
        }
        return queryset.annotate(**nothing)
    joined = queryset.annotate(
        shown_translation=FilteredRelation(
            "translations", condition=Q(translations__language=language)
        )
    )
    return joined.annotate(
        **{
            f"translated_{name}": NullIf(
                F(f"shown_translation__{name}"), Value(""), output_field=_text_type(model, name)
            )
            for name in fields
        }
    )


def blank_if_empty(html):
    """Return "" for rich text with nothing to read (the editor's empty "<p></p>"), else html.

    An empty translated text then shows the English, as an untouched field does.
    """
    return html if plain_text(html).strip() or "<img" in (html or "") else ""


def _text_type(model, name):
    return TextField() if isinstance(model._meta.get_field(name), TextField) else CharField()


def shown(obj, name):
    """Return the text of obj's field as patients see it: translated where annotated and written."""
    return getattr(obj, f"translated_{name}", None) or getattr(obj, name)
