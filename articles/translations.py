"""Translations: starting one from a source article's live release, and knowing when it is behind.

A translation is an Article of its own (language "es", translation_of = the source) that
goes through the same review and publishing as any article. Its working copy remembers
which source release its text follows (`Article.translated_from_release`): set when the
translation starts, and moved on when staff bring the text up to date with a newer
source release (`mark_up_to_date`). Publishing copies it onto the new release
(`Release.source_release`), so each release of a translation says what it was made from.

A translation is *stale* when its source has a newer live release than the one its live
release was made from (`Article.objects.stale_translations()`, `Release.is_stale`).
"""

from django.db import transaction
from django.template.loader import render_to_string

from articles.models import FAQ, Article, Citation, Quote, Release, Section
from articles.releases import compare, content_hash, snapshot
from common.slugs import unique_slug


class TranslationError(Exception):
    """A translation could not be started; the message says why, in words for staff."""


def start(source, language, user=None):
    """Create a draft translation of the source's live release, with the same structure.

    Sections, quotes (same experts, after the same sections), FAQs, citations (the same
    references), topics and tags are copied from the live release's text, ready to be
    translated in place.
    """
    if source.translation_of_id:
        raise TranslationError(f"“{source}” is itself a translation: translate its source.")
    if source.language == language:
        raise TranslationError(f"“{source}” is already in that language.")
    if source.translations.filter(language=language).exists():
        raise TranslationError(f"“{source}” already has a translation in that language.")
    live = Release.objects.live().filter(article=source).first()
    if live is None:
        raise TranslationError(f"“{source}” has no live version to translate from yet.")
    content = live.content
    with transaction.atomic():
        translation = Article(
            title=content["title"],
            summary=content["summary"],
            meta_description=content.get("meta_description", ""),
            disclaimer=content.get("disclaimer", ""),
            language=language,
            translation_of=source,
            translated_from_release=live,
            author=source.author,
            reviewed_by=None,
            status=Article.Status.DRAFT,
        )
        translation.slug = unique_slug(translation, f"{source.slug}-{language}", 200)
        translation.save()
        translation.topics.set(source.topics.all())
        translation.tags.set(list(source.tags.names()))
        _copy_parts(translation, content)
    return translation


def _copy_parts(translation, content):
    sections = {
        s["position"]: Section.objects.create(
            article=translation, position=s["position"], heading=s["heading"], body=s["body"]
        )
        for s in content["sections"]
    }
    for q in content["quotes"]:
        if q["expert"] is None:
            continue
        Quote.objects.create(
            article=translation,
            position=q["position"],
            expert_id=q["expert"]["id"],
            text=q["text"],
            section=sections.get(q["section"]),
        )
    for c in content["citations"]:
        Citation.objects.create(
            article=translation, position=c["position"], reference_id=c["reference"]["id"]
        )
    for f in content["faqs"]:
        FAQ.objects.create(
            article=translation, position=f["position"], question=f["question"], answer=f["answer"]
        )


def mark_up_to_date(translation):
    """Record that the translation's text now follows its source's live release.

    Refused when that release is newer than the one the translation's live release was
    made from while the translation's text is still the live release's: the newer English
    would never reach the Spanish page, and the stale flag would go.
    """
    live = Release.objects.live().filter(article=translation.translation_of_id).first()
    if translation.translation_of_id is None or live is None:
        raise TranslationError(f"“{translation}” is not a translation of a live article.")
    own = Release.objects.live().filter(article=translation.pk).first()
    if own is not None and own.source_release_id != live.pk:
        article = Article.objects.for_snapshot().get(pk=translation.pk)
        if content_hash(snapshot(article)) == own.content_hash:
            raise TranslationError(
                f"“{translation}” has not changed since its live version {own.number} was "
                f"published: first translate what changed in version {live.number} of "
                f"“{live.title}”, then mark it."
            )
    Article.objects.filter(pk=translation.pk).update(translated_from_release=live)
    return live


def source_changes(translation):
    """Return (followed, live, changes): what changed in the source since the translation's text.

    followed is the source release the working copy follows, live the source's live
    release, changes the word-level comparison of the two (releases.compare); None when
    the article is no translation or its source has no live release.
    """
    if translation.translation_of_id is None:
        return None
    live = Release.objects.live().filter(article=translation.translation_of_id).first()
    if live is None:
        return None
    followed = translation.translated_from_release
    old = followed.content if followed else None
    same = followed is not None and followed.pk == live.pk
    return followed, live, [] if same else compare(old, live.content)


def changes_to_publish(translation, own_live):
    """Return (made_from, follows, changes): the source changes a new translation release covers.

    made_from is the source release the translation's live release (own_live) was made
    from, follows the one its working copy follows now, changes their word-level comparison:
    what the reviewer checks the translated text covers. None when they are the same.
    """
    follows = translation.translated_from_release
    if follows is None or own_live is None or own_live.source_release_id == follows.pk:
        return None
    made_from = own_live.source_release
    return made_from, follows, compare(made_from.content if made_from else None, follows.content)


def status_html(translation):
    """Return the change form's account of the translation against its source."""
    found = source_changes(translation)
    if found is None:
        return ""
    followed, live, changes = found
    return render_to_string(
        "admin/articles/article/_translation_status.html",
        {"article": translation, "followed": followed, "live": live, "changes": changes},
    )
