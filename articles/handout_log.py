"""The "given to a patient" log: what the front desk printed, and the report made from it.

Nothing about the patient is stored; see HandoutGiven.
"""

import datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from articles.models import HandoutGiven, Topic


def record_given(user, given_releases, paper, large, in_packet=False):
    """Record one row per printed release (reviewed releases only, never drafts)."""
    now = timezone.now()
    rows = [
        HandoutGiven(
            article_id=release.article_id,
            release=release,
            language=release.language,
            paper=paper,
            large_print=large,
            in_packet=in_packet,
            given_by=user,
            given_at=now,
        )
        for release in given_releases
    ]
    # bulk_create sends no post_save: a log row is not content and must not empty the
    # page cache or touch the search index.
    return HandoutGiven.objects.bulk_create(rows)


def last_year(today=None):
    """Return the first day counted by "the last 12 months"."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=365)


def summary(given):
    """Return the counts of the given handouts per article, per topic and per month."""
    per_article = (
        given.values("article__title")
        .annotate(count=Count("pk"))
        .order_by("-count", "article__title")
    )
    per_topic = (
        Topic.objects.filter(articles__handouts_given__in=given)
        .annotate(count=Count("articles__handouts_given"))
        .order_by("-count", "name")
    )
    per_month = (
        given.annotate(month=TruncMonth("given_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    )
    return {
        "total": given.count(),
        "per_article": [(row["article__title"], row["count"]) for row in per_article],
        "per_topic": [(topic.name, topic.count) for topic in per_topic],
        "per_month": [(row["month"], row["count"]) for row in per_month],
    }


CSV_HEADER = ["month", "article", "topics", "handouts given"]


def csv_rows(given):
    """Yield one row per month and article: month, title, its topics, the count."""
    rows = (
        given.annotate(month=TruncMonth("given_at"))
        .values("month", "article", "article__title")
        .annotate(count=Count("pk"))
        .order_by("month", "article__title")
    )
    rows = list(rows)
    topics = {}
    for article_id, name in Topic.objects.filter(
        articles__in={row["article"] for row in rows}
    ).values_list("articles", "name"):
        topics.setdefault(article_id, []).append(name)
    for row in rows:
        names = "; ".join(sorted(topics.get(row["article"], [])))
        yield [f"{row['month']:%Y-%m}", row["article__title"], names, row["count"]]
