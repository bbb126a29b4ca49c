"""The parts of an article page drawn from its related rows, rendered once and stored.

Sections with their quotes, FAQs, experts, references, topics and tags cost most of
the page's queries and rendering time, and change only when staff edit them. The
article page shows them from `Article.rendered`, rendered on its first view after a
change: every change empties the stored parts (articles/signals.py, Article.save), and
parts stored by another version of the code are rendered again. Only what every
visitor sees alike is stored: nothing from the request (JSON-LD addresses are made
absolute per request), the clinic settings or other articles' publication state
(related articles stay live).
"""

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import jsonld
from articles.models import Article
from common.templatetags.site_tags import ld_json

# Stored part -> the template that renders it (in articles/templates/articles/parts/).
TEMPLATES = {
    "head": "articles/parts/head.html",  # the article:tag meta elements
    "topics": "articles/parts/topics.html",
    "body": "articles/parts/body.html",  # contents, sections, quotes, FAQs, experts, references
    "tags": "articles/parts/tags.html",
}
HTML_PARTS = [*TEMPLATES, "reviewer", "author", "faq_ld"]
TOC_MIN_SECTIONS = 4


@functools.cache
def version():
    """Return a digest of the code and templates that render the parts, and their libraries.

    Parts stored by another version of the portal are rendered again, so an upgrade
    that changes a template or a filter shows on every article page at once.
    """
    digest = hashlib.md5(usedforsecurity=False)
    for app in ("articles", "experts", "portal"):
        for path in sorted(Path(apps.get_app_config(app).path).rglob("*")):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                digest.update(path.read_bytes())
    for library in ("django", "django-taggit", "nh3"):
        digest.update(metadata.version(library).encode())
    return digest.hexdigest()


def place_quotes(sections, quotes):
    """Return (section, its quotes) pairs and the quotes that follow no section."""
    by_section = {}
    last = sections[-1].pk if sections else None
    known = {section.pk for section in sections}
    for quote in quotes:
        key = quote.section_id if quote.section_id in known else last
        by_section.setdefault(key, []).append(quote)
    placed = [(section, by_section.get(section.pk, [])) for section in sections]
    return placed, by_section.get(None, [])


def featured_experts(article):
    """Return the reviewer, author and quoted experts, each once, in that order."""
    experts = {}
    for expert in [article.reviewed_by, article.author, *(q.expert for q in article.quotes.all())]:
        if expert is not None:
            experts.setdefault(expert.pk, expert)
    return list(experts.values())


def expert_link(expert):
    """Return a link to an expert's page, named with their credentials ("" for none)."""
    if expert is None:
        return ""
    return format_html(
        '<a href="{}">{}</a>', expert.get_absolute_url(), expert.name_with_credentials
    )


def article_parts(article):
    """Render the parts of an article's page that its children and related rows make."""
    article = Article.objects.for_detail().get(pk=article.pk)
    sections = list(article.sections.all())
    placed, trailing_quotes = place_quotes(sections, article.quotes.all())
    context = {
        "sections": placed,
        "trailing_quotes": trailing_quotes,
        "toc": [s for s in sections if s.heading] if len(sections) >= TOC_MIN_SECTIONS else [],
        "citations": article.citations.all(),
        "citation_numbers": {citation.position for citation in article.citations.all()},
        "faqs": article.faqs.all(),
        "experts": featured_experts(article),
        "topics": article.topics.all(),
        "tags": article.tags.all(),
    }
    parts = {name: render_to_string(path, context).strip() for name, path in TEMPLATES.items()}
    parts["reviewer"] = expert_link(article.reviewed_by)
    parts["author"] = expert_link(article.author)
    parts["faq_ld"] = ld_json(jsonld.faq_page(article.faqs.all()))
    # JSON-LD data, kept as text: PostgreSQL's jsonb would reorder its keys.
    parts["ld"] = json.dumps(jsonld.medical_web_page_parts(article))
    # For the related articles, which stay live: they depend on other articles too.
    parts["topic_ids"] = [topic.pk for topic in article.topics.all()]
    parts["tag_ids"] = [tag.pk for tag in article.tags.all()]
    return parts


def page_parts(article):
    """Return the stored parts of article's page, rendering and storing them if missing."""
    parts = article.rendered
    if parts.get("version") != version():
        parts = article_parts(article) | {"version": version()}
        # Store them only if the article is unchanged since it was read (before its
        # children were): an edit since bumped `updated`, and these parts may be stale.
        Article.objects.filter(pk=article.pk, updated=article.updated).update(rendered=parts)
    # The HTML parts are our own templates' output, escaped and sanitised as they were
    # rendered; stored as JSON, they come back as plain strings.
    html = {name: mark_safe(parts[name]) for name in HTML_PARTS}  # noqa: S308
    return parts | html | {"ld": json.loads(parts["ld"])}
