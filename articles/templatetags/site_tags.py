"""Template helpers for the public pages: rich text, citations, JSON-LD, absolute URLs."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import citations, jsonld
from portal import richtext

register = template.Library()

# As django.utils.html.json_script: keep "</script>" and "<!--" out of the script element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def rich(html):
    """Render stored rich text, sanitised."""
    return richtext.render(html)


@register.filter
def cited(html, numbers):
    """Render rich text with its [n] markers linked to the reference list."""
    return citations.link_markers(richtext.render(html), numbers)


@register.filter
def ama(reference):
    """Format a reference in AMA style, with DOI and PubMed links."""
    return citations.ama_html(reference)


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
    return jsonld.absolute_url(context["request"], path)


@register.simple_tag(takes_context=True)
def article_ld(context, article, parts=None):
    """Return the MedicalWebPage JSON-LD for an article (clinic read once from context)."""
    return ld_json(jsonld.medical_web_page(context["request"], article, context["clinic"], parts))


@register.simple_tag(takes_context=True)
def website_ld(context):
    """Return the WebSite JSON-LD for the home page."""
    return ld_json(jsonld.web_site(context["request"], context["clinic"]))


@register.simple_tag(takes_context=True)
def collection_ld(context, name, about=None):
    """Return CollectionPage JSON-LD for a list page."""
    return ld_json(jsonld.collection_page(context["request"], name, about))
