"""The Plain language panel: an article's reading level, hardest sentences, words with
plainer alternatives and content warnings, for the writer (change form) and the reviewer
(publish screen).

It reads an article loaded with `Article.objects.for_snapshot()` (or loads it so), the
clinic's plain-language words and the reading target: a fixed number of queries
whatever the number of sections. Only the grade gates publishing (articles/publishing.py);
the rest are warnings.
"""

from django.template.loader import render_to_string

from articles import releases
from articles.content_checks import check_content
from articles.models import Article, PlainTerm
from articles.plain_language import find_jargon
from articles.readability import plain_text
from common import clinic

DEFAULT_READING_TARGET = 8
HARDEST = 5
JARGON_LANGUAGE = "en"  # the language of the plain-word lists
TEMPLATE = "admin/articles/article/_plain_panel.html"


def reading_target():
    """Return the clinic's reading target: the highest school grade articles should need."""
    return clinic.setting("reading_target", DEFAULT_READING_TARGET)


def checked_parts(content):
    """Return the (label, html) parts the content checks read: the rich-text bodies."""
    parts = [(releases.section_label(s), s["body"]) for s in content["sections"]]
    if content.get("get_help"):
        parts.append(("When to get help", content["get_help"]))
    parts += [(f"FAQ {faq['position']}", faq["answer"]) for faq in content["faqs"]]
    return parts


def images(article):
    """Return (label, alt text) of the pictures the article shows: hero and experts' photos."""
    found = []
    if article.hero_image:
        found.append(("Hero image", article.hero_image_alt))
    experts = [article.reviewed_by, article.author, *(q.expert for q in article.quotes.all())]
    seen = set()
    for expert in experts:
        if expert is not None and expert.pk not in seen and expert.photo:
            seen.add(expert.pk)
            found.append((f"Photo of {expert}", expert.photo_alt))
    return found


def jargon(content):
    """Return the English words of a snapshot that have a plainer alternative."""
    text = "\n\n".join(plain_text(markup) for _, markup in releases.reading_parts(content))
    extra = PlainTerm.objects.values_list("term", "alternative")
    return find_jargon(text, extra=list(extra))


def panel(article, content=None):
    """Return the panel's data for an article (its children prefetched by for_snapshot)."""
    content = content or releases.snapshot(article)
    # Graded in the article's language: Fernández-Huerta for Spanish, as the Reading level
    # field and the stored grade are (releases.reading_summary).
    analysis = releases.reading_analysis(content, hardest=HARDEST, language=article.language)
    target = reading_target()
    return {
        "analysis": analysis,
        "target": target,
        "above_target": releases.above_target(analysis.grade, target),
        "parts": [(part, releases.above_target(part.grade, target)) for part in analysis.parts],
        # The plain-word lists (built-in and the clinic's) are English words.
        "jargon_checked": article.language == JARGON_LANGUAGE,
        "jargon": jargon(content) if article.language == JARGON_LANGUAGE else [],
        "warnings": check_content(checked_parts(content), images(article)),
    }


def render_panel(article, content=None):
    """Return the panel as HTML, for the change form and the publish screen."""
    return render_to_string(TEMPLATE, panel(article, content))


def render_for_change_form(article):
    """Return the panel for a saved article, loading its parts in a fixed number of queries."""
    return render_panel(Article.objects.for_snapshot().get(pk=article.pk))
