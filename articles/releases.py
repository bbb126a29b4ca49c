"""Releases: freezing the working copy into what patients see, publishing it, comparing two.

`snapshot()` is the one definition of what a release holds; the preview of the working
copy, the publish screen's comparison and publishing itself all start from it. The
functions read only model fields, so the data migration that made release 1 of every
published article used them too.
"""

import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import format_html

from articles.citations import ama
from articles.history import word_diff
from articles.models import Article, Release, key_point_list
from articles.readability import analyse, fernandez_huerta, plain_text
from experts.models import ExpertTranslation


def expert_data(expert, translated=None):
    """Return an expert as a release shows them: name and credentials as they stand now.

    translated: the expert's texts in the article's language ({field: text}), if any.
    """
    if expert is None:
        return None
    display_name = f"{expert.honorific} {expert.name}".strip()
    texts = (translated or {}).get(expert.pk, {})
    return {
        "id": expert.pk,
        "slug": expert.slug,
        "name": expert.name,
        "honorific": expert.honorific,
        "display_name": display_name,
        "credentials": expert.credentials,
        "name_with_credentials": ", ".join(p for p in [display_name, expert.credentials] if p),
        "role": texts.get("role", expert.role),
        "affiliation": texts.get("affiliation", expert.affiliation),
        "bio": texts.get("bio", expert.bio),
    }


def expert_translations(article, quotes):
    """Return {expert id: {field: text}} of the article's experts in its language (one query).

    An article in the default language needs none, nor one made by an old migration
    (historical models, without a language).
    """
    language = getattr(article, "language", settings.LANGUAGE_CODE)
    if language == settings.LANGUAGE_CODE:
        return {}
    experts = {article.reviewed_by_id, article.author_id} | {q.expert_id for q in quotes}
    rows = ExpertTranslation.objects.filter(language=language, expert__in=experts - {None})
    return {row.expert_id: row.texts() for row in rows}


REFERENCE_FIELDS = [
    "authors", "title", "journal", "year", "volume", "issue", "pages", "doi", "pmid", "url",
    "study_type",
]  # fmt: skip


def reference_data(reference):
    """Return a reference as cited: its details, and its AMA citation as text."""
    data = {"id": reference.pk} | {name: getattr(reference, name) for name in REFERENCE_FIELDS}
    return data | {"ama": ama(reference)}


# Parts added after the first releases were made: left out of the digest while empty, so
# that adding them did not mark every published article "changed".
OPTIONAL_PARTS = ("key_points", "get_help")


def snapshot(article):
    """Return everything a release of the article freezes (children prefetched or not)."""
    sections = list(article.sections.all())
    position_of = {section.pk: section.position for section in sections}
    quotes = list(article.quotes.all())
    translated = expert_translations(article, quotes)
    return {
        "title": article.title,
        "summary": article.summary,
        "meta_description": article.meta_description,
        "disclaimer": article.disclaimer,
        # getattr: migration 0006 passes historical models that have neither field.
        "key_points": key_point_list(getattr(article, "key_points", "")),
        "get_help": getattr(article, "get_help", ""),
        "reviewer": expert_data(article.reviewed_by, translated),
        "author": expert_data(article.author, translated),
        "sections": [
            {"position": s.position, "heading": s.heading, "body": s.body} for s in sections
        ],
        "quotes": [
            {
                "position": quote.position,
                "text": quote.text,
                "section": position_of.get(quote.section_id),
                "expert": expert_data(quote.expert, translated),
            }
            for quote in quotes
        ],
        "citations": [
            {"position": c.position, "reference": reference_data(c.reference)}
            for c in article.citations.all()
        ],
        "faqs": [
            {"position": faq.position, "question": faq.question, "answer": faq.answer}
            for faq in article.faqs.all()
        ],
    }


def featured_experts(content):
    """Return the experts a snapshot shows, each once: reviewer, author, then quoted ones."""
    experts = {}
    for expert in [
        content["reviewer"],
        content["author"],
        *(q["expert"] for q in content["quotes"]),
    ]:
        if expert is not None:
            experts.setdefault(expert["id"], expert)
    return list(experts.values())


