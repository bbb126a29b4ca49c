"""Full-text search of the documents: FTS5 on SQLite, tsvector and GIN on PostgreSQL.

Both rank alike: documents matching in the title first, then in the summary, tags or
topics, then the rest; within each of those tiers by relevance (bm25 on SQLite,
ts_rank on PostgreSQL). What a search costs does not grow with the number of matches:
the tiers together read at most `limit` matches (the first the index finds; so the count
is exact up to that limit), each ranks what it read (on PostgreSQL only its first
RANKED, since ranking reads a document's whole vector; the rest follow in index order),
and only the page's rows get snippets.

The SQL is built from constants; every value, the full-text query included, is a
parameter. Only documents live at `now` (see SearchDocument) are counted or quoted.
"""

import functools

from django.db import connection, transaction

from search.models import SearchDocument
from search.schema import FTS_TABLE, TABLE
from search.text import CONFIG, MARK_END, MARK_START

SNIPPET_WORDS = 28
RANKED = 100  # matches ranked per tier (PostgreSQL); the rest follow in index order
# bm25 weights of the FTS5 columns title, summary, keywords, body, more: like
# PostgreSQL's default ts_rank weights for A, B, B, C, C (1.0, 0.4, 0.4, 0.2, 0.2).
BM25_WEIGHTS = "10.0, 4.0, 4.0, 2.0, 2.0"


