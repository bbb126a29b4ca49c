"""Template helpers for article pages: citation markers and article JSON-LD."""

from types import SimpleNamespace

from django import template

from articles import citations, jsonld
from common import richtext
from common.templatetags.site_tags import ld_json

register = template.Library()


@register.filter
def cited(html, numbers):
    """Render rich text with its [n] markers linked to the reference list."""
    return citations.link_markers(richtext.render(html), numbers)


@register.filter
def ama(reference):
    """Format a reference as a release cites it (a dict) in AMA style, with DOI and PubMed links."""
    return citations.ama_html(SimpleNamespace(**reference))


@register.simple_tag(takes_context=True)
def article_ld(context, release, parts, topics):
    """Return the MedicalWebPage JSON-LD for a release (clinic read once from context)."""
    page = jsonld.medical_web_page(context["request"], release, context["clinic"], parts, topics)
    return ld_json(page)
