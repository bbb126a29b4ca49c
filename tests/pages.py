"""Read what a page shows: headings, JSON-LD, links (for the public-page tests)."""

import json
import re

LD_JSON_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def html(response):
    return response.content.decode()


def h1_count(response):
    return len(re.findall(r"<h1[\s>]", html(response)))


def ld_json(response):
    """Return every JSON-LD object on the page, parsed."""
    return [json.loads(block) for block in LD_JSON_RE.findall(html(response))]


def ld_types(response):
    return [data["@type"] for data in ld_json(response)]


def ld_of_type(response, type_name):
    return next(data for data in ld_json(response) if data["@type"] == type_name)


def listing_world(n):
    """Publish n articles on one topic and tag, each with n topics, tags, FAQs and quotes.

    Bulk-created (no signals) so a 50-article world takes a moment, not a minute.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from articles.models import FAQ, Article, Quote
    from tests.conftest import make_expert, make_topic, publish

    stamp = f"{n}-{timezone.now().timestamp()}".replace(".", "")
    topics = [make_topic(name=f"World {stamp} topic {i}") for i in range(n)]
    tags = [Tag.objects.create(name=f"world {stamp} tag {i}") for i in range(n)]
    experts = [make_expert(name=f"World {stamp} expert {i}") for i in range(n)]
    expert = experts[0]
    publish_at = timezone.now() - timezone.timedelta(days=1)
    Article.objects.bulk_create(
        Article(
            title=f"World {stamp} article {i}",
            slug=f"world-{stamp}-article-{i}",
            summary="A summary.",
            reviewed_by=expert,
            last_reviewed=publish_at.date(),
            featured=True,
        )
        for i in range(n)
    )
    articles = list(Article.objects.filter(slug__startswith=f"world-{stamp}-"))
    Through = Article.topics.through
    Through.objects.bulk_create(
        Through(article=article, topic=topic) for article in articles for topic in topics
    )
    article_type = ContentType.objects.get_for_model(Article)
    TaggedItem.objects.bulk_create(
        TaggedItem(tag=tag, content_type=article_type, object_id=article.pk)
        for article in articles
        for tag in tags
    )
    FAQ.objects.bulk_create(
        FAQ(article=article, position=i, question=f"Q{i}?", answer="<p>A.</p>")
        for article in articles
        for i in range(1, n + 1)
    )
    Quote.objects.bulk_create(
        Quote(article=article, position=i, expert=experts[i - 1], text="Words.")
        for article in articles
        for i in range(1, n + 1)
    )
    for article in articles:
        publish(article, go_live_at=publish_at)
    return {"topic": topics[0].slug, "tag": tags[0].slug, "expert": expert.slug}


def queries_for_1_and_50(client, path):
    """Return the queries a GET of path runs in a 1-article world and in a 50-article one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 50):
        page = path.format(**listing_world(n))
        client.get(page)  # warm per-process caches (content types) so counts compare fairly
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page)
        assert response.status_code == 200, page
        counts.append(len(captured))
    return counts
