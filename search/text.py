"""The text of search documents, from a release's frozen content or an expert's fields.

Pure functions of plain values (no queries), so the migration that builds the index
from historical models uses them too.
"""

import re
import unicodedata

from django.contrib.postgres.search import SearchVector
from django.db.models import Value

from articles.citations import MARKER_RE
from articles.spanish import stem_es
from common.richtext import plain_text

# PostgreSQL text-search configurations: Spanish documents are stemmed as Spanish, all
# others (experts included) with English stemming and stop words.
CONFIG = "english"
SPANISH = "es"
CONFIGS = {SPANISH: "spanish"}
COLUMNS = ("title", "summary", "keywords", "body", "more")

# Highlight markers put around matches by FTS5 snippet() and ts_headline(). They are
# control characters, removed from all indexed text, so they can only come from there.
MARK_START, MARK_END = "\x02", "\x03"

# The body is searched up to MAX_INDEXED_CHARS (about 30,000 words: past that a page is
# not patient education) and quoted in snippets from its first SNIPPET_CHARS only, so
# that no document, however long, makes a search or its snippets slow (issue 17).
SNIPPET_CHARS = 20_000
MAX_INDEXED_CHARS = 200_000

# Control, format (bidi overrides, zero-width), surrogate and private-use characters.
INVISIBLE_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ud800-\uf8ff]"
)
WORD_RE = re.compile(r"[^\W_]+")  # letters and digits: what both databases index as words
SENTENCE_END = tuple(".!?:;…")
CITATION_RE = re.compile(r"\s*" + MARKER_RE.pattern)  # [1] markers: noise in snippets


def clean(text):
    """Return text without invisible characters, its whitespace collapsed."""
    return " ".join(INVISIBLE_RE.sub(" ", text or "").split())


def sentences(parts):
    """Join text parts into one line, ending each with a full stop if it has none."""
    cleaned = (clean(part) for part in parts)
    return " ".join(part if part.endswith(SENTENCE_END) else f"{part}." for part in cleaned if part)


def rich_text(markup):
    """Return the plain text of rich text: headings and list items as sentences, no [n]."""
    return sentences(CITATION_RE.sub("", plain_text(markup or "")).split("\n\n"))


def fold(text):
    """Return text without accents (Ménière → Meniere), as SQLite's FTS5 table folds it."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def split_body(body):
    """Return (snippet part, searched-only rest) of a document body, cut at word ends."""
    body = body[:MAX_INDEXED_CHARS]
    if len(body) <= SNIPPET_CHARS:
        return body, ""
    cut = body.rfind(" ", 0, SNIPPET_CHARS)
    cut = cut if cut > SNIPPET_CHARS // 2 else SNIPPET_CHARS
    return body[:cut], body[cut:].strip()


def release_fields(content, labels):
    """Return the document text of a release: its frozen content, and the article's
    topics and tags (`labels`, live on the article)."""
    body = []
    for section in content.get("sections", ()):
        body += [sentences([section.get("heading", "")]), rich_text(section.get("body"))]
    body += [sentences([quote.get("text", "")]) for quote in content.get("quotes", ())]
    for faq in content.get("faqs", ()):
        body += [sentences([faq.get("question", "")]), rich_text(faq.get("answer"))]
    lead, more = split_body(" ".join(part for part in body if part))
    return {
        "title": clean(content.get("title", "")),
        "summary": clean(content.get("summary", "")),
        "keywords": sentences(labels),
        "body": lead,
        "more": more,
    }


def expert_fields(name_with_credentials, role, affiliation, bio):
    """Return the document text of an expert: name and credentials, role, bio."""
    lead, more = split_body(rich_text(bio))
    return {
        "title": clean(name_with_credentials),
        "summary": sentences([role, affiliation]),
        "keywords": "",
        "body": lead,
        "more": more,
    }


def live_windows(releases):
    """Return {release number: (live from, live until or None)} for an article's releases.

    `releases` are (number, go-live time) pairs. The live release is the newest whose
    go-live time has passed (ReleaseQuerySet.live), so release k is live from its own
    go-live time until the earliest go-live time of any newer release; a window that
    ends before it starts is never live.
    """
    windows, until = {}, None
    for number, go_live_at in sorted(releases, reverse=True):
        windows[number] = (go_live_at, until)
        until = go_live_at if until is None else min(until, go_live_at)
    return windows


def config(language):
    """Return the PostgreSQL text-search configuration of a document in the language."""
    return CONFIGS.get(language, CONFIG)


def searched_text(text, language):
    """Return the text PostgreSQL indexes for a document's text in the language.

    English is indexed without accents (Ménière is meniere), as queries are. Spanish is
    stemmed as written: Snowball's Spanish stemmer needs the accents to stem well
    ("información" and "informaciones" are both "inform") and drops them from its stems
    itself; the unaccented spelling of each accented word is added, so that a visitor
    who types without accents ("informacion", "pinguino") finds it too.
    """
    if language != SPANISH:
        return fold(text)
    accented = dict.fromkeys(fold(word) for word in WORD_RE.findall(text) if not word.isascii())
    return " ".join([text, *accented])


def spanish_stems(fields):
    """Return a Spanish document's text as its Spanish stems, without accents, column by
    column: what SQLite's FTS5 table of Spanish documents indexes (FTS5 has no Spanish
    stemmer), queried with the query's words stemmed alike."""
    return {name: stem_es(fields[name]) for name in COLUMNS}


def vectors(fields, language=""):
    """Return the PostgreSQL search vectors of a document's text in its language."""

    def vector(*names, weight):
        values = [Value(searched_text(fields[name], language)) for name in names]
        return SearchVector(*values, config=config(language), weight=weight)

    title = vector("title", weight="A")
    summary = vector("summary", "keywords", weight="B")
    return {
        "vector": title + summary + vector("body", "more", weight="C"),
        "title_vector": title,
        "summary_vector": summary,
    }


def with_vectors(fields, connection, language=""):
    """Return a document's fields, with its vectors on PostgreSQL."""
    if connection.vendor == "postgresql":
        return fields | vectors(fields, language)
    return fields
