"""Reading level of patient text: Flesch–Kincaid grade, syllables from pyphen."""

import functools
import re

import pyphen

from common.richtext import plain_text  # noqa: F401 - re-exported for callers

WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
SENTENCE_END_RE = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n")


@functools.cache
def _dictionary():
    return pyphen.Pyphen(lang="en_US")


def syllables(word):
    """Return the number of syllables in an English word (at least one)."""
    word = word.lower().strip("'’-")
    return max(1, len(_dictionary().positions(word)) + 1) if word else 0


def words(text):
    return WORD_RE.findall(text)


def grade(text):
    """Return the Flesch–Kincaid grade of plain text, or None if it has no words."""
    found = words(text)
    if not found:
        return None
    sentences = max(1, len([s for s in SENTENCE_END_RE.split(text) if WORD_RE.search(s)]))
    syllable_count = sum(syllables(word) for word in found)
    value = 0.39 * len(found) / sentences + 11.8 * syllable_count / len(found) - 15.59
    return round(max(0.0, value), 1)
