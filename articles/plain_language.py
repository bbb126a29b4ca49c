"""Plain language: find complex or medical words that have a plainer alternative.

Public functions (stable names: the admin panel and the publish gate call them):

    find_jargon(text, extra=()) -> list[Jargon]
        The listed words and phrases found in plain text (use readability.plain_text on
        HTML first), once each, in the order they first appear, with how often they appear.
        Matching ignores case, respects word boundaries ("use" is not found in "because"),
        allows any white space inside a phrase, and finds simple inflections of the last
        word: plurals (-s, -es, -ies) and verb forms (-d, -ed, -ing). `extra` is an iterable
        of (term, alternative) pairs the clinic added; they override built-in entries.
    entries() -> dict[str, str]
        The built-in list, term -> alternative, from articles/data/plain_language.csv.
"""

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "plain_language.csv"


@dataclass(frozen=True)
class Jargon:
    """A listed word or phrase found in a text."""

    found: str  # as written where it first appears, e.g. "Physicians"
    term: str  # the list entry, e.g. "physician"
    alternative: str  # e.g. "doctor"
    count: int


@functools.cache
def entries():
    """Return the built-in list: term -> plainer alternative."""
    with DATA.open(encoding="utf-8", newline="") as file:
        rows = csv.DictReader(line for line in file if not line.startswith("#"))
        return {_normal(row["term"]): row["plain"].strip() for row in rows if row["term"]}


def find_jargon(text, extra=()):
    """Return the listed words and phrases in plain text, each once, in order of appearance."""
    pattern, variants = _matcher(tuple((str(term), str(plain)) for term, plain in extra))
    found = {}
    for match in pattern.finditer(text or ""):
        term = variants[_normal(match.group())]
        first, count = found.get(term, (match.group(), 0))
        found[term] = (first, count + 1)
    table = {**entries(), **{_normal(term): plain for term, plain in extra}}
    return [Jargon(first, term, table[term], count) for term, (first, count) in found.items()]


def _normal(phrase):
    return " ".join(phrase.replace("’", "'").lower().split())


@functools.lru_cache(maxsize=32)
def _matcher(extra):
    """Return a regex for every listed form, and a map from each form to its term."""
    variants = {}
    terms = [term for term in [*entries(), *(_normal(term) for term, _ in extra)] if term]
    for term in terms:
        for form in _forms(term):
            variants.setdefault(form, term)
    for term in terms:  # a term written out always means itself, not another's inflection
        variants[term] = term
    body = _trie_pattern(sorted(variants))
    pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)
    return pattern, variants


def _forms(term):
    """Return the term with its last word inflected: -s, -es, -ies, -d, -ed, -ing."""
    head, _, last = term.rpartition(" ")
    prefix = f"{head} " if head else ""
    endings = {last, last + "s", last + "es", last + "ed", last + "ing"}
    if last.endswith("e"):
        endings |= {last + "d", last[:-1] + "ing"}
    if last.endswith("y") and last[-2:-1] not in set("aeiou"):
        endings |= {last[:-1] + "ies", last[:-1] + "ied"}
    return {prefix + ending for ending in endings if ending}


def _trie_pattern(words):
    """Return a regex matching any of the words, built as a trie so matching stays fast."""
    trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_pattern(trie)


def _node_pattern(node):
    optional = "" in node
    branches = [_char_pattern(char) + _node_pattern(child) for char, child in node.items() if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if optional:
        return f"(?:{body})?"
    return body


def _char_pattern(char):
    if char == " ":
        return r"\s+"
    if char == "'":
        return "['’]"
    return re.escape(char)
