"""Template helpers for every page: rich text, JSON-LD elements, absolute URLs."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from common import links, richtext, structured_data

register = template.Library()

# As django.utils.html.json_script: keep "</script>" and "<!--" out of the script element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def rich(html):
    """Render stored rich text, sanitised."""
    return richtext.render(html)


@register.simple_tag
def ld_json(data):
    """Return data as a <script type="application/ld+json"> element, safely escaped."""
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    escaped = mark_safe(text.translate(JSON_SCRIPT_ESCAPES))  # noqa: S308 - <, > and & escaped
    return format_html('<script type="application/ld+json">{}</script>', escaped)


@register.simple_tag(takes_context=True)
def absolute(context, path):
    """Return path as an absolute URL for canonical links and Open Graph tags."""
    return structured_data.absolute_url(context["request"], path)


@register.simple_tag(takes_context=True)
def website_ld(context):
    """Return the WebSite JSON-LD for the home page."""
    return ld_json(structured_data.web_site(context["request"], context["clinic"]))


@register.simple_tag(takes_context=True)
def collection_ld(context, name, about=None):
    """Return CollectionPage JSON-LD for a list page."""
    return ld_json(structured_data.collection_page(context["request"], name, about))


@register.filter(name="safe_url")
def safe_url_filter(value):
    """Return the address if it is http, https or mailto, else "" (no javascript: links)."""
    return links.safe_url(value)
