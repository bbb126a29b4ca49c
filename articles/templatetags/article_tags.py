"""Template helpers for article pages: citation markers, AMA references, article JSON-LD."""

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
    """Format a reference in AMA style, with DOI and PubMed links."""
    return citations.ama_html(reference)


@register.simple_tag(takes_context=True)
def article_ld(context, article, parts=None):
    """Return the MedicalWebPage JSON-LD for an article (clinic read once from context)."""
    return ld_json(jsonld.medical_web_page(context["request"], article, context["clinic"], parts))
