"""Full-text search of the documents: FTS5 on SQLite, tsvector and GIN on PostgreSQL.

Both rank alike: documents matching in the title first, then in the summary, tags or
topics, then the rest; within each of those tiers by relevance (bm25 on SQLite,
ts_rank on PostgreSQL). What a search costs does not grow with the number of matches:
the tiers together read at most `limit` matches (the first the index finds; so the count
is exact up to that limit), each ranks what it read (on PostgreSQL only its first
RANKED, since ranking reads a document's whole vector; the rest follow in index order),
and only the page's rows get snippets.

Spanish documents are searched with Spanish stems: on PostgreSQL their vectors and the
query under the `spanish` configuration, on SQLite a second FTS5 table of their text as
Spanish stems, queried with the query's words stemmed alike. A search that may find
Spanish documents (on the Spanish page, where it finds experts too, or in every
language) asks each kind of document in its own language; one in English only is the
same as before there were two.

The SQL is built from constants; every value, the full-text query included, is a
parameter. Only documents live at `now` (see SearchDocument) are counted or quoted.
"""

import functools

from django.db import connection, transaction

from articles.spanish import stem_es
from search.models import SearchDocument
from search.query import SPANISH_STOPS
from search.schema import FTS_TABLE, SPANISH_TABLE, TABLE
from search.text import CONFIG, CONFIGS, MARK_END, MARK_START, SPANISH, WORD_RE, fold

SNIPPET_WORDS = 28
# Accented letters folded where PostgreSQL looks for a stem in a Spanish body.
ACCENTED, UNACCENTED = "áàâäéèêëíìîïóòôöúùûüñç", "aaaaeeeeiiiioooouuuunc"
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

    def __init__(self, query, *, any_word, now, language=None, prefer=None):
        self.terms = query.terms
        self.any_word = any_word
        self.now = now
        self.language = language
        self.prefer = prefer  # with language None: documents in this language (and experts) first
        self.spanish = language in (None, SPANISH)  # may find Spanish documents

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
        first, first_params = "", []
        if self.prefer:
            first, first_params = (
                "CASE WHEN language IN ('', %s) THEN 0 ELSE 1 END, ",
                [self.prefer],
            )
        sql = (
            f"WITH {', '.join(ctes)} SELECT id FROM (SELECT id, tier, language, {rank} AS rank "
            f"FROM ({union}) tiers) ranked "
            f"ORDER BY {first}tier, rank {self.rank_order} NULLS LAST, id"
        )
        return [row[0] for row in fetch(sql, [*params, *rank_params, *first_params])]

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
        return f"id, {tier} AS tier, rank, language"

    def rank_sql(self):
        return "rank", []  # bm25 is worked out in the tier, where FTS5 can give it

    def __init__(self, query, **kwargs):
        super().__init__(query, **kwargs)
        self.match, self.either = fts_queries(self.terms, self.any_word)
        # (FTS5 table, full-text query, any-word query, condition on the document)
        self.sources = [(FTS_TABLE, self.match, self.either, "")]
        if self.spanish:
            self.stems = tuple(
                tuple(stem_es(word) or word for word in term)
                for term in self.terms
                if any(word not in SPANISH_STOPS for word in term)
            )
            self.sources = [
                (FTS_TABLE, self.match, self.either, f" AND {TABLE}.language <> '{SPANISH}'")
            ]
            if self.stems:  # else, as on PostgreSQL, no Spanish document matches
                self.sources.append((SPANISH_TABLE, *fts_queries(self.stems, self.any_word), ""))

    def tier_sql(self, tier):
        """Return the query of one tier: title, else summary or labels, else the rest."""
        visible, params = self.visible()
        selects, select_params = [], []
        for table, match, either, condition in self.sources:
            match, either = f"({match})", f"({either})"
            fts_query = [
                f"{match} AND {{title}} : {either}",
                f"({match} AND {{summary keywords}} : {either}) NOT {{title}} : {either}",
                f"{match} NOT {{title summary keywords}} : {either}",
            ][tier]
            selects.append(
                f"SELECT {table}.rowid AS id, bm25({table}, {BM25_WEIGHTS}) AS rank, "
                f"{TABLE}.language AS language "
                f"FROM {table} JOIN {TABLE} ON {TABLE}.id = {table}.rowid "
                f"WHERE {table} MATCH %s AND {visible}{condition}"
            )
            select_params += [fts_query, *params]
        return " UNION ALL ".join(selects), select_params

    def snippets(self, pks):
        """Return {pk: (summary snippet, body snippet)} for a page of results.

        FTS5 quotes the documents it stemmed; Spanish documents, whose stems are not
        their words, are quoted here, their words that stem as the query's marked.
        """
        columns = ", ".join(
            f"snippet({FTS_TABLE}, {column}, %s, %s, '…', {SNIPPET_WORDS})" for column in (1, 3)
        )
        placeholders = ", ".join(["%s"] * len(pks))
        sql = (
            f"SELECT rowid, '', {columns} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
            f"AND rowid IN ({placeholders})"
        )
        markers = [MARK_START, MARK_END]
        params = [*markers, *markers, self.match, *pks]
        if self.spanish:
            sql = (
                f"SELECT id, language, summary, body FROM {TABLE} "
                f"WHERE language = '{SPANISH}' AND id IN ({placeholders}) UNION ALL {sql}"
            )
            params = [*pks, *params]
        found = {}
        for pk, language, summary, body in fetch(sql, params):
            if language == SPANISH:  # quoted from its words, whatever FTS5 made of them
                stems = {stem for term in self.stems for stem in term}
                found[pk] = (marked(summary, stems), marked(body, stems))
            else:
                found.setdefault(pk, (summary or "", body or ""))
        return found


