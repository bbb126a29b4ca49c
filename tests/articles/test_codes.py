"""Diagnosis codes on topics: checked, written one way, unique, copied from the old field."""

import importlib

import pytest
from django.core.exceptions import ValidationError

from articles import codes
from articles.codes import ICD10CM, SNOMED_CT
from articles.models import TopicCode
from tests.conftest import make_topic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("G25.81", "G25.81"),
        ("g2581", "G25.81"),
        (" g25.81 ", "G25.81"),
        ("G25", "G25"),
        ("g25.", "G25"),
        ("A00", "A00"),
        ("Z99.89", "Z99.89"),
        ("S72.001A", "S72.001A"),
        ("C4A.9", "C4A.9"),
    ],
)
def test_icd10cm_codes_are_upper_case_with_their_dot(text, expected):
    assert codes.normalize(ICD10CM, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "G2",
        "250.33",
        "G2.5.81",
        "G25..8",
        "G25.81234",
        "GG5.1",
        "G25-81",
        "x" * 10_000,
    ],  # fmt: skip
)
def test_malformed_icd10cm_codes_are_refused(text):
    with pytest.raises(codes.InvalidCode):
        codes.normalize(ICD10CM, text)


@pytest.mark.parametrize("text", ["32914008", "123456", "1" * 18])
def test_snomed_ct_codes_are_6_to_18_digits(text):
    assert codes.normalize(SNOMED_CT, text) == text


@pytest.mark.parametrize("text", ["12345", "1" * 19, "G25.81", "0123456", "32914008x"])
def test_malformed_snomed_ct_codes_are_refused(text):
    with pytest.raises(codes.InvalidCode):
        codes.normalize(SNOMED_CT, text)


def test_unknown_system_is_refused():
    with pytest.raises(codes.InvalidCode):
        codes.normalize("2.16.840.1.113883.6.103", "250.33")


def test_parents_run_from_the_code_to_its_category():
    assert codes.parents("G25.81") == ["G25.81", "G25.8", "G25"]
    assert codes.parents("G25") == ["G25"]


def test_system_is_guessed_from_the_shape():
    assert codes.guess_system("32914008") == SNOMED_CT
    assert codes.guess_system("G25.81") == ICD10CM


def test_model_validation_normalises_and_explains(db):
    topic = make_topic()
    code = TopicCode(topic=topic, system=ICD10CM, code="g2581")
    code.full_clean()
    assert code.code == "G25.81"
    with pytest.raises(ValidationError) as error:
        TopicCode(topic=topic, system=SNOMED_CT, code="G25.81").full_clean()
    assert "6 to 18 digits" in str(error.value)


def test_same_code_twice_on_a_topic_is_refused(db):
    topic = make_topic()
    TopicCode.objects.create(topic=topic, system=ICD10CM, code="G25.81")
    with pytest.raises(ValidationError):
        TopicCode(topic=topic, system=ICD10CM, code="g2581").full_clean()
    TopicCode(topic=make_topic(), system=ICD10CM, code="G25.81").full_clean()  # another topic


def test_topic_admin_edits_codes_inline(admin_client, db):
    topic = make_topic()
    url = f"/admin/articles/topic/{topic.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "codes-TOTAL_FORMS" in page
    data = {
        "name": topic.name,
        "slug": topic.slug,
        "description": topic.description,
        "codes-TOTAL_FORMS": "2",
        "codes-INITIAL_FORMS": "0",
        "codes-0-system": ICD10CM,
        "codes-0-code": "g2581",
        "codes-0-display": "Restless legs syndrome",
        "codes-1-system": SNOMED_CT,
        "codes-1-code": "32914008",
        "codes-1-display": "",
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(topic.codes.values_list("code", flat=True)) == ["32914008", "G25.81"]


def test_data_migration_copies_comma_separated_codes():
    migration = importlib.import_module("articles.migrations.0014_copy_icd10_codes")
    assert migration.normalize(" g25.81") == "G25.81"
    assert migration.normalize("not a code") is None
