"""Topic names and descriptions and expert texts in the page's language, English where none."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles import translations
from articles.models import Article, Topic, TopicTranslation
from experts.models import Expert, ExpertTranslation
from tests.admin_forms import rows
from tests.conftest import make_article, make_expert, make_topic, publish

EN_SLUG = "magnesium-for-restless-leg-syndrome"
ES_SLUG = "magnesio-para-el-sindrome-de-piernas-inquietas"
TOPIC_EN, TOPIC_ES = "Restless legs syndrome", "Síndrome de piernas inquietas"
TOPIC_INTRO_ES = "Un trastorno del sistema nervioso que da ganas de mover las piernas"
ROLE_EN, ROLE_ES = "Registered Dietitian Nutritionist", "Dietista-nutricionista registrada"
BIO_ES = "Roxana Ehsani es especialista certificada en dietética deportiva"

pytestmark = pytest.mark.usefixtures("without_page_cache")


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
    return Article.objects.get(slug=EN_SLUG), Article.objects.get(slug=ES_SLUG)


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def ld_items(html):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


# The demo in Spanish ---------------------------------------------------------------


def test_spanish_topic_pages_show_the_spanish_name_and_introduction(client, demo):
    for path in ("/es/topics/", "/es/topics/restless-legs-syndrome/", "/es/"):
        html = page(client, path)
        assert TOPIC_ES in html, path
        assert TOPIC_EN not in html, path
    topic = page(client, "/es/topics/restless-legs-syndrome/")
    assert f"<h1>{TOPIC_ES}</h1>" in topic
    assert f"<title>{TOPIC_ES} · " in topic
    assert TOPIC_INTRO_ES in topic
    assert f'"name": "{TOPIC_ES}"' in json.dumps(ld_items(topic), ensure_ascii=False)
    assert TOPIC_INTRO_ES in page(client, "/es/topics/")


def test_spanish_article_links_its_reviewer_and_author_to_the_spanish_expert_pages(client, demo):
    html = page(client, f"/es/articles/{ES_SLUG}/")
    assert '<a href="/es/experts/deborah-lee/">' in html
    assert 'href="/experts/' not in html
    page_ld = next(item for item in ld_items(html) if "reviewedBy" in item)
    assert page_ld["reviewedBy"]["url"].endswith("/es/experts/deborah-lee/")
    assert "/experts/" not in json.dumps(page_ld).replace("/es/experts/", "")
    english = page(client, f"/articles/{EN_SLUG}/")
    assert '<a href="/experts/deborah-lee/">' in english
    assert 'href="/es/experts/' not in english


def test_english_topic_pages_keep_the_english(client, demo):
    for path in ("/topics/", "/topics/restless-legs-syndrome/", "/", f"/articles/{EN_SLUG}/"):
        html = page(client, path)
        assert TOPIC_EN in html, path
        assert TOPIC_ES not in html, path


def test_spanish_article_page_names_its_topic_in_spanish_also_in_json_ld(client, demo):
    html = page(client, f"/es/articles/{ES_SLUG}/")
    assert f'<a href="/es/topics/restless-legs-syndrome/">{TOPIC_ES}</a>' in html
    about = [item.get("about") for item in ld_items(html) if "about" in item]
    assert about
    assert about[0][0]["name"] == TOPIC_ES
    assert TOPIC_EN not in html


def test_spanish_cards_list_topics_in_spanish(client, demo):
    for path in ("/es/articles/", "/es/topics/restless-legs-syndrome/", "/es/experts/deborah-lee/"):
        html = page(client, path)
        assert f'<span class="visually-hidden">Temas: </span>{TOPIC_ES}' in html, path


def test_spanish_expert_pages_show_the_spanish_role_and_bio(client, demo):
    html = page(client, "/es/experts/roxana-ehsani/")
    assert f'<p class="expert-role">{ROLE_ES}</p>' in html
    assert BIO_ES in html
    assert ROLE_EN not in html
    person = next(item for item in ld_items(html) if item.get("@type") == "Person")
    assert person["jobTitle"] == ROLE_ES
    assert person["description"].startswith(BIO_ES)
    listing = page(client, "/es/experts/")
    assert ROLE_ES in listing
    assert "Médica" in listing
    assert ROLE_EN not in listing
    assert "Medical doctor" not in listing
    english = page(client, "/experts/roxana-ehsani/")
    assert ROLE_EN in english
    assert ROLE_ES not in english


def test_spanish_release_shows_the_experts_as_translated_when_published(client, demo):
    english, spanish = demo
    html = page(client, f"/es/articles/{ES_SLUG}/")
    assert BIO_ES in html  # the "about our experts" box of the release
    assert "La doctora Deborah Lee es médica" in html
    assert ROLE_EN not in html
    handout = page(client, f"/es/articles/{ES_SLUG}/handout/")
    assert "— Dr Deborah Lee, Médica" in handout
    english_page = page(client, f"/articles/{EN_SLUG}/")
    assert ROLE_EN in english_page
    assert ROLE_ES not in english_page
    assert spanish.releases.get().content["reviewer"]["role"] == "Médica"
    assert english.releases.get().content["reviewer"]["role"] == "Medical doctor"


def test_search_suggests_topics_in_the_page_language_when_nothing_is_found(client, demo):
    html = page(client, "/es/search/?q=xyzzy")
    assert f'<a href="/es/topics/restless-legs-syndrome/">{TOPIC_ES}</a>' in html
    html = page(client, "/search/?q=xyzzy")
    assert f'<a href="/topics/restless-legs-syndrome/">{TOPIC_EN}</a>' in html


def test_load_demo_again_keeps_the_translations_as_staff_left_them(demo):
    ExpertTranslation.objects.filter(expert__slug="roxana-ehsani").update(role="Dietista")
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Created 0" in out.getvalue()
    assert ExpertTranslation.objects.get(expert__slug="roxana-ehsani").role == "Dietista"
    assert TopicTranslation.objects.count() == 1
    assert ExpertTranslation.objects.count() == 2


def test_load_demo_adds_missing_translations_to_existing_rows(demo):
    TopicTranslation.objects.all().delete()
    ExpertTranslation.objects.all().delete()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Created 3" in out.getvalue()
    assert TopicTranslation.objects.get().name == TOPIC_ES


# Falling back to English -----------------------------------------------------------


def spanish_article(topics=(), **fields):
    source = make_article(topics=topics, **fields)
    translation = translations.start(source, "es")
    Article.objects.filter(pk=translation.pk).update(reviewed_by=source.reviewed_by)
    translation.refresh_from_db()
    publish(translation)
    return translation


def test_untranslated_topic_and_expert_texts_show_in_english(client, db):
    topic = make_topic(name="Gout", description="<p>Painful joints.</p>")
    expert = make_expert(name="Ana Ruiz", role="Rheumatologist", bio="<p>Treats joints.</p>")
    spanish_article(topics=[topic], reviewed_by=expert)
    assert "Gout" in page(client, "/es/topics/")
    assert "Painful joints." in page(client, f"/es/topics/{topic.slug}/")
    html = page(client, f"/es/experts/{expert.slug}/")
    assert "Rheumatologist" in html
    assert "Treats joints." in html


def test_empty_fields_of_a_translation_show_the_english(client, db):
    topic = make_topic(name="Gout", description="<p>Painful joints.</p>")
    TopicTranslation.objects.create(topic=topic, language="es", name="Gota", description="")
    expert = make_expert(name="Ana Ruiz", role="Rheumatologist", bio="<p>Treats joints.</p>")
    ExpertTranslation.objects.create(
        expert=expert, language="es", bio="<p>Trata las articulaciones.</p>"
    )
    other = make_topic(name="Lupus", description="<p>An immune disease.</p>")
    TopicTranslation.objects.create(topic=other, language="es", name="Lupus", description="<p></p>")
    spanish_article(topics=[topic, other], reviewed_by=expert)
    # The editor's empty paragraph counts as empty.
    assert "An immune disease." in page(client, f"/es/topics/{other.slug}/")
    topic_page = page(client, f"/es/topics/{topic.slug}/")
    assert "<h1>Gota</h1>" in topic_page
    assert "Painful joints." in topic_page
    html = page(client, f"/es/experts/{expert.slug}/")
    assert "Rheumatologist" in html
    assert "Trata las articulaciones." in html
    assert "Treats joints." not in html


# Query counts ----------------------------------------------------------------------


def many(n):
    """Add n Spanish articles, each on a translated topic, reviewed by a translated expert."""
    for _ in range(n):
        topic = make_topic()
        TopicTranslation.objects.create(topic=topic, language="es", name=f"Tema {topic.pk}")
        expert = make_expert()
        ExpertTranslation.objects.create(expert=expert, language="es", role="Médico")
        spanish_article(topics=[topic], reviewed_by=expert)


# The same as the English pages (tests/articles/test_views.py, tests/experts/test_views.py):
# the translations are joined in the queries the pages already run.
SPANISH_PAGE_QUERIES = {
    "/es/": 5,
    "/es/topics/": 1,
    "/es/topics/restless-legs-syndrome/": 4,
    "/es/articles/": 2,
    "/es/experts/": 1,
    "/es/experts/deborah-lee/": 4,
    f"/es/articles/{ES_SLUG}/": 3,
}


@pytest.mark.parametrize(("path", "queries"), SPANISH_PAGE_QUERIES.items())
def test_spanish_pages_cost_the_same_queries_however_many_translations(
    client, demo, django_assert_num_queries, path, queries
):
    many(3)
    client.get(path)  # clinic settings and stored parts, read once
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    many(3)
    client.get(path)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


# Admin -----------------------------------------------------------------------------


def test_staff_add_a_topic_translation_inline(admin_client, db):
    topic = make_topic(name="Gout", description="<p>Painful joints.</p>")
    url = reverse("admin:articles_topic_change", args=[topic.pk])
    assert "translations-TOTAL_FORMS" in page(admin_client, url)
    data = {"name": topic.name, "slug": topic.slug, "description": topic.description}
    data |= rows("codes", []) | rows(
        "translations", [{"language": "es", "name": "Gota", "description": "<p>Dolor.</p>"}]
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert topic.translations.get().name == "Gota"
    existing = {"language": "es", "name": "Gota", "id": str(topic.translations.get().pk)}
    twice = [existing, {"language": "es", "name": "Gota otra vez"}]
    for row in twice:
        row["topic"] = str(topic.pk)
    again = admin_client.post(url, data | rows("translations", twice, initial=1))
    assert again.status_code == 200
    assert "Please correct the duplicate data for language." in again.content.decode()
    assert topic.translations.count() == 1


def test_staff_add_an_expert_translation_inline(admin_client, db):
    expert = make_expert(name="Ana Ruiz")
    url = reverse("admin:experts_expert_change", args=[expert.pk])
    assert "translations-TOTAL_FORMS" in page(admin_client, url)
    data = {
        "honorific": "Dr",
        "name": expert.name,
        "slug": expert.slug,
        "credentials": "MD",
        "role": "Physician",
        "affiliation": "",
        "bio": "<p>A physician.</p>",
        "photo_alt": "",
    }
    data |= rows("links", []) | rows(
        "translations", [{"language": "es", "role": "Médica", "bio": "<p>Una médica.</p>"}]
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert expert.translations.get().role == "Médica"


def test_translations_refuse_the_default_language(db):
    from django.core.exceptions import ValidationError

    row = TopicTranslation(topic=make_topic(), language="en", name="Gout")
    with pytest.raises(ValidationError, match="language"):
        row.full_clean()
    assert Topic.objects.in_language("es").count() == Topic.objects.count()
    assert Expert.objects.in_language("es").count() == Expert.objects.count()


# What a Spanish patient sees besides the pages: markers, errors, the handout's staff parts


def test_spanish_citation_markers_are_named_in_spanish_for_screen_readers(client, demo):
    html = page(client, f"/es/articles/{ES_SLUG}/")
    assert 'class="cite" aria-label="Referencia 1"' in html
    assert 'aria-label="Reference' not in html
    assert 'aria-label="Reference 1"' in page(client, f"/articles/{EN_SLUG}/")


def test_bad_requests_answer_in_the_language_of_the_address(client, demo):
    spanish = client.get(f"/es/articles/{ES_SLUG}%00/")
    assert spanish.status_code == 400
    assert "Solicitud incorrecta" in spanish.content.decode()
    assert spanish["Content-Language"] == "es"
    english = client.get(f"/articles/{EN_SLUG}%00/")
    assert "Bad request" in english.content.decode()
    assert english["Content-Language"] == "en"

    paper = client.get(f"/es/articles/{ES_SLUG}/handout.pdf?paper=a3")
    assert paper.status_code == 400
    assert "Tamaño de papel desconocido “a3”" in paper.content.decode()
    paper = client.get(f"/articles/{EN_SLUG}/handout.pdf?paper=a3")
    assert "Unknown paper size “a3”" in paper.content.decode()


def test_spanish_preview_that_is_gone_says_so_in_spanish(client, db):
    response = client.get("/es/preview/not-a-token/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Vista previa no disponible</h1>" in html
    assert "Pida uno nuevo a la persona que se lo envió." in html
    assert "Preview not available" not in html
    assert "<h1>Preview not available</h1>" in client.get("/preview/not-a-token/").content.decode()


def test_spanish_handout_marks_its_english_staff_parts_and_names_para(admin_client, demo):
    html = page(admin_client, f"/es/articles/{ES_SLUG}/handout/")
    assert '<p class="staff-warning" role="alert" lang="en">' in html
    assert re.search(r'<form class="record-form" method="post" action="[^"]+" lang="en">', html)
    assert "Optional: printed after “Para:” on the handout and never saved." in html
    english = page(admin_client, f"/articles/{EN_SLUG}/handout/")
    assert "Optional: printed after “For:” on the handout and never saved." in english
