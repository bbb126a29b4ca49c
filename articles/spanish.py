"""Spanish words for search: fold case and accents, then stem (Snowball's Spanish stemmer).

For a search backend without PostgreSQL's `spanish` text-search configuration (SQLite's
FTS5 has no Spanish stemmer): stem the indexed text and the query alike, so
"medicamentos" finds "medicamento" and "Magnesio" finds "magnesio".
"""

import functools
import re
import unicodedata

import snowballstemmer

WORD_RE = re.compile(r"[^\W_]+")  # letters and digits, as the search indexes words


@functools.cache
def _stemmer():
    return snowballstemmer.stemmer("spanish")


def fold(word):
    """Return word in lower case without accents (ñ kept: "año" is not "ano")."""
    decomposed = unicodedata.normalize("NFD", word.casefold().replace("ñ", "\0"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", plain.replace("\0", "ñ"))


@functools.lru_cache(maxsize=100_000)
def stem_word(word):
    """Return the stem of one lower-case word, folded (the stemmer is slow; texts repeat)."""
    return fold(_stemmer().stemWord(word))


def stem_es(text):
    """Return the Spanish stems of the words in text, space-separated, in order."""
    return " ".join(stem_word(word.casefold()) for word in WORD_RE.findall(text))
