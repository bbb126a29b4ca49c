"""search.run(): one page of ranked, highlighted results, for the search page and the API."""

import math
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from search.backends import PostgresBackend, SqliteBackend
from search.query import Query, parse_query
from search.suggest import suggest as corrected
from search.text import MARK_END, MARK_START

MAX_RESULTS = 1000  # counted exactly up to here; beyond, "more than 1,000 results"
MAX_PER_PAGE = 100
BACKENDS = {"sqlite": SqliteBackend, "postgresql": PostgresBackend}


@dataclass(frozen=True)
class Item:
    """One result: a live release of an article, or an expert."""

    kind: str  # "article" or "expert"
    title: str
    url: str
    snippet: str  # safe HTML: escaped text with <mark> around the matches
    release: object = None  # the live Release (its content deferred), for articles
    article: object = None
    expert: object = None
    language: str = ""  # an article's language; "" for experts


@dataclass(frozen=True)
class Results:
    """A page of results, with the count and what the page links need."""

    query: Query
    items: list = field(default_factory=list)
    total: int = 0  # exact up to MAX_RESULTS
    capped: bool = False  # more than MAX_RESULTS matched: pages end there
    number: int = 1  # this page's number, from 1
    per_page: int = 10
    any_word: bool = False  # no document had every word: these have some
    suggestion: str = ""  # when asked for: the query with misspelt words corrected, or ""

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    @property
    def num_pages(self):
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.num_pages

    @property
    def has_other_pages(self):
        return self.num_pages > 1

    @property
    def previous_page_number(self):
        return self.number - 1

    @property
    def next_page_number(self):
        return self.number + 1

    @property
    def start_index(self):
        """Return the 1-based position of the page's first result."""
        return (self.number - 1) * self.per_page + 1


def backend(query, *, any_word, now, language, prefer=None):
    if connection.vendor not in BACKENDS:
        raise ImproperlyConfigured(
            f"Search works on SQLite and PostgreSQL; this database is {connection.vendor}."
        )
    return BACKENDS[connection.vendor](
        query, any_word=any_word, now=now, language=language, prefer=prefer
    )


def run(query, page=1, per_page=10, language=None, now=None, suggest=False, prefer=None):
    """Search live releases and experts; return the Results page `page` (from 1).

    `query` is what a visitor typed (or a parsed Query). A page number below 1 or past
    the last gives the last page. Documents with every word come first; if none has
    them all, those with any. `language` keeps to documents in it (and experts); or,
    with `prefer`, every language is searched and documents in that one (and experts)
    come first. `now` decides what is live (default: the present). With `suggest`, a
    search that finds nothing, or no document with every word, comes with a suggestion
    ("Did you mean …?", see `suggestion()`, from the words of `language` or `prefer`).
    """
    query = query if isinstance(query, Query) else parse_query(query)
    per_page = min(MAX_PER_PAGE, max(1, int(per_page)))
    if not query.terms:
        return Results(query, per_page=per_page)
    now = now or timezone.now()
    found = backend(query, any_word=False, now=now, language=language, prefer=prefer)
    ranked = found.ranked(MAX_RESULTS + 1)
    if not ranked and len(query.terms) > 1:
        found = backend(query, any_word=True, now=now, language=language, prefer=prefer)
        ranked = found.ranked(MAX_RESULTS + 1)
    capped = len(ranked) > MAX_RESULTS
    ranked = ranked[:MAX_RESULTS]
    total = len(ranked)
    last = max(1, math.ceil(total / per_page))
    number = page if 1 <= page <= last else last
    pks = ranked[(number - 1) * per_page : number * per_page]
    wanted = suggest and (not total or found.any_word)
    return Results(
        query,
        items=items(found, pks),
        total=total,
        capped=capped,
        number=number,
        per_page=per_page,
        any_word=found.any_word,
        suggestion=suggestion(query, language or prefer, now) if wanted else "",
    )


def suggestion(query, language=None, now=None):
    """Return the query with each word that no document live at `now` holds replaced by
    the nearest word one does ("magnesuim" → "magnesium"), or "": see search/suggest.py."""
    query = query if isinstance(query, Query) else parse_query(query)
    now = now or timezone.now()

    def finds(word):
        alone = backend(Query(word, ((word,),)), any_word=False, now=now, language=language)
        return bool(alone.ranked(1))

    return corrected(query, language, now, finds)


def items(found, pks):
    """Return the Items of the documents pks, in that order (one just deleted is left out)."""
    if not pks:
        return []
    snippets = found.snippets(pks)
    documents = {document.pk: document for document in found.documents(pks)}
    return [item(documents[pk], *snippets.get(pk, ("", ""))) for pk in pks if pk in documents]


def item(document, summary_snippet, body_snippet):
    """Return an Item, quoting the summary if it matched, else the body, else the summary."""
    snippet = next(
        (text for text in (summary_snippet, body_snippet) if MARK_START in text),
        summary_snippet or body_snippet,
    )
    if document.release_id:
        release, article = document.release, document.article
        release.article = article  # the same object: no query for release.article
        return Item(
            "article", release.title, article.get_absolute_url(), highlight(snippet),
            release=release, article=article, language=document.language,
        )  # fmt: skip
    expert = document.expert
    return Item(
        "expert", expert.name_with_credentials, expert.get_absolute_url(), highlight(snippet),
        expert=expert,
    )  # fmt: skip


def highlight(text):
    """Return snippet text escaped, with its match markers turned into <mark>."""
    marked = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(marked)  # noqa: S308 - escaped just above; the markers are ours
