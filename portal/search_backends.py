"""Full-text search of the SearchDocuments: FTS5 on SQLite, tsvector on PostgreSQL.

Both rank alike: documents matching in the title first, then in the summary, tags or
topics, then the rest; within each of those tiers by relevance (bm25 on SQLite,
ts_rank on PostgreSQL). Only documents the public may see are counted or quoted.
"""

import operator
from dataclasses import dataclass
from functools import reduce

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorExact,
)
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Case, F, Func, TextField, Value, When
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import SearchDocument
from portal.search_index import CONFIG, FTS_TABLE, MARK_END, MARK_START

SNIPPET_WORDS = 28
# bm25 weights of the FTS5 columns title, summary, keywords, body: like PostgreSQL's
# default ts_rank weights for A, B, B, C (1.0, 0.4, 0.4, 0.2).
BM25_WEIGHTS = "10.0, 4.0, 4.0, 2.0"
# What result titles and links do not need.
TEXT_FIELDS = ["title", "summary", "keywords", "body", "vector", "title_vector", "summary_vector"]


@dataclass(frozen=True)
class Result:
    kind: str  # "article" or "expert"
    title: str
    url: str
    snippet: str  # safe HTML: escaped text with <mark> around the matches


def highlight(text):
    """Return snippet text escaped, with its match markers turned into <mark>."""
    marked = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(marked)  # noqa: S308 - escaped just above; the markers are ours


def make_result(document, summary_snippet, body_snippet):
    """Return a Result, quoting the summary if it matched, else the body, else the summary."""
    snippet = next(
        (text for text in (summary_snippet, body_snippet) if MARK_START in text),
        summary_snippet or body_snippet,
    )
    if document.article_id:
        kind, title, url = "article", document.article.title, document.article.get_absolute_url()
    else:
        expert = document.expert
        kind, title, url = "expert", expert.name_with_credentials, expert.get_absolute_url()
    return Result(kind, title, url, highlight(snippet))


class Matches:
    """The visible documents matching a query, ranked; counted and sliced by a Paginator.

    One query ranks every match (the database must rank them all to find the best
    anyway), so the count and any page come from the same list of pks.
    """

    def __init__(self, query, any_word=False):
        self.terms = query.terms
        self.any_word = any_word
        self.now = timezone.now()
        self._ranked = None

    def ranked(self):
        if self._ranked is None:
            self._ranked = self.ranked_pks()
        return self._ranked

    def count(self):
        return len(self.ranked())

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("Search results are read a page (slice) at a time.")
        pks = self.ranked()[index]
        found = self.page(pks) if pks else {}
        return [make_result(*found[pk]) for pk in pks if pk in found]  # unless just deleted

    def documents_with_sources(self, pks):
        return SearchDocument.objects.filter(pk__in=pks).select_related("article", "expert")

    def visible(self):
        return SearchDocument.objects.visible(self.now)


class SqliteMatches(Matches):
    """Search the FTS5 table (porter stemming, accents folded) with bm25 ranking.

    The SQL is built from constants and Django's compiled visibility filter; every
    value, the FTS5 query included, is passed as a parameter.
    """

    def __init__(self, query, any_word=False):
        super().__init__(query, any_word)
        phrases = [fts_phrase(term) for term in self.terms]
        self.match = (" OR " if any_word else " ").join(phrases)
        either = " OR ".join(phrases)
        self.in_title = f"{{title}} : ({either})"
        self.in_summary = f"{{summary keywords}} : ({either})"

    def where(self):
        # "+rowid": a plain rowid IN (...) would run the full-text query once per row.
        visible, params = SearchDocument.objects.visible_pks(self.now).query.sql_with_params()
        return f"{FTS_TABLE} MATCH %s AND +rowid IN ({visible})", [self.match, *params]

    def ranked_pks(self):
        where, params = self.where()
        matching = f"+rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"  # noqa: S608
        sql = (
            f"SELECT rowid FROM {FTS_TABLE} WHERE {where} "  # noqa: S608
            f"ORDER BY 2 * ({matching}) + ({matching}) DESC, "
            f"bm25({FTS_TABLE}, {BM25_WEIGHTS}), rowid"
        )
        return [row[0] for row in fetch(sql, [*params, self.in_title, self.in_summary])]

    def page(self, pks):
        """Return {pk: (document, summary snippet, body snippet)} for a page of results."""
        snippets = self.snippets(pks)
        documents = self.documents_with_sources(pks).defer(*TEXT_FIELDS)
        return {doc.pk: (doc, *snippets.get(doc.pk, ("", ""))) for doc in documents}

    def snippets(self, pks):
        columns = ", ".join(
            f"snippet({FTS_TABLE}, {column}, %s, %s, '…', {SNIPPET_WORDS})" for column in (1, 3)
        )
        sql = (
            f"SELECT rowid, {columns} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608
            f"AND rowid IN ({', '.join(['%s'] * len(pks))})"
        )
        markers = [MARK_START, MARK_END]
        rows = fetch(sql, [*markers, *markers, self.match, *pks])
        return {pk: (summary or "", body or "") for pk, summary, body in rows}


