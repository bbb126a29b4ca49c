"""Make release 1 of every published article from its current state (a clinic upgrading
loses nothing): the text patients saw, its reviewer, review date and publish time.

A published article with no medical reviewer or review date cannot have a release (every
release names its reviewer); it is sent back to review instead, and listed here.
"""

from django.db import migrations
from django.utils import timezone


def make_releases(apps, schema_editor):
    from articles import releases

    Article = apps.get_model("articles", "Article")
    Release = apps.get_model("articles", "Release")
    published = Article.objects.filter(status="published").select_related(
        "reviewed_by", "author"
    )
    for article in published.iterator():
        if article.reviewed_by is None or article.last_reviewed is None:
            Article.objects.filter(pk=article.pk).update(status="in_review")
            print(f"\n  “{article.title}” has no medical reviewer or review date: sent to review.")
            continue
        content = releases.snapshot(article)
        word_count, reading_grade = releases.reading_stats(content)
        release = Release.objects.create(
            article=article,
            number=1,
            title=content["title"],
            summary=content["summary"],
            content=content,
            content_hash=releases.content_hash(content),
            word_count=word_count,
            reading_grade=reading_grade,
            reviewed_by=article.reviewed_by,
            reviewer_name=content["reviewer"]["name_with_credentials"],
            approved_by=None,
            reviewed_on=article.last_reviewed,
            go_live_at=article.publish_at or timezone.now(),
            note="Version 1, made from the published article when the portal was upgraded.",
        )
        release.experts.set([expert["id"] for expert in releases.featured_experts(content)])
        Article.objects.filter(pk=article.pk).update(working_hash=release.content_hash)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0005_releases"),
    ]

    operations = [migrations.RunPython(make_releases, migrations.RunPython.noop)]
