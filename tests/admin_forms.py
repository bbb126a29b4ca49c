"""Build the POST data of admin forms, as a browser would send them."""

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper

ARTICLE_INLINES = ("sections", "quotes", "citations", "faqs")


def management(prefix, total, initial=0):
    """Return the management form fields of an inline formset."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def rows(prefix, items, initial=0):
    """Return the fields of inline rows given as dicts, with their management form."""
    data = management(prefix, len(items), initial)
    for index, item in enumerate(items):
        for name, value in item.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def article_data(**fields):
    """Return the POST data of a new draft article with no inline rows."""
    data = {
        "title": "Sleep and restless legs",
        "slug": "",
        "summary": "How sleep habits help restless legs.",
        "tags": "",
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "reviewed_by": "",
        "last_reviewed": "",
        "next_review_due": "",
        "disclaimer": "",
        "hero_image_alt": "",
        "meta_description": "",
        "_save": "Save",
    }
    for prefix in ARTICLE_INLINES:
        data |= management(prefix, 0)
    return data | fields


def form_data(response):
    """Return the data a browser would post back unchanged from a rendered admin change form."""
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        _add_form(data, inline.formset.management_form)
        for form in inline.formset.forms:
            _add_form(data, form)
    return data


def _add_form(data, form):
    for name, field in form.fields.items():
        bound = form[name]
        widget = field.widget
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget = widget.widget
        value = bound.value()
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for index, (subwidget, part) in enumerate(zip(widget.widgets, parts, strict=True)):
                data[f"{bound.html_name}_{index}"] = subwidget.format_value(part) or ""
            continue
        formatted = widget.format_value(value)
        if isinstance(widget, forms.SelectMultiple):
            data[bound.html_name] = [str(item) for item in formatted]
        elif isinstance(formatted, list):
            data[bound.html_name] = formatted[0] if formatted else ""
        else:
            data[bound.html_name] = "" if formatted is None else str(formatted)
