"""Spanish pages under /es/: interface text, lang, language links, hreflang, no Accept-Language."""

import io
import re
import xml.etree.ElementTree as ET

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from articles.models import Article, Release
from tests.conftest import make_article, make_expert, make_topic
from tests.pages import h1_count

EN_SLUG = "magnesium-for-restless-leg-syndrome"
ES_SLUG = "magnesio-para-el-sindrome-de-piernas-inquietas"
CATALOGUE = settings.BASE_DIR / "locale" / "es" / "LC_MESSAGES"
PUBLIC_TEMPLATES = [
    "portal/templates/base.html",
    "portal/templates/404.html",
    "portal/templates/500.html",
    "portal/templates/portal/",
    "articles/templates/articles/",
    "experts/templates/experts/",
]

pytestmark = pytest.mark.usefixtures("without_page_cache")


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
    return Article.objects.get(slug=EN_SLUG), Article.objects.get(slug=ES_SLUG)


def html_lang(response):
    return re.search(r'<html lang="([\w-]+)"', response.content.decode()).group(1)


def language_links(response):
    return re.findall(
        r'<p class="language-link"><a href="([^"]+)" hreflang="(\w+)"', response.content.decode()
    )


def hreflang(response):
    pattern = r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)">'
    return dict(re.findall(pattern, response.content.decode()))


SPANISH_PAGES = {
    "/es/": "Información de salud de",
    "/es/articles/": "Artículos de la A a la Z",
    "/es/topics/": "Temas",
    "/es/topics/restless-legs-syndrome/": "Artículos",
    "/es/tags/magnesio/": "Artículos con la etiqueta «magnesio»",
    "/es/faqs/": "Preguntas frecuentes",
    "/es/experts/": "Nuestros expertos",
    "/es/experts/deborah-lee/": "biografía y artículos",
    f"/es/articles/{ES_SLUG}/": "Revisión médica de",
    f"/es/articles/{ES_SLUG}/handout/": "Escanee el código para leerlo en internet",
    "/es/search/?q=magnesio": "Buscar artículos y expertos",
}


@pytest.mark.parametrize("path", list(SPANISH_PAGES))
def test_every_public_page_type_answers_in_spanish_under_es(client, demo, path):
    response = client.get(path)
    assert response.status_code == 200
    assert html_lang(response) == "es"
    assert response["Content-Language"] == "es"
    text = response.content.decode()
    assert SPANISH_PAGES[path] in text
    assert h1_count(response) == 1
    if "handout" not in path:
        assert "Ir al contenido principal" in text
        assert "Skip to main content" not in text


def test_spanish_404_page(client, demo, settings):
    settings.DEBUG = False
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    assert html_lang(response) == "es"
    assert "No encontramos la página" in response.content.decode()


