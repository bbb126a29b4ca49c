"""The parts of an article page drawn from a release, rendered once and stored with it.

A release never changes, so its sections, quotes, FAQs, experts and references are
rendered on its first view and stored in `Release.rendered`; parts stored by another
version of the code are rendered again. The preview of a working copy renders the same
parts from an unsaved release and stores nothing. Only what every visitor sees alike
is stored: nothing from the request (JSON-LD addresses are made absolute per request)
or the clinic settings. Topics, tags and related articles stay live on the page.
"""

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import jsonld, releases
from articles.models import Release
from common.templatetags.site_tags import ld_json

BODY_TEMPLATE = "articles/parts/body.html"  # contents, sections, quotes, FAQs, experts, references
HTML_PARTS = ["body", "reviewer", "author", "faq_ld"]
TOC_MIN_SECTIONS = 4


@functools.cache
def version():
    """Return a digest of the code and templates that render the parts, and their libraries.

    Parts stored by another version of the portal are rendered again, so an upgrade
    that changes a template or a filter shows on every article page at once.
    """
    digest = hashlib.md5(usedforsecurity=False)
    for app in ("articles", "experts", "common", "portal"):
        for path in sorted(Path(apps.get_app_config(app).path).rglob("*")):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                digest.update(path.read_bytes())
    for library in ("django", "django-taggit", "nh3"):
        digest.update(metadata.version(library).encode())
    return digest.hexdigest()


def place_quotes(sections, quotes):
    """Return (section, its quotes) pairs and the quotes that follow no section."""
    by_section = {}
    last = sections[-1]["position"] if sections else None
    known = {section["position"] for section in sections}
    for quote in quotes:
        key = quote["section"] if quote["section"] in known else last
        by_section.setdefault(key, []).append(quote)
    placed = [(section, by_section.get(section["position"], [])) for section in sections]
    return placed, by_section.get(None, [])


def expert_link(expert):
    """Return a link to an expert's page, named with their credentials ("" for none)."""
    if expert is None:
        return ""
    url = reverse("experts:detail", kwargs={"slug": expert["slug"]})
    return format_html('<a href="{}">{}</a>', url, expert["name_with_credentials"])


def release_parts(release):
    """Render the parts of a release's page."""
    content = release.content
    sections = content["sections"]
    placed, trailing_quotes = place_quotes(sections, content["quotes"])
    context = {
        "sections": placed,
        "trailing_quotes": trailing_quotes,
        "toc": [s for s in sections if s["heading"]] if len(sections) >= TOC_MIN_SECTIONS else [],
        "citations": content["citations"],
        "citation_numbers": {citation["position"] for citation in content["citations"]},
        "faqs": content["faqs"],
        "get_help": content.get("get_help", ""),
        "experts": releases.featured_experts(content),
    }
    # Stored once, in the article's language: its text and its addresses (/es/experts/…).
    with translation.override(release.language):
        return {
            "body": render_to_string(BODY_TEMPLATE, context).strip(),
            "reviewer": expert_link(content["reviewer"]),
            "author": expert_link(content["author"]),
            "faq_ld": ld_json(jsonld.faq_page(content["faqs"])),
            # JSON-LD data, kept as text: PostgreSQL's jsonb would reorder its keys.
            "ld": json.dumps(jsonld.release_parts(content)),
        }


def page_parts(release):
    """Return the stored parts of a release's page, rendering (and storing) them if missing."""
    parts = release.rendered
    if parts.get("version") != version():
        parts = release_parts(release) | {"version": version()}
        if release.pk is not None:
            Release.objects.filter(pk=release.pk).update(rendered=parts)
    # The HTML parts are our own templates' output, escaped and sanitised as they were
    # rendered; stored as JSON, they come back as plain strings.
    html = {name: mark_safe(parts[name]) for name in HTML_PARTS}  # noqa: S308
    return parts | html | {"ld": json.loads(parts["ld"])}
