"""Keep an article's updated time and reading stats current when its parts change."""

from django.db.models.signals import post_delete, post_save

from articles.models import FAQ, Article, Citation, Quote, Section, update_reading_stats


def part_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    article = Article.objects.filter(pk=instance.article_id).first()
    if article is None:  # the article itself is being deleted
        return
    article.touch()
    if sender in (Section, FAQ, Quote):
        update_reading_stats(article)


def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        update_reading_stats(instance)


def connect():
    for model in (Section, Quote, Citation, FAQ):
        post_save.connect(part_changed, sender=model, dispatch_uid=f"part-saved-{model.__name__}")
        post_delete.connect(
            part_changed, sender=model, dispatch_uid=f"part-deleted-{model.__name__}"
        )
    post_save.connect(article_saved, sender=Article, dispatch_uid="article-saved")
