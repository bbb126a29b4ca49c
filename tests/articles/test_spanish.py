"""stem_es: Spanish words stemmed and folded alike, for search without PostgreSQL."""

from articles.spanish import fold, stem_es


def test_singular_and_plural_stem_alike():
    assert stem_es("medicamentos") == stem_es("medicamento")
    assert stem_es("informaciones") == stem_es("información")


def test_case_and_accents_fold():
    assert stem_es("Magnesio") == stem_es("magnesio")
    assert stem_es("MÚSCULOS") == stem_es("músculo")
    assert stem_es("Información") == stem_es("informacion")


def test_enye_is_a_letter_of_its_own():
    assert fold("Año") == "año"
    assert stem_es("año") != stem_es("ano")


def test_text_becomes_its_stems_in_order():
    assert stem_es("Los calambres, y el magnesio: 2 veces.") == " ".join(
        [
            stem_es("los"),
            stem_es("calambres"),
            stem_es("y"),
            stem_es("el"),
            stem_es("magnesio"),
            "2",  # numbers are kept: "B12", "400 mg" stay searchable
            stem_es("veces"),
        ]
    )
    assert stem_es("") == ""