def content_hash(content):
    """Return a digest of a snapshot's patient-facing text (not of who reviewed it)."""
    shown = {
        key: value
        for key, value in content.items()
        if key != "reviewer" and (value or key not in OPTIONAL_PARTS)
    }
    text = json.dumps(shown, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def section_label(section):
    """Return how the writer's tools name a section: "Section 3: Causes"."""
    heading = f": {section['heading']}" if section["heading"] else ""
    return f"Section {section['position']}{heading}"


def reading_parts(content):
    """Return (label, html) of every part a patient reads in a snapshot, in page order.

    Summary, key points, sections (heading and body), quotes, "When to get help" and FAQs:
    the text the reading grade measures. Plain-text parts are escaped into paragraphs.
    """
    parts = [("Summary", format_html("<p>{}</p>", content["summary"]))]
    if points := content.get("key_points"):
        parts.append(("Key points", "".join(format_html("<p>{}</p>", p) for p in points)))
    for section in content["sections"]:
        heading = format_html("<h2>{}</h2>", section["heading"]) if section["heading"] else ""
        parts.append((section_label(section), heading + section["body"]))
    for quote in content["quotes"]:
        parts.append((f"Quote {quote['position']}", format_html("<p>{}</p>", quote["text"])))
    if content.get("get_help"):
        parts.append(("When to get help", content["get_help"]))
    for faq in content["faqs"]:
        question = format_html("<h3>{}</h3>", faq["question"])
        parts.append((f"FAQ {faq['position']}", question + faq["answer"]))
    return parts


def content_text(content):
    """Return the plain text a patient reads in a snapshot, part after part."""
    return "\n\n".join(plain_text(markup) for _, markup in reading_parts(content))


def reading_analysis(content, hardest=5, language="en"):
    """Return the readability Analysis of a snapshot: overall, part by part, hardest sentences."""
    return analyse(reading_parts(content), hardest=hardest, language=language)


def part_grades(analysis):
    """Return the per-part grades of an Analysis as stored: [{"part", "grade", "words"}]."""
    return [
        {"part": part.label, "grade": part.grade, "words": part.words} for part in analysis.parts
    ]


def reading_stats(content, language="en"):
    """Return (word count, reading grade) of a snapshot; the grade always fits its column.

    Spanish text is graded from its Fernández-Huerta score, English by Flesch-Kincaid
    (articles/readability.py).
    """
    analysis = reading_analysis(content, hardest=0, language=language)
    return analysis.words, analysis.grade


def reading_summary(content, language="en"):
    """Return (word count, reading grade, per-part grades) of a snapshot, worked out once."""
    analysis = reading_analysis(content, hardest=0, language=language)
    return analysis.words, analysis.grade, part_grades(analysis)


def reading_score(content, language="en"):
    """Return the Fernández-Huerta score (0-100) of a Spanish snapshot; None for others."""
    if language != "es":
        return None
    score = fernandez_huerta(content_text(content))
    return None if score is None else round(min(100.0, max(0.0, score)), 1)


def new_release(article, content, number, **fields):
    """Return an unsaved Release of a snapshot, with its derived reading stats and digest."""
    word_count, reading_grade, parts = reading_summary(content, article.language)
    return Release(
        article=article,
        number=number,
        language=article.language,
        # A translation records the source version its text follows.
        source_release_id=article.translated_from_release_id,
        title=content["title"],
        summary=content["summary"],
        content=content,
        content_hash=content_hash(content),
        word_count=word_count,
        reading_grade=reading_grade,
        reading_parts=parts,
        reviewer_name=(content["reviewer"] or {}).get("name_with_credentials", ""),
        **fields,
    )


def next_number(article):
    latest = article.releases.order_by("-number").first()
    return latest.number + 1 if latest else 1


def working_copy(article):
    """Return an unsaved Release of the article's working copy, as a preview shows it."""
    return new_release(
        article,
        snapshot(article),
        next_number(article),
        reviewed_by=article.reviewed_by,
        reviewed_on=article.last_reviewed,
        go_live_at=timezone.now(),
    )


def refresh_working_copy(article_ids):
    """Store each article's working-copy digest and reading stats (after its parts changed)."""
    for article in Article.objects.filter(pk__in=article_ids).for_snapshot():
        content = snapshot(article)
        word_count, reading_grade, parts = reading_summary(content, article.language)
        Article.objects.filter(pk=article.pk).store_working_copy_stats(
            working_hash=content_hash(content),
            word_count=word_count,
            reading_grade=reading_grade,
            reading_parts=parts,
            reading_score=reading_score(content, article.language),
        )


class PublishError(Exception):
    """Publishing was refused; the message says why, in words for the reviewer."""


def above_target(reading_grade, reading_target):
    """Return whether a grade is above the clinic's reading target (no grade: no text, no)."""
    return (
        reading_grade is not None and reading_target is not None and reading_grade > reading_target
    )


def publish(
    article,
    *,
    user,
    reviewer,
    reviewed_on,
    go_live_at=None,
    note="",
    reading_target=None,
    above_target_reason="",
):
    """Freeze the article's working copy into its next release, in one transaction.

    With a reading_target, a working copy graded above it is published only with
    above_target_reason (the reviewer's reason, stored in the release).
    """
    if reviewer is None:
        raise PublishError("Choose the medical reviewer who approved this text.")
    if reviewed_on is None:
        raise PublishError("Enter the date of the medical review.")
    with transaction.atomic():
        # Lock the article: a second reviewer publishing at the same moment waits here,
        # then gets the next number (the unique constraint backs this up on SQLite).
        article = Article.objects.select_for_update(of=("self",)).for_snapshot().get(pk=article.pk)
        latest = article.releases.order_by("-number").first()
        if latest and not note.strip():
            raise PublishError("Say in a few words what changed since the last version.")
        if article.last_reviewed != reviewed_on:
            article.next_review_due = None  # save() sets it 12 months on
        article.reviewed_by = reviewer
        article.last_reviewed = reviewed_on
        article.status = Article.Status.PUBLISHED  # publishing an archived article brings it back
        article.save()
        release = new_release(
            article,
            snapshot(article),
            (latest.number + 1) if latest else 1,
            reviewed_by=reviewer,
            approved_by=user,
            reviewed_on=reviewed_on,
            go_live_at=go_live_at or timezone.now(),
            note=note.strip(),
        )
        # The reason is kept only for text above the target: below it, nothing extra.
        above = above_target(release.reading_grade, reading_target)
        release.above_target_reason = above_target_reason.strip() if above else ""
        if above and not release.above_target_reason:
            raise PublishError(
                f"The text needs US school grade {release.reading_grade}, above the clinic's "
                f"reading target of {reading_target}. Make it plainer, or say why it should "
                "be published as it is."
            )
        try:
            with transaction.atomic():
                release.save()
                release.experts.set([expert["id"] for expert in featured_experts(release.content)])
        except IntegrityError as error:
            raise PublishError(
                "Someone else published this article at the same moment. Reload the page "
                "to see their version, then publish again if it is still needed."
            ) from error
        Article.objects.filter(pk=article.pk).store_working_copy_stats(
            working_hash=release.content_hash,
            word_count=release.word_count,
            reading_grade=release.reading_grade,
            reading_parts=release.reading_parts,
            reading_score=reading_score(release.content, article.language),
        )
    return release


def reschedule(release, go_live_at):
    """Move a release that is not live yet to a new go-live time (a reviewer's decision)."""
    if release.go_live_at <= timezone.now():
        raise PublishError("This version is already live; publish a new one instead.")
    Release.objects.filter(pk=release.pk).reschedule(go_live_at)


STAGES = {
    "draft": "Draft",
    "in_review": "In review",
    "published": "Published",
    "changed": "Published – changes not yet reviewed",
    "scheduled": "Scheduled",
    "archived": "Archived",
}


def stage(article, latest=None, live=None, now=None):
    """Return where the article stands, as a key of STAGES.

    `latest` is its newest release and `live` whether it has a live one (both read from
    the database when not given).
    """
    if article.status == Article.Status.ARCHIVED:
        return "archived"
    if latest is None:
        latest = article.releases.order_by("-number").first()
    if latest is None:
        return "in_review" if article.status == Article.Status.IN_REVIEW else "draft"
    now = now or timezone.now()
    if latest.go_live_at > now:
        return "scheduled"
    if article.status == Article.Status.IN_REVIEW:
        return "in_review"
    if article.working_hash and article.working_hash != latest.content_hash:
        return "changed"
    return "published"


def _text_items(content):
    """Return (label, plain text) pairs of everything a patient sees in a snapshot, in order."""
    items = [("Title", content["title"]), ("Summary", content["summary"])]
    items.append(("Key points", "\n".join(content.get("key_points", []))))
    for s in content["sections"]:
        label = section_label(s)
        items.append((label, "\n".join(filter(None, [s["heading"], plain_text(s["body"])]))))
    for q in content["quotes"]:
        name = (q["expert"] or {}).get("name_with_credentials", "")
        items.append((f"Quote {q['position']}", f"{q['text']}\n— {name}"))
    for c in content["citations"]:
        items.append((f"Reference {c['position']}", c["reference"]["ama"]))
    items.append(("When to get help", plain_text(content.get("get_help", ""))))
    for f in content["faqs"]:
        items.append((f"FAQ {f['position']}", f"{f['question']}\n{plain_text(f['answer'])}"))
    items.append(("Disclaimer", content.get("disclaimer", "")))
    return items


def _normal(text):
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines() if line.strip())


def compare(old, new):
    """Return the parts that differ between two snapshots: label and a word-level diff."""
    before = dict(_text_items(old)) if old else {}
    after = dict(_text_items(new))
    labels = list(after) + [label for label in before if label not in after]
    changes = []
    for label in labels:
        old_text, new_text = _normal(before.get(label, "")), _normal(after.get(label, ""))
        if old_text != new_text:
            changes.append({"part": label, "diff": word_diff(old_text, new_text)})
    return changes