def fetch(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with transaction.atomic(using=connection.alias):
                # The estimated cost of a full-text query over many documents is high
                # enough for PostgreSQL to compile it to machine code first (JIT): 30-70
                # ms spent on a query that then runs in 5.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute(sql, params)
                return cursor.fetchall()
        cursor.execute(sql, params)
        return cursor.fetchall()


class Backend:
    """The documents matching a query that are visible at `now`, in one language or all."""

    def __init__(self, query, *, any_word, now, language=None):
        self.terms = query.terms
        self.any_word = any_word
        self.now = now
        self.language = language

    @functools.cached_property
    def _visible(self):
        return SearchDocument.objects.live(self.now, self.language).where_sql(connection)

    def visible(self):
        """Return the SQL condition and parameters of a document being live at `now`: the
        WHERE clause of SearchDocument.objects.live(), on the unaliased document table,
        compiled once for the three tiers (compiling it cost more than running a tier)."""
        sql, params = self._visible
        return sql, list(params)

    def ranked(self, limit):
        """Return the pks of up to `limit` matching documents, best first.

        Each tier takes what the tiers before it left of the limit, so once the title
        tier alone has `limit` matches the others read nothing.
        """
        ctes, params = [], []
        for tier in range(3):
            taken = "".join(f" - (SELECT count(*) FROM t{n})" for n in range(tier))
            sql, tier_params = self.tier_sql(tier)
            ctes.append(f"t{tier} AS MATERIALIZED ({sql} LIMIT {self.greatest}(0, %s{taken}))")
            params += [*tier_params, limit]
        rank, rank_params = self.rank_sql()
        union = " UNION ALL ".join(f"SELECT {self.tier_columns(n)} FROM t{n}" for n in range(3))
        sql = (
            f"WITH {', '.join(ctes)} SELECT id FROM (SELECT id, tier, {rank} AS rank "
            f"FROM ({union}) tiers) ranked ORDER BY tier, rank {self.rank_order} NULLS LAST, id"
        )
        return [row[0] for row in fetch(sql, [*params, *rank_params])]

    def documents(self, pks):
        """Return the page's documents with their sources (and none of their text)."""
        text = ["title", "summary", "keywords", "body", "more"]
        return (
            SearchDocument.objects.filter(pk__in=pks)
            .select_related("release", "article", "expert")
            .defer(*text, "vector", "title_vector", "summary_vector")
            .defer("release__content", "release__rendered")
        )


class SqliteBackend(Backend):
    """Search the FTS5 table (porter stemming, accents folded) with bm25 ranking."""

    rank_order = "ASC"  # bm25: lower is better
    greatest = "max"

    def tier_columns(self, tier):
        return f"id, {tier} AS tier, rank"

    def rank_sql(self):
        return "rank", []  # bm25 is worked out in the tier, where FTS5 can give it

    def __init__(self, query, **kwargs):
        super().__init__(query, **kwargs)
        phrases = ['"' + " ".join(term) + '"' for term in self.terms]
        self.match = (" OR " if self.any_word else " AND ").join(phrases)
        self.either = " OR ".join(phrases)

    def tier_sql(self, tier):
        """Return the query of one tier: title, else summary or labels, else the rest."""
        match, either = f"({self.match})", f"({self.either})"
        fts_query = [
            f"{match} AND {{title}} : {either}",
            f"({match} AND {{summary keywords}} : {either}) NOT {{title}} : {either}",
            f"{match} NOT {{title summary keywords}} : {either}",
        ][tier]
        visible, params = self.visible()
        sql = (
            f"SELECT {FTS_TABLE}.rowid AS id, bm25({FTS_TABLE}, {BM25_WEIGHTS}) AS rank "
            f"FROM {FTS_TABLE} JOIN {TABLE} ON {TABLE}.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND {visible}"
        )
        return sql, [fts_query, *params]

    def snippets(self, pks):
        """Return {pk: (summary snippet, body snippet)} for a page of results."""
        columns = ", ".join(
            f"snippet({FTS_TABLE}, {column}, %s, %s, '…', {SNIPPET_WORDS})" for column in (1, 3)
        )
        sql = (
            f"SELECT rowid, {columns} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
            f"AND rowid IN ({', '.join(['%s'] * len(pks))})"
        )
        markers = [MARK_START, MARK_END]
        rows = fetch(sql, [*markers, *markers, self.match, *pks])
        return {pk: (summary or "", body or "") for pk, summary, body in rows}


class PostgresBackend(Backend):
    """Search the GIN-indexed tsvectors with ts_rank; ts_headline for snippets."""

    rank_order = "DESC"
    greatest = "greatest"

    def __init__(self, query, **kwargs):
        super().__init__(query, **kwargs)
        # websearch_to_tsquery syntax: "a phrase" in quotes, `or` between alternatives.
        phrases = ['"' + " ".join(term) + '"' for term in self.terms]
        self.match = (" or " if self.any_word else " ").join(phrases)
        self.either = " or ".join(phrases)

    def tier_sql(self, tier):
        """Return the query of one tier: title, else summary or labels, else the rest.

        Where any word matching the title or summary means a match (one word, or any of
        them), those tiers read the small vectors alone; the whole vector's index would
        only add a long list of matches to intersect.
        """
        query = f"websearch_to_tsquery('{CONFIG}', %s)"
        title, summary = f"{TABLE}.title_vector @@ {query}", f"{TABLE}.summary_vector @@ {query}"
        parts, parts_params = [
            ([title], [self.either]),
            ([summary, f"NOT {title}"], [self.either, self.either]),
            ([f"NOT {summary}", f"NOT {title}"], [self.either, self.either]),
        ][tier]
        if tier == 2 or self.match != self.either:
            parts, parts_params = (
                [f"{TABLE}.vector @@ {query}", *parts],
                [self.match, *parts_params],
            )
        visible, params = self.visible()
        sql = f"SELECT {TABLE}.id FROM {TABLE} WHERE {' AND '.join(parts)} AND {visible}"
        return sql, [*parts_params, *params]

    def tier_columns(self, tier):
        # The order the index found them in: the first RANKED of each tier are ranked.
        return f"id, {tier} AS tier, row_number() OVER () AS found"

    def rank_sql(self):
        """Rank the first RANKED matches of each tier, each read by its key: reading a
        document's whole vector is what ranking costs, so the rest follow unranked."""
        rank = (
            f"CASE WHEN found <= {RANKED} THEN (SELECT ts_rank(r.vector, "
            f"websearch_to_tsquery('{CONFIG}', %s)) FROM {TABLE} r WHERE r.id = tiers.id) END"
        )
        return rank, [self.match]

    def snippets(self, pks):
        """Return {pk: (summary snippet, body snippet)} for a page, in one query.

        ts_headline reads all the text it is given, so the body's is taken from a window
        around the first of the words' stems (or its start): the same cost for a long
        document as for a short one. The body is quoted only where the summary has none
        of the words.
        """
        options = (
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
            f"MinWords={SNIPPET_WORDS // 2}, MaxFragments=1"
        )
        query = f"websearch_to_tsquery('{CONFIG}', %s)"
        first = (
            "(SELECT min(nullif(strpos(lower(d.body), stem), 0)) FROM "
            f"unnest(tsvector_to_array(to_tsvector('{CONFIG}', %s))) AS stem)"
        )
        window = f"substr(d.body, greatest(1, coalesce({first}, 1) - 300), 1200)"
        sql = (
            f"SELECT d.id, d.summary, d.body, ts_headline('{CONFIG}', d.summary, {query}, %s), "
            f"CASE WHEN to_tsvector('{CONFIG}', d.summary) @@ {query} THEN '' "
            f"ELSE ts_headline('{CONFIG}', {window}, {query}, %s) END "
            f"FROM {TABLE} d WHERE d.id = ANY(%s)"
        )
        words = " ".join(word for term in self.terms for word in term)
        params = [self.match, options, self.either, words, self.match, options, list(pks)]
        return {
            pk: (with_ellipses(summary_snippet, summary), with_ellipses(body_snippet, body))
            for pk, summary, body, summary_snippet, body_snippet in fetch(sql, params)
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
