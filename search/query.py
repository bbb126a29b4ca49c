"""What a visitor typed, made safe to search for: words and "quoted phrases", nothing else."""

import re
import unicodedata
from dataclasses import dataclass

from search.text import INVISIBLE_RE, WORD_RE, fold

MAX_QUERY_LENGTH = 200  # characters; longer queries are cut
MAX_TERMS = 10  # words and phrases searched for; the rest are ignored
MAX_PHRASE_WORDS = 8  # words of one phrase; the rest of it is ignored

QUOTES = str.maketrans(dict.fromkeys("“”„‟″«»", '"'))
PHRASE_RE = re.compile(r'"([^"]*)"')

# PostgreSQL's English stop words (tsearch_data/english.stop), left out on both
# databases so that "the", "or" and the like behave the same on each.
ENGLISH_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now
"""
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS.split())


@dataclass(frozen=True)
class Query:
    text: str  # what was typed, cleaned and cut to length: shown back on the page
    terms: tuple  # what is searched for: each a tuple of words, one word or a phrase
    shortened: bool = False


def words(text):
    """Return the searchable words of text, lower case and without accents."""
    return [fold(word.lower()) for word in WORD_RE.findall(text)]


def word_terms(text):
    return [(word,) for word in words(text) if word not in STOP_WORDS]


def phrase_terms(text):
    found = words(text)[:MAX_PHRASE_WORDS]
    if not any(word not in STOP_WORDS for word in found):
        return []
    return [tuple(found)] if len(found) > 1 else [(found[0],)]


def parse_query(raw):
    """Return the Query for what a visitor typed: words and "quoted phrases", nothing else.

    Every term is later quoted as a plain string, so FTS or SQL syntax in the input
    (*, OR, NEAR(, quotes, semicolons) is only ever searched for as words, or dropped.
    """
    text = unicodedata.normalize("NFKC", INVISIBLE_RE.sub(" ", raw[: MAX_QUERY_LENGTH * 4]))
    text = " ".join(text.translate(QUOTES).split())
    shortened = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH].strip()
    terms, position = [], 0
    for phrase in PHRASE_RE.finditer(text):
        terms += word_terms(text[position : phrase.start()]) + phrase_terms(phrase.group(1))
        position = phrase.end()
    terms += word_terms(text[position:])
    return Query(text, tuple(dict.fromkeys(terms))[:MAX_TERMS], shortened)