def fts_phrase(words):
    """Return an FTS5 string for a word or phrase (words hold letters and digits only)."""
    return '"' + " ".join(words) + '"'


def fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class AroundFirstMatch(Func):
    """Return the part of a long text around the first of the words' stems (or its start).

    ts_headline reads all the text it is given; a window keeps a snippet's cost the same
    for a long article as for a short one.
    """

    output_field = TextField()

    def __init__(self, text, words, *, before=300, length=1200):
        super().__init__(text, words)
        self.before, self.length = before, length

    def as_sql(self, compiler, connection, **extra):
        text, text_params = compiler.compile(self.source_expressions[0])
        words, words_params = compiler.compile(self.source_expressions[1])
        first = (
            f"(SELECT min(nullif(strpos(lower({text}), stem), 0)) "  # noqa: S608
            f"FROM unnest(tsvector_to_array(to_tsvector('{CONFIG}', {words}))) AS stem)"
        )
        sql = (
            f"substr({text}, greatest(1, coalesce({first}, 1) - {self.before:d}), {self.length:d})"
        )
        return sql, [*text_params, *text_params, *words_params]


class PostgresMatches(Matches):
    """Search the GIN-indexed tsvector with ts_rank; ts_headline for snippets."""

    def __init__(self, query, any_word=False):
        super().__init__(query, any_word)
        queries = [
            SearchQuery(" ".join(term), search_type="phrase", config=CONFIG)
            if len(term) > 1
            else SearchQuery(term[0], search_type="plain", config=CONFIG)
            for term in self.terms
        ]
        self.query = reduce(operator.or_ if any_word else operator.and_, queries)
        self.either = reduce(operator.or_, queries)

    def documents(self):
        return self.visible().filter(vector=self.query)

    def ranked_pks(self):
        tier = Value(2) * self.matches_in("title_vector") + self.matches_in("summary_vector")
        ranked = self.documents().annotate(tier=tier, rank=SearchRank(F("vector"), self.query))
        return list(ranked.order_by("-tier", "-rank", "pk").values_list("pk", flat=True))

    def matches_in(self, field):
        """Return 1 where any of the words is in the (small) vector field, else 0."""
        found = SearchVectorExact(F(field), self.either)
        return Case(When(found, then=Value(1)), default=Value(0))

    def page(self, pks):
        """Return {pk: (document, summary snippet, body snippet)} for a page, in one query."""
        options = {
            "config": CONFIG,
            "start_sel": MARK_START,
            "stop_sel": MARK_END,
            "max_words": SNIPPET_WORDS,
            "min_words": SNIPPET_WORDS // 2,
            "max_fragments": 1,
        }
        # Quote the long body only where the summary has none of the words.
        words = " ".join(word for term in self.terms for word in term)
        in_summary = SearchVectorExact(SearchVector("summary", config=CONFIG), self.either)
        body_snippet = Case(
            When(in_summary, then=Value("")),
            default=SearchHeadline(
                AroundFirstMatch(F("body"), Value(words)), self.query, **options
            ),
            output_field=TextField(),
        )
        documents = (
            self.documents_with_sources(pks)
            .defer("keywords", "vector", "title_vector", "summary_vector")
            .annotate(
                summary_snippet=SearchHeadline("summary", self.query, **options),
                body_snippet=body_snippet,
            )
        )
        return {
            doc.pk: (
                doc,
                with_ellipses(doc.summary_snippet, doc.summary),
                with_ellipses(doc.body_snippet, doc.body),
            )
            for doc in documents
        }


def with_ellipses(snippet, text):
    """Mark with … where a snippet starts after the text's start or ends before its end."""
    plain = snippet.replace(MARK_START, "").replace(MARK_END, "")
    start = text.find(plain) if plain else -1
    if start < 0:
        return snippet
    before = "…" if text[:start].strip() else ""
    after = "…" if text[start + len(plain) :].strip(" .!?…") else ""
    return f"{before}{snippet}{after}"


def matches(query, any_word=False):
    """Return the Matches of query for the database in use (AND, or OR with any_word)."""
    backends = {"sqlite": SqliteMatches, "postgresql": PostgresMatches}
    if connection.vendor not in backends:
        raise ImproperlyConfigured(
            f"Search works on SQLite and PostgreSQL; this database is {connection.vendor}."
        )
    return backends[connection.vendor](query, any_word)
