"""Keep the search index current: a SearchDocument per live or scheduled release, and
one per expert, with the vocabulary that spelling suggestions come from (search/suggest.py).

portal/changes.py calls these functions when content changes; nothing else writes the
index. A release's document holds its frozen text (never the working copy) with the
window of time in which it is live, so it turns up, and its predecessor drops out, at
its go-live time with nothing running at that moment.
"""

import functools
import itertools

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F, Q
from django.utils import timezone
from taggit.models import TaggedItem

from articles.models import Article, Release, TopicTranslation
from experts.models import Expert
from search import schema, suggest
from search.models import SearchDocument
from search.text import (
    COLUMNS,
    SPANISH,
    expert_fields,
    live_windows,
    release_fields,
    spanish_stems,
    with_vectors,
)

CHUNK = 200  # articles indexed per round of queries


def indexed(window, now):
    """Say whether a release with this live window is live now or will be later."""
    live_from, live_until = window
    return live_until is None or live_until > max(now, live_from)


def labels_of(article_ids):
    """Return {article pk: [topic and tag names]} of the given articles, in two queries."""
    labels = {pk: [] for pk in article_ids}
    topics = Article.topics.through.objects.filter(article_id__in=article_ids)
    for article_id, name in topics.values_list("article_id", "topic__name"):
        labels[article_id].append(name)
    tags = TaggedItem.objects.filter(
        content_type__app_label="articles",
        content_type__model="article",
        object_id__in=article_ids,
    )
    for article_id, name in tags.values_list("object_id", "tag__name"):
        labels[article_id].append(name)
    return labels


def translated_labels(article_ids):
    """Return {(article pk, language): [topic names in that language]} of the articles."""
    names = {}
    rows = TopicTranslation.objects.filter(topic__articles__in=article_ids).values_list(
        "topic__articles", "language", "name"
    )
    for article_id, language, name in rows:
        names.setdefault((article_id, language), []).append(name)
    return names


def release_documents(article_ids, now):
    """Return unsaved documents for the live and scheduled releases of the articles."""
    rows = (
        Release.objects.filter(article_id__in=article_ids)
        .exclude(article__status=Article.Status.ARCHIVED)
        .values_list("pk", "article_id", "number", "go_live_at")
    )
    windows = {}
    for _, group in itertools.groupby(sorted(rows, key=lambda r: r[1]), lambda r: r[1]):
        group = list(group)
        by_number = live_windows([(number, go_live_at) for _, _, number, go_live_at in group])
        for pk, _, number, _ in group:
            if indexed(by_number[number], now):
                windows[pk] = by_number[number]
    if not windows:
        return []
    labels, translated = labels_of(article_ids), translated_labels(article_ids)
    releases = Release.objects.filter(pk__in=windows).only(
        "pk", "article_id", "language", "content"
    )
    return [
        SearchDocument(
            release_id=release.pk,
            article_id=release.article_id,
            language=release.language,
            live_from=windows[release.pk][0],
            live_until=windows[release.pk][1],
            **with_vectors(
                release_fields(
                    release.content,
                    labels[release.article_id]
                    + translated.get((release.article_id, release.language), []),
                ),
                connection,
                release.language,
            ),
        )
        for release in releases.iterator(chunk_size=CHUNK)
    ]


