"""Did you mean …? Spelling suggestions from the words that search may find.

When a search finds nothing, or no document has all of its words, `suggest()` replaces
each word that no visible document holds with the nearest word one does ("magnesuim" →
"magnesium"): at most a few edits away (optimal string alignment distance, where two
letters swapped are one edit; one edit for words under 8 letters, two under 12, else
three), the most common of the nearest, and not a word the search already finds by its
stem ("legs" is never corrected to "leg").

The vocabulary, kept by search/index.py as it writes documents (the Change class):
- SearchWord counts, per word and language, the documents that hold the word and were
  live for good when indexed: experts, and releases past their go-live time with no
  newer release due. Only a change to the article or expert, which rewrites its
  documents and so its words, can end that.
- A document with a boundary still ahead (a scheduled release, or the live release it
  will replace) lists its words as TimedWord rows instead (and gives them a SearchWord
  row with no count), which count only while SearchDocument.objects.live(), the
  visibility rule of search itself, finds the document.
So a word only in a draft (never indexed), an archived article (its documents removed
on archiving) or a release not yet live is never suggested, and a scheduled word is from
its go-live time on, with nothing running at that moment.

Candidates: on PostgreSQL the nearest by trigram similarity (pg_trgm, a GIN index on
SearchWord.word); on SQLite rapidfuzz over the language's vocabulary.
"""

import collections
import functools

import snowballstemmer
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Sum
from rapidfuzz import process
from rapidfuzz.distance import OSA

from search.models import SearchDocument, SearchWord, TimedWord
from search.query import STOP_WORDS, WORD_RE, words
from search.text import fold

MIN_LENGTH, MAX_LENGTH = 3, 40  # letters of a word suggestions may offer or correct
CANDIDATES = 20  # nearest words looked at per misspelt word
SIMILARITY = 0.2  # pg_trgm's least similarity for a candidate (its default, 0.3, misses
# two swapped letters in a short word: "lesg" and "legs" share 2 of 8 trigrams)
TEXT = ("title", "summary", "keywords", "body", "more")
SOURCE = ("pk", "language", "expert_id", "live_from", "live_until")
UPSERT = (
    "INSERT INTO search_searchword (word, language, documents) VALUES (%s, %s, %s) "
    "ON CONFLICT (word, language) DO UPDATE "
    "SET documents = search_searchword.documents + excluded.documents"
)
DECREMENT = (
    "UPDATE search_searchword SET documents = documents - %s WHERE word = %s AND language = %s"
)
NEAREST_POSTGRES = """
    SELECT q.word, w.word, w.documents FROM unnest(%s::text[]) AS q(word)
    CROSS JOIN LATERAL (
        SELECT word, sum(documents) AS documents FROM search_searchword
        WHERE word %% q.word AND (%s::text[] IS NULL OR language = ANY(%s::text[]))
        GROUP BY word ORDER BY similarity(word, q.word) DESC, word LIMIT %s
    ) w"""


# --- The vocabulary -----------------------------------------------------------------------


def vocabulary(text):
    """Return the words of text that a suggestion may offer: letters only, folded."""
    return {
        word
        for word in words(text)
        if MIN_LENGTH <= len(word) <= MAX_LENGTH and word.isalpha() and word not in STOP_WORDS
    }


def timed(expert_id, live_from, live_until, now):
    """Say whether a document indexed at `now` may become visible or hidden with no write."""
    return expert_id is None and (live_until is not None or live_from > now)


def tally(rows, now):
    """Return the vocabulary of documents: ({(word, language): documents live for good},
    [(document pk, word)] of the others), from rows of SOURCE then TEXT values."""
    counts, timed_words = collections.Counter(), []
    for pk, language, expert_id, live_from, live_until, *text in rows:
        found = vocabulary(" ".join(text))
        if timed(expert_id, live_from, live_until, now):
            timed_words += [(pk, word) for word in sorted(found)]
            counts.update(dict.fromkeys(((word, language) for word in found), 0))
        else:
            counts.update((word, language) for word in found)
    return counts, timed_words


def write_counts(cursor, delta):
    """Add `delta` ({(word, language): change}) to the counts, creating missing words."""
    cursor.executemany(UPSERT, [(w, lang, n) for (w, lang), n in sorted(delta.items()) if n >= 0])
    cursor.executemany(
        DECREMENT, [(-n, w, lang) for (w, lang), n in sorted(delta.items()) if n < 0]
    )


class Change:
    """The vocabulary's part in rewriting documents: remove() the old ones before they are
    deleted, add() the new ones once created, then save()."""

    def __init__(self, now):
        self.now = now
        self.delta = collections.Counter()

    def remove(self, documents):
        """Take back the words of `documents` (a queryset), about to be deleted."""
        timed_rows = TimedWord.objects.filter(document__in=documents)
        timed_pks = set()
        for pk, word, language in timed_rows.values_list(
            "document_id", "word", "document__language"
        ):
            timed_pks.add(pk)
            self.delta[(word, language)] += 0
        settled = documents.exclude(pk__in=timed_pks).values_list(*SOURCE, *TEXT)
        for row in settled.iterator(chunk_size=200):
            for word in vocabulary(" ".join(row[len(SOURCE) :])):
                self.delta[(word, row[1])] -= 1
        timed_rows.delete()

    def add(self, documents):
        """Count the words of saved documents."""
        rows = [[getattr(d, name) for name in (*SOURCE, *TEXT)] for d in documents]
        counts, timed_words = tally(rows, self.now)
        self.delta.update(counts)
        TimedWord.objects.bulk_create(
            [TimedWord(document_id=pk, word=word) for pk, word in timed_words], batch_size=500
        )

    def save(self, prune=True):
        """Write the counts; drop the words no document holds any more."""
        with connection.cursor() as cursor:
            write_counts(cursor, self.delta)
        if prune:
            touched = sorted({word for word, _ in self.delta})
            for start in range(0, len(touched), 500):
                batch = touched[start : start + 500]
                held = TimedWord.objects.filter(
                    word=OuterRef("word"), document__language=OuterRef("language")
                )
                gone = SearchWord.objects.filter(word__in=batch, documents__lte=0)
                gone.exclude(Exists(held)).delete()
        self.delta.clear()


