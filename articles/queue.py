"""The review queue on the admin home page: what waits for this user, one query a list.

Medical reviewers (publish permission) see articles sent to review (oldest first, with
who sent them and when), published articles with changes not yet reviewed, and reviews
overdue or due within 30 days. Editors see their articles sent back with the
reviewer's comment, and the reviews due. Both see the translations whose source has a
newer live release than the one patients' translation was made from.
"""

from django.db.models import F, OuterRef, Subquery

from articles.models import Article, Release, can_preview
from articles.publishing import can_publish

DUE_WITHIN_DAYS = 30


def in_review():
    """Return the articles waiting for a medical review, the longest waiting first."""
    return (
        Article.objects.filter(status=Article.Status.IN_REVIEW)
        .select_related("sent_for_review_by")
        .order_by(F("sent_for_review_at").asc(nulls_first=True), "pk")
    )


def unreviewed_changes():
    """Return released articles whose working copy differs from their latest release."""
    latest = Release.objects.filter(article=OuterRef("pk")).order_by("-number")
    return (
        Article.objects.exclude(status__in=[Article.Status.IN_REVIEW, Article.Status.ARCHIVED])
        .annotate(latest_hash=Subquery(latest.values("content_hash")[:1]))
        .filter(latest_hash__isnull=False)
        .exclude(working_hash="")
        .exclude(working_hash=F("latest_hash"))
        .order_by("updated", "pk")
    )


def reviews_due():
    """Return articles whose medical review is overdue or due within 30 days."""
    return (
        Article.objects.review_due(within_days=DUE_WITHIN_DAYS)
        .select_related("reviewed_by")
        .order_by("next_review_due", "title")
    )


def sent_back_to(user):
    """Return the drafts this user sent for review that a reviewer sent back with a comment."""
    return (
        Article.objects.filter(status=Article.Status.DRAFT, sent_for_review_by=user)
        .exclude(sent_back_comment="")
        .select_related("sent_back_by")
        .order_by("-sent_back_at", "pk")
    )


def translations_behind():
    """Return live translations behind their source, with the source and where the text stands.

    Those whose source has no live version any more (stale_reason "source withdrawn",
    source_live_number None) come first. Each carries source_live_number and translated_from_number (see
    Article.objects.stale_translations) and source_live_at, when the source's newer
    release went live; translated_from_release is the source release the working copy
    follows (moved on once staff have brought the text up to date).
    """
    source_live = Release.objects.live().filter(article=OuterRef("translation_of"))
    return (
        Article.objects.stale_translations()
        .annotate(source_live_at=Subquery(source_live.values("go_live_at")[:1]))
        .select_related("translation_of", "translated_from_release")
        .order_by(F("source_live_at").asc(nulls_first=True), "title", "pk")
    )


def for_user(user):
    """Return the lists of the user's queue, by role; show is False for anyone else."""
    if can_publish(user):
        return {
            "show": True,
            "reviewer": True,
            "in_review": list(in_review()),
            "changed": list(unreviewed_changes()),
            "due": list(reviews_due()),
            "behind": list(translations_behind()),
        }
    if can_preview(user):
        return {
            "show": True,
            "reviewer": False,
            "sent_back": list(sent_back_to(user)),
            "due": list(reviews_due()),
            "behind": list(translations_behind()),
        }
    return {"show": False}