class PostgresBackend(Backend):
    """Search the GIN-indexed tsvectors with ts_rank; ts_headline for snippets."""

    rank_order = "DESC"
    greatest = "greatest"

    def __init__(self, query, **kwargs):
        super().__init__(query, **kwargs)
        self.match, self.either = websearch_queries(self.terms, self.any_word)

    def matches(self, column, text):
        """Return the SQL condition and parameters of the column's vector matching the
        query `text`, asked in each document's language."""
        vector = f"{TABLE}.{column}"
        if not self.spanish:
            return f"{vector} @@ websearch_to_tsquery('{CONFIG}', %s)", [text]
        spanish = f"websearch_to_tsquery('{CONFIGS[SPANISH]}', %s)"
        english = f"websearch_to_tsquery('{CONFIG}', %s)"
        return (
            f"(({TABLE}.language = '{SPANISH}' AND {vector} @@ {spanish}) "
            f"OR ({TABLE}.language <> '{SPANISH}' AND {vector} @@ {english}))",
            [text, text],
        )

    def config(self, alias):
        """Return the SQL of the text-search configuration of the document `alias`."""
        if not self.spanish:
            return f"'{CONFIG}'"
        return (
            f"(CASE WHEN {alias}.language = '{SPANISH}' THEN '{CONFIGS[SPANISH]}' "
            f"ELSE '{CONFIG}' END)::regconfig"
        )

    def tier_sql(self, tier):
        """Return the query of one tier: title, else summary or labels, else the rest.

        Where any word matching the title or summary means a match (one word, or any of
        them), those tiers read the small vectors alone; the whole vector's index would
        only add a long list of matches to intersect.
        """
        title, title_params = self.matches("title_vector", self.either)
        summary, summary_params = self.matches("summary_vector", self.either)
        parts, parts_params = [
            ([title], title_params),
            ([summary, f"NOT {title}"], [*summary_params, *title_params]),
            ([f"NOT {summary}", f"NOT {title}"], [*summary_params, *title_params]),
        ][tier]
        if tier == 2 or self.match != self.either:
            vector, vector_params = self.matches("vector", self.match)
            parts, parts_params = [vector, *parts], [*vector_params, *parts_params]
        visible, params = self.visible()
        sql = (
            f"SELECT {TABLE}.id, {TABLE}.language FROM {TABLE} "
            f"WHERE {' AND '.join(parts)} AND {visible}"
        )
        return sql, [*parts_params, *params]

    def tier_columns(self, tier):
        # The order the index found them in: the first RANKED of each tier are ranked.
        return f"id, {tier} AS tier, row_number() OVER () AS found, language"

    def rank_sql(self):
        """Rank the first RANKED matches of each tier, each read by its key: reading a
        document's whole vector is what ranking costs, so the rest follow unranked."""
        rank = (
            f"CASE WHEN found <= {RANKED} THEN (SELECT ts_rank(r.vector, "
            f"websearch_to_tsquery({self.config('r')}, %s)) FROM {TABLE} r "
            "WHERE r.id = tiers.id) END"
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
        config = self.config("d")
        query = f"websearch_to_tsquery({config}, %s)"
        words = " ".join(word for term in self.terms for word in term)

        def first(body):
            return (
                f"(SELECT min(nullif(strpos({body}, stem), 0)) FROM "
                f"unnest(tsvector_to_array(to_tsvector({config}, %s))) AS stem)"
            )

        start, start_params = first("lower(d.body)"), [words]
        if self.spanish:
            # Spanish stems have no accents, the words they stem from may ("cálculo" is
            # calcul): where no stem is in the body as written, look in it with its
            # accents folded, which takes milliseconds on a long body, so only then.
            folded = f"translate(lower(d.body), '{ACCENTED}', '{UNACCENTED}')"
            start = f"{start}, CASE WHEN d.language = '{SPANISH}' THEN {first(folded)} END"
            start_params = [words, words]
        window = f"substr(d.body, greatest(1, coalesce({start}, 1) - 300), 1200)"
        sql = (
            f"SELECT d.id, d.summary, d.body, ts_headline({config}, d.summary, {query}, %s), "
            f"CASE WHEN to_tsvector({config}, d.summary) @@ {query} THEN '' "
            f"ELSE ts_headline({config}, {window}, {query}, %s) END "
            f"FROM {TABLE} d WHERE d.id = ANY(%s)"
        )
        params = [self.match, options, self.either, *start_params, self.match, options, list(pks)]
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


def fts_queries(terms, any_word):
    """Return FTS5 queries of the terms: (all of them or any, any of them)."""
    phrases = ['"' + " ".join(term) + '"' for term in terms]
    return (" OR " if any_word else " AND ").join(phrases), " OR ".join(phrases)


def websearch_queries(terms, any_word):
    """Return websearch_to_tsquery queries of the terms: (all of them or any, any of
    them); "a phrase" in quotes, `or` between alternatives."""
    phrases = ['"' + " ".join(term) + '"' for term in terms]
    return (" or " if any_word else " ").join(phrases), " or ".join(phrases)


def marked(text, stems):
    """Return a snippet of text like FTS5's: SNIPPET_WORDS words from just before the
    first whose Spanish stem is one of `stems` (or from the start), those words marked,
    … where it is cut."""
    words = list(WORD_RE.finditer(text))
    prefixes = tuple(stems)  # a Spanish stem starts its word, accents folded
    hits = {
        n
        for n, word in enumerate(words)
        if fold(word.group().lower()).startswith(prefixes) and stem_es(word.group()) in stems
    }
    start = max(0, min(hits, default=0) - 3)
    shown = words[start : start + SNIPPET_WORDS]
    if not shown:
        return text
    end = shown[-1].end() if start + SNIPPET_WORDS < len(words) else len(text)
    parts, position = [], shown[0].start() if start else 0
    for n, word in enumerate(shown, start):
        if n in hits:
            parts += [text[position : word.start()], MARK_START, word.group(), MARK_END]
            position = word.end()
    parts.append(text[position:end])
    return ("…" if start else "") + "".join(parts) + ("…" if end < len(text) else "")
