"""Releases: freezing the working copy into what patients see, publishing it, comparing two.

`snapshot()` is the one definition of what a release holds; the preview of the working
copy, the publish screen's comparison and publishing itself all start from it. The
functions read only model fields, so the data migration that made release 1 of every
published article used them too.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.citations import ama
from articles.history import word_diff
from articles.models import Article, Release
from articles.readability import fernandez_huerta, grade, grade_es, plain_text, words


def expert_data(expert):
    """Return an expert as a release shows them: name and credentials as they stand now."""
    if expert is None:
        return None
    display_name = f"{expert.honorific} {expert.name}".strip()
    return {
        "id": expert.pk,
        "slug": expert.slug,
        "name": expert.name,
        "honorific": expert.honorific,
        "display_name": display_name,
        "credentials": expert.credentials,
        "name_with_credentials": ", ".join(p for p in [display_name, expert.credentials] if p),
        "role": expert.role,
        "affiliation": expert.affiliation,
        "bio": expert.bio,
    }


REFERENCE_FIELDS = [
    "authors", "title", "journal", "year", "volume", "issue", "pages", "doi", "pmid", "url",
    "study_type",
]  # fmt: skip


def reference_data(reference):
    """Return a reference as cited: its details, and its AMA citation as text."""
    data = {"id": reference.pk} | {name: getattr(reference, name) for name in REFERENCE_FIELDS}
    return data | {"ama": ama(reference)}


def snapshot(article):
    """Return everything a release of the article freezes (children prefetched or not)."""
    sections = list(article.sections.all())
    position_of = {section.pk: section.position for section in sections}
    return {
        "title": article.title,
        "summary": article.summary,
        "meta_description": article.meta_description,
        "disclaimer": article.disclaimer,
        "reviewer": expert_data(article.reviewed_by),
        "author": expert_data(article.author),
        "sections": [
            {"position": s.position, "heading": s.heading, "body": s.body} for s in sections
        ],
        "quotes": [
            {
                "position": quote.position,
                "text": quote.text,
                "section": position_of.get(quote.section_id),
                "expert": expert_data(quote.expert),
            }
            for quote in article.quotes.all()
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
    shown = {key: value for key, value in content.items() if key != "reviewer"}
    text = json.dumps(shown, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def content_text(content):
    """Return the plain text a patient reads in a snapshot: summary, sections, quotes, FAQs."""
    parts = [content["summary"]]
    for section in content["sections"]:
        parts += [
            section["heading"] + "." if section["heading"] else "",
            plain_text(section["body"]),
        ]
    parts += [quote["text"] for quote in content["quotes"]]
    for faq in content["faqs"]:
        parts += [faq["question"], plain_text(faq["answer"])]
    return "\n\n".join(part for part in parts if part)


def reading_stats(content, language="en"):
    """Return (word count, reading grade) of a snapshot; the grade always fits its column.

    Spanish text is graded by its Fernández-Huerta score (readability.grade_es), English
    text by Flesch-Kincaid.
    """
    text = content_text(content)
    return len(words(text)), (grade_es if language == "es" else grade)(text)


def reading_score(content, language="en"):
    """Return the Fernández-Huerta score (0-100) of a Spanish snapshot; None for others."""
    if language != "es":
        return None
    score = fernandez_huerta(content_text(content))
    return None if score is None else round(min(100.0, max(0.0, score)), 1)


def working_copy(article):
    """Return an unsaved Release of the article's working copy, as a preview shows it."""
    content = snapshot(article)
    word_count, reading_grade = reading_stats(content, article.language)
    latest = article.releases.order_by("-number").first()
    return Release(
        article=article,
        number=(latest.number + 1) if latest else 1,
        language=article.language,
        source_release_id=article.translated_from_release_id,
        title=content["title"],
        summary=content["summary"],
        content=content,
        content_hash=content_hash(content),
        word_count=word_count,
        reading_grade=reading_grade,
        reviewed_by=article.reviewed_by,
        reviewer_name=(content["reviewer"] or {}).get("name_with_credentials", ""),
        reviewed_on=article.last_reviewed,
        go_live_at=timezone.now(),
    )


def refresh_working_copy(article_ids):
    """Store each article's working-copy digest and reading stats (after its parts changed)."""
    for article in Article.objects.filter(pk__in=article_ids).for_snapshot():
        content = snapshot(article)
        word_count, reading_grade = reading_stats(content, article.language)
        Article.objects.filter(pk=article.pk).update(
            working_hash=content_hash(content),
            word_count=word_count,
            reading_grade=reading_grade,
            reading_score=reading_score(content, article.language),
        )


class PublishError(Exception):
    """Publishing was refused; the message says why, in words for the reviewer."""


def publish(article, *, user, reviewer, reviewed_on, go_live_at=None, note=""):
    """Freeze the article's working copy into its next release, in one transaction."""
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
        if article.status != Article.Status.ARCHIVED:
            article.status = Article.Status.PUBLISHED
        article.save()
        content = snapshot(article)
        word_count, reading_grade = reading_stats(content, article.language)
        try:
            with transaction.atomic():
                release = Release.objects.create(
                    article=article,
                    number=(latest.number + 1) if latest else 1,
                    language=article.language,
                    # A translation records the source version its text follows.
                    source_release_id=article.translated_from_release_id,
                    title=content["title"],
                    summary=content["summary"],
                    content=content,
                    content_hash=content_hash(content),
                    word_count=word_count,
                    reading_grade=reading_grade,
                    reviewed_by=reviewer,
                    reviewer_name=content["reviewer"]["name_with_credentials"],
                    approved_by=user,
                    reviewed_on=reviewed_on,
                    go_live_at=go_live_at or timezone.now(),
                    note=note.strip(),
                )
            release.experts.set([expert["id"] for expert in featured_experts(content)])
        except IntegrityError as error:
            raise PublishError(
                "Someone else published this article at the same moment. Reload the page "
                "to see their version, then publish again if it is still needed."
            ) from error
        Article.objects.filter(pk=article.pk).update(
            working_hash=release.content_hash,
            word_count=word_count,
            reading_grade=reading_grade,
            reading_score=reading_score(content, article.language),
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
    for s in content["sections"]:
        label = f"Section {s['position']}" + (f": {s['heading']}" if s["heading"] else "")
        items.append((label, "\n".join(filter(None, [s["heading"], plain_text(s["body"])]))))
    for q in content["quotes"]:
        name = (q["expert"] or {}).get("name_with_credentials", "")
        items.append((f"Quote {q['position']}", f"{q['text']}\n— {name}"))
    for c in content["citations"]:
        items.append((f"Reference {c['position']}", c["reference"]["ama"]))
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
