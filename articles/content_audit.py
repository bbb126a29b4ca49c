"""The content audit: one CSV row per article, for the clinic's yearly content review.

The admin action on the article list and `manage.py export_content_audit` both write it;
each export is announced with common.signals.exported, which the audit trail records.
"""

from django.db.models import Count, Max, Min, Prefetch, Q

from articles import handout_log, releases
from articles.models import Article, Release
from common import structured_data

HEADER = [
    "title",
    "address",
    "status",
    "live version",
    "live since",
    "reviewer",
    "last reviewed",
    "next review due",
    "overdue",
    "reading grade",
    "word count",
    "citations",
    "oldest cited study",
    "newest cited study",
    "handouts given (last 12 months)",
    "language",
    "translation",
]


def for_audit(articles, today):
    """Return the articles with everything a row needs, in a fixed number of queries."""
    since = handout_log.last_year(today)
    return (
        articles.select_related("reviewed_by")
        .prefetch_related(
            Prefetch("releases", queryset=Release.objects.order_by("-number"), to_attr="newest")
        )
        .annotate(
            citation_count=Count("citations", distinct=True),
            oldest_year=Min("citations__reference__year"),
            newest_year=Max("citations__reference__year"),
            given_count=Count(
                "handouts_given",
                filter=Q(handouts_given__given_at__date__gte=since),
                distinct=True,
            ),
        )
        .with_live_flag()
        .order_by("title", "pk")
    )


def translation_state(article, behind):
    """Return what the translation column says of an article: "" for one that is no translation."""
    if not article.translation_of_id:
        return ""
    if article.pk not in behind:
        return "up to date with its source"
    source, made_from = behind[article.pk]
    if source is None:
        return "source withdrawn: the source has no live version; this translation is still live"
    return f"behind its source: version {source} is live, this follows version {made_from or '?'}"


def rows(articles, today, request=None):
    """Yield one audit row (a list of cells) per article."""
    live = {r.article_id: r for r in Release.objects.live().filter(article__in=articles)}
    behind = {
        a.pk: (a.source_live_number, a.translated_from_number)
        for a in Article.objects.stale_translations().filter(pk__in=articles)
    }
    for article in for_audit(articles, today):
        release = live.get(article.pk)
        latest = article.newest[0] if article.newest else None
        stage = releases.stage(article, latest=latest, live=article.is_live)
        reviewer = release.reviewer_name if release else article.reviewed_by or ""
        yield [
            article.title,
            structured_data.absolute_url(request, article.get_absolute_url()),
            releases.STAGES[stage],
            release.number if release else "",
            f"{release.go_live_at:%Y-%m-%d}" if release else "",
            str(reviewer),
            article.last_reviewed or "",
            article.next_review_due or "",
            "yes" if article.review_overdue(today) else "no",
            article.reading_grade if article.reading_grade is not None else "",
            article.word_count,
            article.citation_count,
            article.oldest_year or "",
            article.newest_year or "",
            article.given_count,
            article.language,
            translation_state(article, behind),
        ]