def clear():
    """Forget the whole vocabulary (before the index is rebuilt)."""
    TimedWord.objects.all().delete()
    SearchWord.objects.all().delete()


# --- Suggesting -------------------------------------------------------------------------


def allowed_edits(word):
    return max(1, min(3, len(word) // 4))


@functools.cache
def stemmer(language):
    return snowballstemmer.stemmer("spanish" if language == "es" else "english")


def checked_words(query):
    """Return the query's words that could be misspelt: words, not numbers or stop words."""
    found = {word for term in query.terms for word in term}
    return sorted(
        word
        for word in found
        if MIN_LENGTH <= len(word) <= MAX_LENGTH and word.isalpha() and word not in STOP_WORDS
    )


def suggest(query, language, now, finds):
    """Return the query's text with each word no visible document holds replaced by the
    nearest word one does, or "" if there is none to offer.

    `finds(word)` says whether searching the word alone finds anything: the search's own
    last check, for words counted in documents that a bulk update hid without rewriting
    them (search.engine.suggestion gives it).
    """
    checked = checked_words(query)
    if not checked:
        return ""
    near = nearest(checked, language)
    uncounted = {word for found in near.values() for word, count in found.items() if count <= 0}
    visible = live_timed_words(uncounted, language, now) if uncounted else set()
    stem = stemmer(language).stemWord
    corrections = {}
    for word in checked:
        found = {w: count for w, count in near[word].items() if count > 0 or w in visible}
        if word in found:
            continue
        best = min(((OSA.distance(word, w), -count, w) for w, count in found.items()), default=None)
        if best and best[0] <= allowed_edits(word) and stem(best[2]) != stem(word):
            corrections[word] = best[2]
    corrections = {word: w for word, w in corrections.items() if finds(w)}
    if not corrections:
        return ""
    return WORD_RE.sub(
        lambda match: corrections.get(fold(match.group().lower()), match.group()), query.text
    )


def languages(language):
    return ["", language] if language else None


def nearest(checked, language):
    """Return {word: {near word: documents live for good}} for the words, each near word
    being in the vocabulary of the language (and experts), the word itself included."""
    if connection.vendor == "postgresql":
        return nearest_postgres(checked, language)
    words, found = vocabulary_words(language), {}
    for word in checked:
        edits = allowed_edits(word)
        choices = words.of_length(len(word) - edits, len(word) + edits)  # no others are near
        near = process.extract(
            word, choices, scorer=OSA.distance, score_cutoff=edits, limit=CANDIDATES
        )
        found[word] = [choice for choice, _, _ in near]
    rows = SearchWord.objects.filter(word__in=sorted({w for near in found.values() for w in near}))
    if language:
        rows = rows.filter(language__in=languages(language))
    counts = dict(
        rows.order_by().values("word").annotate(n=Sum("documents")).values_list("word", "n")
    )
    return {word: {w: counts[w] for w in near if w in counts} for word, near in found.items()}


class Words:
    """The words of one language (and experts') in the vocabulary, by length."""

    def __init__(self, words):
        self.by_length = collections.defaultdict(list)
        for word in sorted(words):
            self.by_length[len(word)].append(word)
        self.spans = {}

    def of_length(self, shortest, longest):
        """Return the words of these lengths (kept: the next misspelling is as long)."""
        if (shortest, longest) not in self.spans:
            lengths = range(shortest, longest + 1)
            self.spans[shortest, longest] = [w for n in lengths for w in self.by_length.get(n, ())]
        return self.spans[shortest, longest]


_vocabularies = {}  # {language: (newest word row, Words)}, as this process read them


def vocabulary_words(language):
    """Return the Words of the language, read again once a word has been added. Words
    since removed may remain: their counts, read afresh for each suggestion, leave them out."""
    newest = SearchWord.objects.order_by("-pk").values_list("pk", "word", "language").first()
    seen, words = _vocabularies.get(language, (None, None))
    if words is None or newest != seen:
        rows = SearchWord.objects.order_by()
        if language:
            rows = rows.filter(language__in=languages(language))
        words = Words(set(rows.values_list("word", flat=True).iterator(chunk_size=5000)))
        _vocabularies[language] = (newest, words)
    return words


def nearest_postgres(checked, language):
    near = {word: {} for word in checked}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(SIMILARITY)]
        )
        codes = languages(language)
        cursor.execute(NEAREST_POSTGRES, [checked, codes, codes, CANDIDATES])
        for word, found, documents in cursor.fetchall():
            near[word][found] = documents
    return near


def live_timed_words(candidates, language, now):
    """Return those of the words that a document live at `now` holds for a while."""
    live = SearchDocument.objects.live(now, language)
    rows = TimedWord.objects.filter(word__in=sorted(candidates), document__in=live)
    return set(rows.values_list("word", flat=True).distinct())
