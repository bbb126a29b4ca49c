"""The one place that reacts to content changes: page cache, search index, working copies.

What patients see comes from releases, experts, topics, tags and the clinic settings, so
a change to one of those starts a new page-cache generation (portal/cache.py) and a new
release re-indexes its article for search. Edits to a working copy (an article's
sections, quotes, citations and FAQs, or a reference they cite) change nothing public:
they only refresh the article's stored reading stats and "changes not yet reviewed"
digest, once per transaction, after it commits.
"""

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete
from taggit.models import Tag, TaggedItem

from articles import rendering
from articles.models import (
    FAQ,
    Article,
    Citation,
    Quote,
    Reference,
    Release,
    Section,
    Topic,
    TopicCode,
    TopicTranslation,
)
from articles.releases import refresh_working_copy
from common.signals import content_changed
from experts.models import Expert, ExpertTranslation
from portal import cache
from portal.models import ClinicSettings
from search import index as search_index

WORKING_COPY_PARTS = (Section, Quote, Citation, FAQ)
# Topic codes are never shown on pages, but the Infobutton and the API serve them.
SHOWN_TO_PATIENTS = (
    Expert,
    ExpertTranslation,
    Topic,
    TopicTranslation,
    TopicCode,
    Tag,
    TaggedItem,
    ClinicSettings,
)


def working_copies_changed(article_ids, using):
    """Refresh these articles' working-copy digest and stats once, when the change commits."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:  # autocommit: this save was its own transaction
        refresh_working_copy(article_ids)
        return
    waiting = [func for _, func, _ in connection.run_on_commit if isinstance(func, _Refresh)]
    if waiting:
        waiting[-1].articles.update(article_ids)
    else:
        refresh = _Refresh(article_ids)
        transaction.on_commit(refresh, using=using)


class _Refresh:
    """The after-commit task of one transaction: refresh its changed working copies once."""

    def __init__(self, article_ids):
        self.articles = set(article_ids)

    def __call__(self):
        refresh_working_copy(self.articles)


def working_copy_changed(sender, instance, raw=False, using=None, **kwargs):
    working_copies_changed([instance.article_id], using)


def article_saved(sender, instance, raw=False, using=None, **kwargs):
    """Slug, topics, tags, picture and archiving are live on the article: all can show."""
    working_copies_changed([instance.pk], using)
    cache.invalidate(using)
    search_index.reindex_articles([instance.pk], raw)


def release_saved(sender, instance, created=False, raw=False, using=None, **kwargs):
    cache.invalidate(using)
    search_index.reindex_articles([instance.article_id], raw)
    if not raw:
        rendering.page_parts(instance)  # once, now: the first patient's view costs no more


def reference_saved(sender, instance, using=None, **kwargs):
    """A reference as cited is part of every citing working copy."""
    citing = Citation.objects.filter(reference=instance).values_list("article_id", flat=True)
    working_copies_changed(list(citing), using)


def shown_changed(sender, instance, raw=False, using=None, **kwargs):
    cache.invalidate(using)
    if isinstance(instance, Expert):
        search_index.index_expert(instance.pk, raw)
    elif isinstance(instance, Topic | Tag):
        search_index.reindex_articles(
            getattr(instance, "_labelled", None) or labelled(instance), raw
        )
    elif isinstance(instance, TopicTranslation):  # Spanish articles are found by it too
        search_index.reindex_articles(labelled(Topic(pk=instance.topic_id)), raw)
    elif isinstance(instance, TaggedItem) and instance.content_type.model_class() is Article:
        search_index.reindex_articles([instance.object_id], raw)


def labelled(label):
    """Return the pks of the articles filed under a topic or tag."""
    field = "topics" if isinstance(label, Topic) else "tags"
    return list(Article.objects.filter(**{field: label}).values_list("pk", flat=True))


def label_deleting(sender, instance, **kwargs):
    """Remember a topic's or tag's articles: its links are gone by the time it is."""
    instance._labelled = labelled(instance)


def expert_deleting(sender, instance, **kwargs):
    """Remove the expert's search document and its words before the deletion cascades."""
    search_index.expert_deleting(instance.pk)


def classification_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    """An article's topics changed, from either side of the relation."""
    if action.startswith("pre_") and action != "pre_clear":
        return
    cache.invalidate(using)
    search_index.topics_changed(instance, action, reverse, pk_set)


def bulk_changed(sender, **kwargs):
    cache.invalidate()
    if sender is Release:  # only a rescheduled go-live time changes a release in bulk
        search_index.releases_rescheduled()


def connect():
    """Connect every receiver (called once from PortalConfig.ready)."""
    for model in WORKING_COPY_PARTS:
        for signal in (post_save, post_delete):
            signal.connect(working_copy_changed, sender=model, dispatch_uid=f"changes-{model}")
    for signal in (post_save, post_delete):
        signal.connect(article_saved, sender=Article, dispatch_uid="changes-article")
        for model in SHOWN_TO_PATIENTS:
            signal.connect(shown_changed, sender=model, dispatch_uid=f"changes-shown-{model}")
    for model in (Topic, Tag):
        pre_delete.connect(label_deleting, sender=model, dispatch_uid=f"changes-deleting-{model}")
    pre_delete.connect(expert_deleting, sender=Expert, dispatch_uid="changes-deleting-expert")
    post_save.connect(release_saved, sender=Release, dispatch_uid="changes-release")
    post_save.connect(reference_saved, sender=Reference, dispatch_uid="changes-reference")
    m2m_changed.connect(
        classification_changed, sender=Article.topics.through, dispatch_uid="changes-topics"
    )
    content_changed.connect(bulk_changed, dispatch_uid="changes-bulk")
    post_migrate.connect(
        search_index.index_missing,
        sender=apps.get_app_config("search"),
        dispatch_uid="changes-search-after-migrate",
    )