def test_500_page_speaks_the_language_of_the_address(rf):
    from portal.views import server_error

    with translation.override("es"):
        response = server_error(rf.get("/es/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="es">' in body
    assert "Lo sentimos, algo salió mal" in body
    assert 'href="/es/"' in body
    english = server_error(rf.get("/")).content.decode()
    assert '<html lang="en">' in english
    assert "Sorry, something went wrong" in english


def test_english_pages_keep_their_addresses_and_text(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert "Health information from" in response.content.decode()
    assert reverse("articles:detail", args=[EN_SLUG]) == f"/articles/{EN_SLUG}/"


def test_spanish_lists_show_spanish_articles_and_english_lists_english(client, demo):
    english, spanish = demo
    es_home = client.get("/es/").content.decode()
    en_home = client.get("/").content.decode()
    assert spanish.title in es_home
    assert english.title not in es_home
    assert english.title in en_home
    assert spanish.title not in en_home


def test_language_link_pairs_the_two_demo_articles(client, demo):
    en = client.get(f"/articles/{EN_SLUG}/")
    es = client.get(f"/es/articles/{ES_SLUG}/")
    assert language_links(en) == [(f"/es/articles/{ES_SLUG}/", "es")]
    assert language_links(es) == [(f"/articles/{EN_SLUG}/", "en")]
    assert "Disponible en español" in en.content.decode()
    assert "Disponible en español" not in es.content.decode()


def test_language_link_of_a_list_page_is_the_same_list(client, demo):
    assert language_links(client.get("/es/topics/")) == [("/topics/", "en")]
    assert language_links(client.get("/faqs/")) == [("/es/faqs/", "es")]
    assert language_links(client.get("/es/search/?q=magnesio")) == [("/search/?q=magnesio", "en")]


def test_article_without_translation_links_to_the_other_home_and_has_no_hreflang(client, db):
    article = make_article()
    response = client.get(article.get_absolute_url())
    assert language_links(response) == [("/es/", "es")]
    assert hreflang(response) == {}
    assert "Disponible en español" not in response.content.decode()


def test_hreflang_pairs_in_the_head(client, demo):
    for path in (f"/articles/{EN_SLUG}/", f"/es/articles/{ES_SLUG}/"):
        # The demo's public address (clinic settings) makes the links absolute.
        assert hreflang(client.get(path)) == {
            "en": f"https://clinic.example.org/articles/{EN_SLUG}/",
            "es": f"https://clinic.example.org/es/articles/{ES_SLUG}/",
        }
    assert hreflang(client.get("/es/experts/")) == {
        "en": "https://clinic.example.org/experts/",
        "es": "https://clinic.example.org/es/experts/",
    }


def test_hreflang_pairs_in_the_sitemap(client, demo):
    xml = client.get("/sitemap.xml").content.decode()
    en = f"http://testserver/articles/{EN_SLUG}/"
    es = f"http://testserver/es/articles/{ES_SLUG}/"
    for loc in (en, es):
        entry = re.search(rf"<url><loc>{re.escape(loc)}</loc>(.*?)</url>", xml, re.S).group(1)
        assert f'hreflang="en" href="{en}"' in entry
        assert f'hreflang="es" href="{es}"' in entry
    assert "<loc>http://testserver/es/topics/</loc>" in xml
    assert client.get("/es/sitemap.xml").status_code == 404


def test_wrong_language_address_of_an_article_redirects_to_its_own(client, demo):
    response = client.get(f"/articles/{ES_SLUG}/")
    assert response.status_code == 302
    assert response["Location"] == f"/es/articles/{ES_SLUG}/"
    assert client.get(f"/es/articles/{EN_SLUG}/")["Location"] == f"/articles/{EN_SLUG}/"


@pytest.mark.parametrize("header", ["es", "es-MX,es;q=0.9", "es-ES,en;q=0.1", "fr"])
def test_no_redirect_or_spanish_by_accept_language(client, demo, header):
    for path in ("/", f"/articles/{EN_SLUG}/", "/topics/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=header)
        assert response.status_code == 200
        assert html_lang(response) == "en"
        assert "Accept-Language" not in response.get("Vary", "")
    assert client.get("/es/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "es"


def test_page_cache_keeps_the_languages_apart(demo):
    visitor = Client()
    visitor.get("/")  # fills the cache
    visitor.get("/es/")
    assert html_lang(visitor.get("/", HTTP_ACCEPT_LANGUAGE="es")) == "en"
    assert html_lang(visitor.get("/es/", HTTP_ACCEPT_LANGUAGE="en")) == "es"


def test_fixed_addresses_stay_unprefixed(client, demo):
    for path in ("/healthz", "/robots.txt", "/sitemap.xml"):
        assert client.get(path).status_code == 200
        assert client.get("/es" + path).status_code == 404
    assert client.get("/es/admin/").status_code == 404
    with translation.override("es"):
        assert reverse("admin:index") == "/admin/"


def test_each_language_has_its_own_feed(client, demo):
    atom = "{http://www.w3.org/2005/Atom}"
    english = ET.fromstring(client.get("/feed.xml").content)  # noqa: S314 - our own page
    spanish = ET.fromstring(client.get("/es/feed.xml").content)  # noqa: S314 - our own page
    assert english.find(f"{atom}title").text.endswith(": health articles")
    assert spanish.find(f"{atom}title").text.endswith("artículos de salud")
    links = [e.find(f"{atom}link").get("href") for e in english.findall(f"{atom}entry")]
    assert any(f"/articles/{EN_SLUG}/" in link for link in links)
    assert not any("/es/" in link for link in links)
    entries = spanish.findall(f"{atom}entry")
    assert entries
    for entry in entries:
        assert f"/es/articles/{ES_SLUG}/" in entry.find(f"{atom}link").get("href")
    assert spanish.find(f"{atom}link[@rel='alternate']").get("href").endswith("/es/")
    assert spanish.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    # Each page links the feed of its language, in the head and the footer.
    page = client.get("/es/").content.decode()
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml" [^>]*href="/es/feed.xml" hreflang="es">',
        page,
    )
    assert '<a href="/es/feed.xml" hreflang="es">' in page
    assert 'href="/feed.xml" hreflang="en"' in client.get("/").content.decode()
    # The sitemap is one, as before.
    assert client.get("/es/sitemap.xml").status_code == 404


def test_spanish_dates_and_numbers(client, demo):
    text = client.get(f"/es/articles/{ES_SLUG}/").content.decode()
    assert "1 de octubre de 2026" in text  # the translation's review date
    english = client.get(f"/articles/{EN_SLUG}/").content.decode()
    assert "15 September 2026" in english


def test_spanish_expert_page_lists_spanish_articles(client, demo):
    text = client.get("/es/experts/deborah-lee/").content.decode()
    assert "El magnesio para el síndrome de piernas inquietas" in text
    assert "Magnesium for restless leg syndrome" not in text


def test_spanish_topic_counts_spanish_articles(client, db):
    topic = make_topic(name="Sleep")
    make_article(topics=[topic], language="es", title="Dormir bien")
    assert "Sleep" in client.get("/es/topics/").content.decode()
    assert "Sleep" not in client.get("/topics/").content.decode()


def test_feed_title_is_translated_for_its_language(rf, demo):
    from portal.feeds import LatestArticlesFeed

    with translation.override("es"):
        assert "artículos de salud" in LatestArticlesFeed().title(type("C", (), {"name": "X"}))


# The catalogue -------------------------------------------------------------------


def catalogue():
    return polib.pofile(str(CATALOGUE / "django.po"))


def test_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = catalogue()
    assert not po.metadata_is_fuzzy
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_catalogue_covers_every_string_of_the_public_templates():
    """Every {% translate %} in a public template is in the catalogue (run makemessages)."""
    msgids = {entry.msgid for entry in catalogue()}
    found = set()
    tag_re = re.compile(
        r"""\{% translate ["'](.+?)["'](?: context ["'][^"']+["'])?(?: as \w+)? %\}"""
    )
    for prefix in PUBLIC_TEMPLATES:
        path = settings.BASE_DIR / prefix
        files = [path] if path.is_file() else sorted(path.rglob("*.html"))
        for file in files:
            found |= set(tag_re.findall(file.read_text(encoding="utf-8")))
    assert found, "no translate tags found"
    assert sorted(found - msgids) == []


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo is compiled from the committed .po (run compilemessages)."""
    po = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in catalogue() if e.translated()}
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo if e.msgid}
    assert compiled == po


def test_spanish_interface_strings_are_really_used():
    with translation.override("es"):
        assert translation.gettext("Frequently asked questions") == "Preguntas frecuentes"
        assert translation.pgettext("button", "Search") == "Buscar"


def test_release_of_a_spanish_article_is_spanish(db):
    article = make_article(language="es", reviewed_by=make_expert())
    assert Release.objects.get(article=article).language == "es"
    assert article.get_absolute_url().startswith("/es/articles/")


def test_robots_keeps_crawlers_out_of_both_searches(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /search/" in text
    assert "Disallow: /es/search/" in text
