"""Keep the search index current: one SearchDocument per article and per expert.

An article's document holds the text of its live release (never the working copy);
search also filters with Article.objects.live() when it runs, so nothing that is not
live is ever matched or quoted.
"""

import functools
import re
import unicodedata

from django.contrib.postgres.search import SearchVector
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Prefetch, Value

from articles.citations import MARKER_RE
from articles.models import Article, Release, SearchDocument
from articles.readability import plain_text
from experts.models import Expert

CONFIG = "english"  # PostgreSQL text-search configuration: English stemming and stop words
FTS_TABLE = "articles_searchdocument_fts"

# Highlight markers put around matches by FTS5 snippet() and ts_headline(). They are
# control characters, removed from all indexed text, so they can only come from there.
MARK_START, MARK_END = "\x02", "\x03"

# Control, format (bidi overrides, zero-width), surrogate and private-use characters.
INVISIBLE_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ud800-\uf8ff]"
)
SENTENCE_END = tuple(".!?:;…")
CITATION_RE = re.compile(r"\s*" + MARKER_RE.pattern)  # [1] markers: noise in snippets

# The same statements as migration 0002, for rebuild_search_index.
SQLITE_SCHEMA = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS articles_searchdocument_fts USING fts5(
        title, summary, keywords, body,
        content='articles_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER IF NOT EXISTS articles_searchdocument_fts_insert
        AFTER INSERT ON articles_searchdocument BEGIN
        INSERT INTO articles_searchdocument_fts(rowid, title, summary, keywords, body)
        VALUES (new.id, new.title, new.summary, new.keywords, new.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS articles_searchdocument_fts_delete
        AFTER DELETE ON articles_searchdocument BEGIN
        INSERT INTO articles_searchdocument_fts(articles_searchdocument_fts, rowid, title, summary, keywords, body)
        VALUES ('delete', old.id, old.title, old.summary, old.keywords, old.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS articles_searchdocument_fts_update
        AFTER UPDATE ON articles_searchdocument BEGIN
        INSERT INTO articles_searchdocument_fts(articles_searchdocument_fts, rowid, title, summary, keywords, body)
        VALUES ('delete', old.id, old.title, old.summary, old.keywords, old.body);
        INSERT INTO articles_searchdocument_fts(rowid, title, summary, keywords, body)
        VALUES (new.id, new.title, new.summary, new.keywords, new.body);
    END""",
]
POSTGRES_SCHEMA = [
    "CREATE INDEX IF NOT EXISTS articles_searchdocument_vector_gin "
    "ON articles_searchdocument USING gin (vector) WITH (fastupdate = off)",
    # Keep vectors in the table row (compressed), not in TOAST: a search reads every
    # matching vector, and a TOAST lookup per row made that several times slower.
    "ALTER TABLE articles_searchdocument ALTER COLUMN vector SET STORAGE MAIN",
]


def clean(text):
    """Return text without invisible characters, its whitespace collapsed."""
    return " ".join(INVISIBLE_RE.sub(" ", text or "").split())


def sentences(parts):
    """Join text parts into one line, ending each with a full stop if it has none."""
    cleaned = (clean(part) for part in parts)
    return " ".join(part if part.endswith(SENTENCE_END) else f"{part}." for part in cleaned if part)


def rich_text(markup):
    """Return the plain text of rich text: headings and list items as sentences, no [n]."""
    return sentences(CITATION_RE.sub("", plain_text(markup)).split("\n\n"))


def fold(text):
    """Return text without accents (Ménière → Meniere), as SQLite's FTS5 table folds it."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def article_fields(article):
    """Return the document text of an article: its live release, topics and tags.

    An article with no live release gets an empty document (search shows only live ones).
    """
    releases = article.live_releases
    content = releases[0].content if releases else None
    if content is None:
        return {"title": "", "summary": "", "keywords": "", "body": ""}
    body = []
    for section in content["sections"]:
        body += [sentences([section["heading"]]), rich_text(section["body"])]
    body += [sentences([quote["text"]]) for quote in content["quotes"]]
    for faq in content["faqs"]:
        body += [sentences([faq["question"]]), rich_text(faq["answer"])]
    keywords = [topic.name for topic in article.topics.all()]
    keywords += [item.tag.name for item in article.tagged_items.all()]
    return {
        "title": clean(content["title"]),
        "summary": clean(content["summary"]),
        "keywords": sentences(keywords),
        "body": " ".join(part for part in body if part),
    }


def expert_fields(expert):
    """Return the document text of an expert: name and credentials, role, bio."""
    return {
        "title": clean(expert.name_with_credentials),
        "summary": sentences([expert.role, expert.affiliation]),
        "keywords": "",
        "body": rich_text(expert.bio),
    }


def vectors(fields):
    """Return the PostgreSQL search vectors of a document's text, accents folded."""

    def vector(*names, weight):
        values = [Value(fold(fields[name])) for name in names]
        return SearchVector(*values, config=CONFIG, weight=weight)

    title = vector("title", weight="A")
    summary = vector("summary", "keywords", weight="B")
    return {
        "vector": title + summary + vector("body", weight="C"),
        "title_vector": title,
        "summary_vector": summary,
    }


def with_vectors(fields):
    if connection.vendor == "postgresql":
        return fields | vectors(fields)
    return fields


def save_document(source, fields, create=True):
    """Write a document for source ({"article": a} or {"expert": e}); create it if asked."""
    fields = with_vectors(fields)
    if not SearchDocument.objects.filter(**source).update(**fields) and create:
        SearchDocument.objects.create(**source, **fields)


def articles_for_index():
    live = Prefetch("releases", queryset=Release.objects.live(), to_attr="live_releases")
    return Article.objects.prefetch_related(live, "topics", "tagged_items__tag")


def index_article(pk, create=True):
    """Write the document of article pk; without create, only refresh an existing one."""
    article = articles_for_index().filter(pk=pk).first()
    if article is not None:
        save_document({"article": article}, article_fields(article), create)


def index_expert(pk, raw=False):
    if raw:
        transaction.on_commit(functools.partial(index_expert, pk))
        return
    expert = Expert.objects.filter(pk=pk).first()
    if expert is not None:
        save_document({"expert": expert}, expert_fields(expert))


def reindex_articles(pks, raw=False, create=True):
    """Index articles now, or once the transaction commits for raw saves.

    Raw saves come from loaddata and from restoring history, where the article's parts
    arrive one by one and a saved fixture may bring its own documents along.
    """
    pks = [pk for pk in pks if pk is not None]
    if raw:
        transaction.on_commit(functools.partial(reindex_articles, pks, create=create))
        return
    for pk in pks:
        index_article(pk, create=create)


def rebuild():
    """Rewrite every document and the database's full-text index; return the counts."""
    with transaction.atomic():
        schema = SQLITE_SCHEMA if connection.vendor == "sqlite" else POSTGRES_SCHEMA
        if connection.vendor == "postgresql":
            # Run foreign-key checks deferred so far in an enclosing transaction:
            # PostgreSQL creates no index on a table with checks pending.
            connection.check_constraints()
        with connection.cursor() as cursor:
            for statement in schema:
                cursor.execute(statement)
        SearchDocument.objects.all().delete()
        articles = [
            SearchDocument(article=article, **with_vectors(article_fields(article)))
            for article in articles_for_index().iterator(chunk_size=500)
        ]
        experts = [
            SearchDocument(expert=expert, **with_vectors(expert_fields(expert)))
            for expert in Expert.objects.iterator(chunk_size=500)
        ]
        SearchDocument.objects.bulk_create(articles + experts, batch_size=200)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE articles_searchdocument")  # fresh statistics for plans
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for command in ("rebuild", "optimize"):
                    cursor.execute(
                        "INSERT INTO articles_searchdocument_fts(articles_searchdocument_fts) "
                        "VALUES (%s)",
                        [command],
                    )
    return len(articles), len(experts)


# --- Called by portal/changes.py -----------------------------------------------------


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


def index_missing(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """After migrate, index content saved before the search index existed."""
    if using != DEFAULT_DB_ALIAS:
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return  # migrated to an older state: the models may not match the tables
    for pk in Article.objects.filter(search_document=None).values_list("pk", flat=True):
        index_article(pk)
    for pk in Expert.objects.filter(search_document=None).values_list("pk", flat=True):
        index_expert(pk)
