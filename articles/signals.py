"""Keep an article's updated time, reading stats and stored page parts current.

Whatever an article page's stored parts show (articles/rendering.py) is watched here:
its sections, quotes, citations and FAQs, the experts and references they name, its
topics and its tags. A change bumps the articles' `updated` time and empties their
stored parts, after the change is written, so the next view renders them again.
"""

import functools

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from taggit.models import Tag, TaggedItem

from articles.models import (
    FAQ,
    Article,
    Citation,
    Quote,
    Reference,
    Section,
    Topic,
    update_reading_stats,
)
from experts.models import Expert


def touch(articles, raw=False):
    """Touch the given articles now, or once the transaction commits for raw saves.

    Raw saves come from loaddata and from restoring history, where an article's rows
    arrive one by one, the article itself possibly last.
    """
    if raw:
        transaction.on_commit(functools.partial(touch, articles))
    else:
        Article.objects.filter(pk__in=articles).touch()


def part_changed(sender, instance, raw=False, **kwargs):
    if raw:
        touch([instance.article_id], raw)
        return
    article = Article.objects.filter(pk=instance.article_id).first()
    if article is None:  # the article itself is being deleted
        return
    article.touch()
    if sender in (Section, FAQ, Quote):
        update_reading_stats(article)


def article_saved(sender, instance, raw=False, **kwargs):
    if raw:  # a fixture or a restored version may carry parts rendered from other rows
        touch([instance.pk], raw)
    else:
        update_reading_stats(instance)


def expert_changed(sender, instance, raw=False, **kwargs):
    """Touch the articles an expert reviewed, wrote or is quoted in."""
    shown = Q(reviewed_by=instance) | Q(author=instance) | Q(quotes__expert=instance)
    touch(Article.objects.filter(shown).values("pk"), raw)


def reference_saved(sender, instance, raw=False, **kwargs):
    touch(Article.objects.filter(citations__reference=instance).values("pk"), raw)


def topic_changed(sender, instance, raw=False, **kwargs):
    # Runs before a topic's deletion (inside its transaction): its links go unsignalled.
    touch(instance.articles.values("pk"), raw)


def topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Touch articles whose topics changed, from either side of the relation."""
    if not reverse:
        if action.startswith("post_"):
            touch([instance.pk])
    elif action == "pre_clear":  # inside the clear's transaction
        touch(instance.articles.values("pk"))
    elif action in ("post_add", "post_remove"):
        touch(pk_set or [])


def tag_saved(sender, instance, created=False, raw=False, **kwargs):
    if not created:
        touch(Article.objects.filter(tags=instance).values("pk"), raw)


def tagging_changed(sender, instance, raw=False, **kwargs):
    """Touch the article a tag was added to or removed from (deleted tags included)."""
    if instance.content_type_id == ContentType.objects.get_for_model(Article).pk:
        touch([instance.object_id], raw)


def connect():
    for model in (Section, Quote, Citation, FAQ):
        post_save.connect(part_changed, sender=model, dispatch_uid=f"part-saved-{model.__name__}")
        post_delete.connect(
            part_changed, sender=model, dispatch_uid=f"part-deleted-{model.__name__}"
        )
    post_save.connect(article_saved, sender=Article, dispatch_uid="article-saved")
    post_save.connect(expert_changed, sender=Expert, dispatch_uid="article-expert-saved")
    # Deleting an expert clears the author of their articles without saving them.
    pre_delete.connect(expert_changed, sender=Expert, dispatch_uid="article-expert-deleting")
    post_save.connect(reference_saved, sender=Reference, dispatch_uid="article-reference-saved")
    post_save.connect(topic_changed, sender=Topic, dispatch_uid="article-topic-saved")
    pre_delete.connect(topic_changed, sender=Topic, dispatch_uid="article-topic-deleting")
    m2m_changed.connect(
        topics_changed, sender=Article.topics.through, dispatch_uid="article-topics-changed"
    )
    post_save.connect(tag_saved, sender=Tag, dispatch_uid="article-tag-saved")
    post_save.connect(tagging_changed, sender=TaggedItem, dispatch_uid="article-tagged")
    post_delete.connect(tagging_changed, sender=TaggedItem, dispatch_uid="article-untagged")