def index_spanish(documents):
    """Write the Spanish stems of the saved Spanish documents among these to SQLite's
    table of them (PostgreSQL stems as it builds the vectors)."""
    if connection.vendor != "sqlite":
        return
    rows = [
        (document.pk, *spanish_stems({name: getattr(document, name) for name in COLUMNS}).values())
        for document in documents
        if document.language == SPANISH
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(schema.SQLITE_SPANISH_INSERT, rows)


def expert_document(expert):
    fields = expert_fields(
        expert.name_with_credentials, expert.role, expert.affiliation, expert.bio
    )
    return SearchDocument(expert=expert, **with_vectors(fields, connection))


def reindex_articles(pks, raw=False):
    """Rewrite the documents of the articles now, or once the transaction commits for
    raw saves (loaddata and restoring history, where an article's parts arrive one by
    one)."""
    pks = sorted({pk for pk in pks if pk is not None})
    if raw:
        transaction.on_commit(functools.partial(reindex_articles, pks))
        return
    now = timezone.now()
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        with transaction.atomic():
            words = suggest.Change(now)
            forget(SearchDocument.objects.filter(article_id__in=chunk), words)
            documents = SearchDocument.objects.bulk_create(
                release_documents(chunk, now), batch_size=50
            )
            index_spanish(documents)
            words.add(documents)
            words.save()


def index_expert(pk, raw=False):
    if raw:
        transaction.on_commit(functools.partial(index_expert, pk))
        return
    with transaction.atomic():
        words = suggest.Change(timezone.now())
        forget(SearchDocument.objects.filter(expert_id=pk), words)
        expert = Expert.objects.filter(pk=pk).first()
        if expert is not None:
            document = expert_document(expert)
            document.save()
            words.add([document])
        words.save()


def expert_deleting(pk):
    """Remove an expert's document and its words, before the deletion cascades to it."""
    with transaction.atomic():
        words = suggest.Change(timezone.now())
        forget(SearchDocument.objects.filter(expert_id=pk), words)
        words.save()


def forget(documents, words):
    """Delete documents (a queryset), taking their words out of the vocabulary first."""
    words.remove(documents)
    documents.delete()


def topics_changed(instance, action, reverse, pk_set):
    """Reindex articles whose topics changed, from either side of the relation."""
    if not reverse:
        reindex_articles([instance.pk])
    elif action == "pre_clear":
        instance._search_article_pks = list(instance.articles.values_list("pk", flat=True))
    elif action == "post_clear":
        reindex_articles(getattr(instance, "_search_article_pks", []))
    elif action in ("post_add", "post_remove"):
        reindex_articles(pk_set or [])


def releases_rescheduled():
    """Reindex the articles whose release go-live times moved (ReleaseQuerySet.reschedule)."""
    moved = (
        SearchDocument.objects.filter(release__isnull=False)
        .exclude(live_from=F("release__go_live_at"))
        .values_list("article_id", flat=True)
        .distinct()
    )
    reindex_articles(list(moved))


def rebuild():
    """Rewrite every document and the database's full-text index; return the counts."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Fill the table with the full-text index gone, then index it in one go: far
        # quicker than updating the index row by row. On PostgreSQL, searches wait
        # for the rebuild to commit; on SQLite they read the old index until then.
        schema.drop(connection, cursor)
        suggest.clear()
        SearchDocument.objects.all().delete()
        pks = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        now, documents = timezone.now(), 0
        words = suggest.Change(now)
        for start in range(0, len(pks), CHUNK):
            batch = release_documents(pks[start : start + CHUNK], now)
            words.add(SearchDocument.objects.bulk_create(batch, batch_size=50))
            documents += len(batch)
        experts = [expert_document(e) for e in Expert.objects.iterator(chunk_size=CHUNK)]
        words.add(SearchDocument.objects.bulk_create(experts, batch_size=50))
        words.save(prune=False)  # every count is new: none is left at 0
        if connection.vendor == "postgresql":
            # Run the foreign-key checks deferred so far: PostgreSQL creates no
            # index on a table with checks pending.
            connection.check_constraints()
        schema.create(connection, cursor)
        if connection.vendor == "sqlite":
            index_spanish(SearchDocument.objects.filter(language=SPANISH).iterator(CHUNK))
            for command in ("rebuild", "optimize"):
                cursor.execute(
                    f"INSERT INTO {schema.FTS_TABLE}({schema.FTS_TABLE}) VALUES (%s)",
                    [command],
                )
        else:
            cursor.execute(f"ANALYZE {schema.TABLE}")  # fresh statistics for plans
    return documents, len(experts)


def index_missing(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """After migrate, complete the index: recreate lost full-text machinery (a later
    migration that rebuilds the table on SQLite drops its triggers) and index content
    saved before the index existed."""
    if using != DEFAULT_DB_ALIAS:
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return  # migrated to an older state: the models may not match the tables
    if schema.missing(connection):
        rebuild()
        return
    now = timezone.now()
    unindexed = Release.objects.filter(
        Q(pk__in=Release.objects.live(now)) | Q(pk__in=Release.objects.scheduled(now)),
        search_document=None,
    )
    reindex_articles(unindexed.values_list("article_id", flat=True))
    for pk in Expert.objects.filter(search_document=None).values_list("pk", flat=True):
        index_expert(pk)
