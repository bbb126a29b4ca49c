"""Spanish search: Spanish stems and accents folded, on SQLite and PostgreSQL alike, with
English search as it was."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

import search
from articles.models import Article, Section
from search import index, schema
from search.models import SearchDocument
from tests.conftest import make_article, make_expert, publish
from tests.search.test_engine import SchemaEditor

pytestmark = pytest.mark.django_db


def spanish_article(title, summary, body):
    article = make_article(
        title=title, summary=summary, sections=0, language="es", status=Article.Status.DRAFT
    )
    Section.objects.create(article=article, position=1, heading="", body=f"<p>{body}</p>")
    publish(article)
    return article


@pytest.fixture
def articles():
    spanish_article(
        "Antes de empezar",
        "Qué preguntar en la farmacia.",
        "Pregunte antes de tomar un medicamento nuevo. Traiga la información de su médico.",
    )
    spanish_article("Magnesio y sueño", "Para dormir mejor.", "Tome la dosis con la cena.")
    spanish_article("Piedras en el riñón", "Un cálculo renal duele.", "Beba agua.")
    spanish_article("CALCULOS RENALES", "Las mayúsculas sin tilde.", "Beba agua.")
    make_article(title="Restless legs at night", summary="Why legs ache when sleeping.")


def titles(query, language="es"):
    return sorted(item.title for item in search.run(query, language=language))


def test_plural_finds_the_singular_with_the_word_marked(articles):
    results = search.run("medicamentos", language="es")

    assert [item.title for item in results] == ["Antes de empezar"]
    assert "<mark>medicamento</mark>" in results.items[0].snippet


def test_words_stem_as_spanish_words():
    spanish_article("Con la comida", "Cuándo tomarlo.", "Tome la dosis con la cena.")

    assert titles("tomando") == ["Con la comida"]  # English stemming: "tomando", "tome"


def test_case_folds(articles):
    assert titles("magnesio") == ["Magnesio y sueño"]
    assert titles("MAGNESIO") == ["Magnesio y sueño"]


def test_accents_fold_both_ways(articles):
    both = ["CALCULOS RENALES", "Piedras en el riñón"]
    assert titles("calculo") == both  # no accent typed: finds "cálculo"
    assert titles("cálculos") == both  # accent typed: finds "CALCULOS"
    assert titles("informacion") == ["Antes de empezar"]  # "información"
    assert titles("informaciones") == ["Antes de empezar"]
    piedras = next(item for item in search.run("calculo", language="es") if "riñón" in item.title)
    assert "<mark>cálculo</mark>" in piedras.snippet


def test_an_accented_word_far_into_a_long_body_is_quoted_marked():
    filler = "Beba agua y descanse bien por la noche. " * 60  # about 2,400 characters
    spanish_article("Riñones sanos", "Cuidar los riñones.", f"{filler} Un cálculo renal duele.")

    results = search.run("calculo", language="es")

    assert "<mark>cálculo</mark>" in results.items[0].snippet


def test_each_language_page_finds_its_own_articles_first(client, articles):
    with translation.override("es"):
        spanish_url = reverse("portal:search")
    english_url = reverse("portal:search")

    spanish = client.get(spanish_url, {"q": "medicamentos"})
    assert [item.title for item in spanish.context["page"]] == ["Antes de empezar"]
    assert "<mark>medicamento</mark>" in spanish.content.decode()
    assert client.get(english_url, {"q": "medicamentos"}).context["page"].total == 0
    english = client.get(english_url, {"q": "leg"})
    assert [item.title for item in english.context["page"]] == ["Restless legs at night"]
    # A Spanish reader still finds an article only in English, after the Spanish ones.
    found = client.get(spanish_url, {"q": "leg"}).context["page"]
    assert [(item.title, item.language) for item in found] == [("Restless legs at night", "en")]


def test_english_search_keeps_english_stemming(articles):
    assert titles("leg", language="en") == ["Restless legs at night"]
    assert titles("sleep", language="en") == ["Restless legs at night"]  # "sleeping"
    results = search.run("leg", language="en")
    assert "<mark>legs</mark>" in results.items[0].snippet


def test_every_language_at_once_stems_each_as_its_own(articles):
    assert titles("medicamentos", language=None) == ["Antes de empezar"]
    assert titles("leg", language=None) == ["Restless legs at night"]


def test_experts_on_the_spanish_page_are_searched_as_english():
    make_expert(name="Lena Legge", bio="<p>Treats restless legs.</p>")
    spanish_article("Piernas", "Piernas inquietas.", "Camine un poco.")

    assert titles("leg") == ["Dr Lena Legge, MD"]
    assert titles("pierna") == ["Piernas"]


def test_stems_follow_their_documents(articles):
    article = Article.objects.get(title="Antes de empezar")
    publish(article)  # a new release replaces the document
    article.status = Article.Status.ARCHIVED
    article.save()
    index.reindex_articles([article.pk])

    assert titles("medicamentos") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {schema.SPANISH_TABLE} ORDER BY rowid")  # noqa: S608
            stemmed = [row[0] for row in cursor.fetchall()]
        documents = SearchDocument.objects.filter(language="es").order_by("pk")
        assert stemmed == list(documents.values_list("pk", flat=True))


def test_rebuild_keeps_spanish_stems(articles):
    index.rebuild()

    assert schema.missing(connection) == []
    assert titles("medicamentos") == ["Antes de empezar"]
    assert titles("leg", language="en") == ["Restless legs at night"]


def test_migration_stems_the_spanish_documents_already_indexed():
    spanish_article("Con la comida", "Cuándo tomarlo.", "Tome la dosis con la cena.")
    migration = importlib.import_module("search.migrations.0002_spanish_stemming")
    migration.reindex("")(apps, SchemaEditor())  # back to 0001: all indexed as English
    if connection.vendor == "postgresql":
        assert titles("tomando") == []
    else:
        assert schema.SPANISH_TABLE in schema.missing(connection)

    migration.reindex("es")(apps, SchemaEditor())

    assert schema.missing(connection) == []
    assert titles("tomando") == ["Con la comida"]


def test_spanish_stop_words_are_left_out_alike():
    spanish_article("Dolor de cabeza", "Qué hacer si duele.", "Descanse y beba agua.")

    assert titles("de") == []  # as PostgreSQL's spanish configuration has it
    assert titles('"de la"') == []
    assert titles("dolor de cabeza") == ["Dolor de cabeza"]
    assert titles("dolor con cabeza") == ["Dolor de cabeza"]  # "con" left out, not sought


def test_spanish_page_queries_do_not_grow_with_its_results(client):
    spanish_article("Basalto", "Sobre el basalto.", "Roca.")
    for n in range(10):
        spanish_article(f"Granito {n}", "Sobre los granitos.", "Roca.")
    make_expert(name="Gina Granito")  # quoted by FTS5 on SQLite, the articles are not
    with translation.override("es"):
        url = reverse("portal:search")

    client.get(url, {"q": "calentar"})  # the first page view creates the clinic settings row
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"q": "basalto"})
    with CaptureQueriesContext(connection) as eleven:
        page = client.get(url, {"q": "granito"}).context["page"]
    assert (page.total, len(page)) == (11, 10)
    assert len(one) == len(eleven)


def test_spanish_articles_are_found_by_their_topics_spanish_name(client):
    from articles.models import TopicTranslation
    from tests.conftest import make_topic

    topic = make_topic(name="Kidney stones")
    spanish = make_article(title="Beba agua", summary="Cada día.", language="es", topics=[topic])
    make_article(title="Drink water", summary="Every day.", topics=[topic])
    assert titles("renales") == []

    with translation.override("es"):
        url = reverse("portal:search")
    translated = TopicTranslation.objects.create(
        topic=topic, language="es", name="Cálculos renales", description=""
    )
    assert [item.title for item in client.get(url, {"q": "renales"}).context["page"]] == [
        spanish.title
    ]
    assert titles("renales", language="en") == []  # English articles keep English names

    translated.name = "Piedras en el riñón"
    translated.save()
    assert titles("renales") == []
    assert titles("riñones") == ["Beba agua"]
