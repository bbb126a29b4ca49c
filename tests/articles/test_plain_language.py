"""Plain language: listed words and phrases are found, with their plainer alternatives."""

import pytest

from articles.plain_language import Jargon, entries, find_jargon


def found(text, extra=()):
    return {
        match.term: (match.found, match.alternative, match.count)
        for match in find_jargon(text, extra)
    }


def test_the_list_has_over_a_hundred_entries_each_with_an_alternative():
    listed = entries()
    assert len(listed) >= 100
    assert all(term and plain and term != plain.lower() for term, plain in listed.items())
    assert listed["hypomagnesemia"] == "low magnesium"
    assert listed["in the event that"] == "if"
    assert listed["approximately"] == "about"


def test_words_are_found_whatever_their_case_with_the_form_first_written():
    matches = find_jargon("Physicians say: ask your PHYSICIAN. A physician can help.")
    assert matches == [Jargon("Physicians", "physician", "doctor", 3)]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Nurses administer it.", "administer"),
        ("It administers itself.", "administer"),
        ("She administered the dose.", "administer"),
        ("Before administering it, wash.", "administer"),
        ("They utilized it.", "utilize"),
        ("Stop utilizing it.", "utilize"),
        ("Two comorbidities.", "comorbidity"),
        ("Electrolytes matter.", "electrolytes"),
        ("A physician’s advice.", "physician"),
        ("Use it approximately daily.", "approximately"),
    ],
)
def test_simple_inflections_are_found(text, term):
    assert term in found(text)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("In the event that it hurts, call.", "in the event that"),
        ("in   the\nevent that", "in the event that"),
        ("Due to the fact that it helps.", "due to the fact that"),
        ("Seek medical attention now.", "seek medical attention"),
        ("Ask a healthcare provider.", "healthcare provider"),
    ],
)
def test_phrases_are_found_across_any_white_space(text, term):
    assert term in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Because of this, the abuse stopped.",  # "use"
        "A renaissance of care.",  # not "renal"
        "The orality of the text.",  # not "oral"
        "In order tomorrow we go.",  # not "in order to"
        "Chronically ill.",  # not "chronic"
        "Semioral",
    ],
)
def test_nothing_is_found_inside_a_longer_word(text):
    assert find_jargon(text, extra=[("use", "employ")]) == []


def test_clinic_entries_are_found_and_override_the_built_in_list():
    matches = found(
        "Use RLS medication as a physician says.",
        extra=[("RLS", "restless legs"), ("physician", "your doctor"), ("use", "take")],
    )
    assert matches["rls"] == ("RLS", "restless legs", 1)
    assert matches["physician"] == ("physician", "your doctor", 1)
    assert matches["use"] == ("Use", "take", 1)


def test_matches_come_in_order_of_first_appearance():
    text = "Approximately half. Utilize it. In order to sleep, utilize it approximately."
    assert [(m.term, m.count) for m in find_jargon(text)] == [
        ("approximately", 2),
        ("utilize", 2),
        ("in order to", 1),
    ]


@pytest.mark.parametrize("text", ["", None, "😀 \x00\x07", "東京 привет", "a" * 100_000])
def test_any_text_is_searched_without_error(text):
    assert find_jargon(text) == []


def test_odd_clinic_entries_do_not_break_the_search():
    assert find_jargon("a (b) c", extra=[("(b)", "bee"), ("", "nothing"), ("  ", "x")]) == [
        Jargon("(b)", "(b)", "bee", 1)
    ]
