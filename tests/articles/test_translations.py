"""Translations: starting one, publishing it, and telling staff and patients when it falls behind."""

import datetime
import io
import re
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles import releases, translations
from articles.models import Article, Release
from tests.conftest import make_article, make_expert, make_topic, publish

EN_SLUG = "magnesium-for-restless-leg-syndrome"
ES_SLUG = "magnesio-para-el-sindrome-de-piernas-inquietas"
STALE_ES = "La versión en inglés de este artículo se actualizó el"

pytestmark = pytest.mark.usefixtures("without_page_cache")


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
    return Article.objects.get(slug=EN_SLUG), Article.objects.get(slug=ES_SLUG)


def make_translation(source, **fields):
    translation = translations.start(source, "es")
    Article.objects.filter(pk=translation.pk).update(reviewed_by=source.reviewed_by)
    translation.refresh_from_db()
    if fields.get("publish", True):
        publish(translation, reviewer=source.reviewed_by)
    return translation


def retranslate(translation, summary="Resumen con la información nueva."):
    """Change the translation's text, as a translator bringing it up to date would."""
    translation.summary = summary
    translation.save()


# Starting a translation ------------------------------------------------------------


def test_start_copies_the_live_release_structure(db):
    topic = make_topic()
    source = make_article(sections=3, quotes=2, citations=2, faqs=2, topics=[topic], tags=["sleep"])
    translation = translations.start(source, "es")
    assert translation.language == "es"
    assert translation.translation_of == source
    assert translation.slug == f"{source.slug}-es"
    assert translation.status == Article.Status.DRAFT
    assert translation.translated_from_release == source.releases.get(number=1)
    assert translation.sections.count() == 3
    assert translation.quotes.count() == 2
    assert translation.faqs.count() == 2
    assert list(translation.citations.values_list("reference", flat=True)) == list(
        source.citations.values_list("reference", flat=True)
    )
    assert list(translation.topics.all()) == [topic]
    assert list(translation.tags.names()) == ["sleep"]
    assert not translation.releases.exists()


def test_start_refuses_what_cannot_be_translated(db):
    source = make_article()
    make_translation(source)
    with pytest.raises(translations.TranslationError, match="already has a translation"):
        translations.start(source, "es")
    with pytest.raises(translations.TranslationError, match="no live version"):
        translations.start(make_article(status="draft"), "es")
    with pytest.raises(translations.TranslationError, match="already in that language"):
        translations.start(make_article(language="es"), "es")


def test_publishing_a_translation_records_its_source_release(db):
    source = make_article()
    translation = make_translation(source)
    release = translation.releases.get()
    assert release.language == "es"
    assert release.source_release == source.releases.get(number=1)


# Stale flags -----------------------------------------------------------------------


def test_new_source_release_makes_the_translation_stale_and_resync_clears_it(db):
    source = make_article()
    translation = make_translation(source)
    assert not Article.objects.stale_translations().exists()

    publish(source, note="New advice.")
    stale = Article.objects.stale_translations().get()
    assert stale == translation
    assert (stale.source_live_number, stale.translated_from_number) == (2, 1)

    retranslate(translation)
    translations.mark_up_to_date(translation)
    translation.refresh_from_db()
    assert translation.translated_from_release.number == 2
    assert Article.objects.stale_translations().exists()  # patients still see release 1
    publish(translation, note="Brought up to date.", reviewer=source.reviewed_by)
    assert not Article.objects.stale_translations().exists()
    assert translation.releases.get(number=2).source_release.number == 2


def test_a_scheduled_source_release_is_not_yet_behind(db):
    source = make_article()
    make_translation(source)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)
    publish(source, note="Coming soon.", go_live_at=later)
    assert not Article.objects.stale_translations().exists()


def test_patients_see_the_stale_notice_with_a_link_to_the_english(client, demo):
    english, spanish = demo
    page = client.get(f"/es/articles/{ES_SLUG}/").content.decode()
    assert STALE_ES not in page

    english.summary = "Updated summary."
    english.save()
    publish(english, note="Updated summary.")
    page = client.get(f"/es/articles/{ES_SLUG}/").content.decode()
    assert STALE_ES in page
    notice = re.search(r'<p class="translation-stale">(.*?)</p>', page, re.S).group(1)
    assert f'href="/articles/{EN_SLUG}/"' in notice
    assert re.search(r"se actualizó el \d{1,2} de \w+ de \d{4}", notice)

    retranslate(spanish)
    translations.mark_up_to_date(spanish)
    publish(spanish, note="Al día con la versión 2.")
    assert STALE_ES not in client.get(f"/es/articles/{ES_SLUG}/").content.decode()


def test_stale_article_page_still_costs_three_queries(client, demo, django_assert_num_queries):
    english, _ = demo
    publish(english, note="Newer.")
    client.get(f"/es/articles/{ES_SLUG}/")  # clinic settings and parts, now stored
    with django_assert_num_queries(3):
        response = client.get(f"/es/articles/{ES_SLUG}/")
    assert STALE_ES in response.content.decode()


def test_staff_see_stale_translations_in_the_list_filter_and_change_form(admin_client, demo):
    english, spanish = demo
    changelist = reverse("admin:articles_article_changelist")
    assert (
        spanish.title not in admin_client.get(changelist + "?translation=behind").content.decode()
    )

    english.title = "Magnesium for restless legs syndrome"
    english.save()
    publish(english, note="Title corrected.")
    listed = admin_client.get(changelist + "?translation=behind").content.decode()
    assert spanish.title in listed
    assert english.title not in listed

    form = admin_client.get(reverse("admin:articles_article_change", args=[spanish.pk]))
    text = form.content.decode()
    assert "Behind its source" in text
    assert "<del>leg</del><ins>legs</ins>" in text  # exactly what changed in English since 1


def test_marking_a_newer_source_release_needs_the_translation_text_to_change(admin_client, demo):
    english, spanish = demo
    english.summary = "Take magnesium only with your doctor's advice."
    english.save()
    publish(english, note="New advice.")
    changelist = reverse("admin:articles_article_changelist")
    action = {"action": "mark_translation_up_to_date", "_selected_action": [spanish.pk]}

    page = admin_client.post(changelist, action, follow=True).content.decode()
    assert "has not changed since its live version 1 was published" in page
    assert "version 2 of “Magnesium for restless leg syndrome”" in page
    spanish.refresh_from_db()
    assert spanish.translated_from_release.number == 1
    assert Article.objects.stale_translations().get() == spanish
    with pytest.raises(translations.TranslationError, match="has not changed"):
        translations.mark_up_to_date(spanish)

    retranslate(spanish, "Tome magnesio solo si su médico se lo aconseja.")
    page = admin_client.post(changelist, action, follow=True).content.decode()
    assert "now follows version 2 of its source" in page
    spanish.refresh_from_db()
    assert spanish.translated_from_release.number == 2


def test_publish_screen_of_a_retranslation_shows_what_changed_in_the_source(admin_client, demo):
    english, spanish = demo
    publish_url = reverse("admin:articles_article_publish", args=[spanish.pk])
    assert "What changed in the source" not in admin_client.get(publish_url).content.decode()

    english.summary = "Take magnesium only with your doctor's advice."
    english.save()
    publish(english, note="New advice.")
    retranslate(spanish, "Tome magnesio solo si su médico se lo aconseja.")
    translations.mark_up_to_date(spanish)
    page = admin_client.get(publish_url).content.decode()
    assert "What changed in the source since version 1" in page
    assert "This translation now follows version 2 of its source" in page
    assert "<ins>Take</ins> magnesium" in page
    assert "<ins>doctor&#x27;s</ins>" in page


def test_archiving_the_source_flags_the_live_translation_for_staff(admin_client, demo):
    english, spanish = demo
    changelist = reverse("admin:articles_article_changelist")
    archive = {"action": "archive", "_selected_action": [english.pk]}
    page = admin_client.post(changelist, archive, follow=True).content.decode()
    assert f"Still live, with no live source: “{spanish.title}” (Español)" in page

    stale = Article.objects.stale_translations().get()
    assert stale == spanish
    assert (stale.stale_reason, stale.source_live_number) == ("source withdrawn", None)
    assert spanish.title in admin_client.get(changelist + "?translation=behind").content.decode()
    queue = admin_client.get(reverse("admin:index")).content.decode()
    behind = queue[queue.index('id="translations-behind"') :]
    assert f">{spanish.title}</a>" in behind
    assert "Source withdrawn: its source" in behind
    audit = admin_client.post(
        changelist, {"action": "export_content_audit", "_selected_action": [spanish.pk]}
    )
    assert (
        "source withdrawn"
        in b"".join(audit.streaming_content if audit.streaming else [audit.content]).decode()
    )

    # Archiving the translation too leaves nothing to flag.
    Article.objects.filter(pk=spanish.pk).update(status=Article.Status.ARCHIVED)
    assert not Article.objects.stale_translations().exists()


def test_patients_of_a_translation_whose_source_was_archived(client, demo):
    english, _ = demo
    publish(english, note="Newer.")  # behind, then the source is withdrawn
    Article.objects.filter(pk=english.pk).update(status=Article.Status.ARCHIVED)
    page = client.get(f"/es/articles/{ES_SLUG}/").content.decode()
    assert STALE_ES not in page
    assert f"/articles/{EN_SLUG}/" not in page
    assert 'class="language-link"' not in page
    assert 'hreflang="en"' not in page
    # An article with no translation still offers the other language's home page.
    other = make_article(title="Only in English")
    assert (
        'class="language-link"><a href="/es/"'
        in client.get(other.get_absolute_url()).content.decode()
    )


def test_translate_into_spanish_admin_action(admin_client, db):
    source = make_article(title="Sleep well")
    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "translate_into_spanish", "_selected_action": [source.pk]},
        follow=True,
    )
    assert response.status_code == 200
    translation = Article.objects.get(translation_of=source)
    assert translation.language == "es"
    assert translation.slug == "sleep-well-es"
    assert "Started" in response.content.decode()


def test_translate_action_needs_add_permission(client, db):
    from tests.conftest import make_staff

    user = make_staff()
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        Permission.objects.get(codename="view_article"),
        Permission.objects.get(codename="change_article"),
    )
    client.force_login(user)
    source = make_article()
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "translate_into_spanish", "_selected_action": [source.pk]},
    )
    assert not Article.objects.filter(translation_of=source).exists()


# Reading level ---------------------------------------------------------------------


def test_spanish_demo_is_graded_by_fernandez_huerta(admin_client, demo):
    from articles.readability import grade_es

    _, spanish = demo
    release = spanish.releases.get()
    text = releases.content_text(release.content)
    assert float(release.reading_grade) == grade_es(text)
    assert float(release.reading_grade) <= 8.0  # plain Spanish: the same target as English
    assert spanish.reading_score is not None
    assert 0 < float(spanish.reading_score) <= 100
    form = admin_client.get(reverse("admin:articles_article_change", args=[spanish.pk]))
    assert re.search(r"Fernández-Huerta \d+\.\d \([^)]+\) ≈ US school grade", form.content.decode())


# Demo ------------------------------------------------------------------------------


def test_demo_translation_is_a_faithful_copy_of_release_1(demo):
    english, spanish = demo
    en_release, es_release = english.releases.get(), spanish.releases.get()
    assert spanish.translation_of == english
    assert es_release.source_release == en_release
    assert es_release.language == "es"
    assert len(es_release.content["sections"]) == len(en_release.content["sections"])
    assert [c["reference"]["id"] for c in es_release.content["citations"]] == [
        c["reference"]["id"] for c in en_release.content["citations"]
    ]
    assert [q["expert"]["id"] for q in es_release.content["quotes"]] == [
        q["expert"]["id"] for q in en_release.content["quotes"]
    ]
    assert [q["section"] for q in es_release.content["quotes"]] == [
        q["section"] for q in en_release.content["quotes"]
    ]
    assert all(q["text"].endswith("(Traducción del inglés)") for q in es_release.content["quotes"])
    assert list(spanish.topics.all()) == list(english.topics.all())


def test_load_demo_twice_keeps_the_translation(demo):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Created 0" in out.getvalue()
    assert Article.objects.filter(language="es").count() == 1


# Handouts --------------------------------------------------------------------------


def test_spanish_handout_page_speaks_spanish(client, demo):
    page = client.get(f"/es/articles/{ES_SLUG}/handout/").content.decode()
    assert '<html lang="es"' in page
    assert "Escanee el código para leerlo en internet" in page
    assert f"Léalo en internet: https://clinic.example.org/es/articles/{ES_SLUG}/" in page
    assert "Scan to read" not in page


def test_spanish_handout_pdf_has_spanish_text_and_a_qr_code_to_the_spanish_page(
    client, demo, tmp_path
):
    response = client.get(f"/es/articles/{ES_SLUG}/handout.pdf")
    assert response.status_code == 200
    pdf = tmp_path / "handout.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert "El magnesio para el síndrome de piernas inquietas" in flat
    assert "Referencias" in flat
    assert "Revisión médica de" in flat
    assert "Impreso el" in flat
    assert "Léalo en internet: https://clinic.example.org/es/articles/" in flat
    assert "Escanee el código" in flat
    assert "Página 1 de" in flat
    assert "Page 1 of" not in flat
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    png = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    assert decoded.stdout.strip() == f"https://clinic.example.org/es/articles/{ES_SLUG}/?from=v1"


def test_packet_of_spanish_articles_has_a_spanish_cover(admin_client, demo, tmp_path):
    _, spanish = demo
    response = admin_client.post(
        reverse("articles:packet"), {"articles": [spanish.pk], "paper": "a4"}
    )
    assert response.status_code == 200
    pdf = tmp_path / "packet.pdf"
    pdf.write_bytes(response.content)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    assert "Información de salud para usted" in text
    assert "En este paquete" in text
    assert "Escanee el código" in text


def test_mixed_packet_prints_each_article_in_its_language(admin_client, demo, tmp_path):
    english, spanish = demo
    response = admin_client.post(
        reverse("articles:packet"), {"articles": [english.pk, spanish.pk], "paper": "a4"}
    )
    pdf = tmp_path / "packet.pdf"
    pdf.write_bytes(response.content)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    assert "Health information for you" in text
    assert "Scan to read this online" in text
    assert "Escanee el código" in text
    # Each article's footer is in its own language, whatever the cover's.
    pages = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout.split("\f")[:-1]
    first_spanish = next(i for i, page in enumerate(pages) if "Escanee el código" in page)
    assert first_spanish > 1
    for number, page in enumerate(pages, 1):
        english_words = re.search(rf"Page {number} of {len(pages)}", page)
        spanish_words = re.search(rf"Página {number} de {len(pages)}", page)
        if number > first_spanish:
            assert spanish_words, number
            assert not english_words, number
        else:
            assert english_words, number
            assert not spanish_words, number


def pdf_text(response, tmp_path):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "printed.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True)
    return " ".join(text.stdout.split())


EN_ADDRESS = f"https://clinic.example.org/articles/{EN_SLUG}/"
STALE_SENTENCE = (
    r"La versión en inglés de este artículo se actualizó el \d{1,2} de \w+ de \d{4} y puede "
    r"tener información más reciente\. Lea la versión en inglés en "
)
STALE_PRINTED = re.compile(STALE_SENTENCE + re.escape(EN_ADDRESS))


def test_stale_spanish_handouts_print_the_notice_with_the_english_address(
    client, admin_client, demo, tmp_path
):
    english, spanish = demo
    pdf_url = f"/es/articles/{ES_SLUG}/handout.pdf"
    packet = reverse("articles:packet")
    assert STALE_ES not in client.get(f"/es/articles/{ES_SLUG}/handout/").content.decode()
    assert STALE_ES not in pdf_text(client.get(pdf_url), tmp_path)

    english.summary = "Updated summary."
    english.save()
    publish(english, note="Updated summary.")
    page = client.get(f"/es/articles/{ES_SLUG}/handout/").content.decode()
    notice = re.search(r'<p class="translation-stale">(.*?)</p>', page, re.S).group(1)
    assert STALE_PRINTED.search(" ".join(re.sub(r"<[^>]+>", "", notice).split()))
    assert "<a " not in notice  # paper: the address itself, printed
    assert STALE_PRINTED.search(pdf_text(client.get(pdf_url), tmp_path))
    # Large print has room for less of the address on a line: it may break inside it.
    large = pdf_text(client.get(pdf_url + "?size=large"), tmp_path)
    assert re.search(
        STALE_SENTENCE + re.escape("https://clinic.example.org/articles/magnes"), large
    )
    posted = admin_client.post(packet, {"articles": [spanish.pk], "paper": "letter"})
    assert STALE_PRINTED.search(pdf_text(posted, tmp_path))
    # Staff reprinting release 1 of the translation see it too: it is behind either way.
    assert STALE_PRINTED.search(pdf_text(admin_client.get(pdf_url + "?release=1"), tmp_path))
    # The English handout says nothing of the kind.
    assert "updated on" not in pdf_text(client.get(f"/articles/{EN_SLUG}/handout.pdf"), tmp_path)

    retranslate(spanish)
    translations.mark_up_to_date(spanish)
    publish(spanish, note="Al día con la versión 2.")
    assert STALE_ES not in pdf_text(client.get(pdf_url), tmp_path)
    posted = admin_client.post(packet, {"articles": [spanish.pk], "paper": "letter"})
    assert STALE_ES not in pdf_text(posted, tmp_path)


def test_spanish_handout_prints_the_for_line_in_spanish(admin_client, demo, tmp_path):
    url = reverse("articles:handout_record", kwargs={"slug": ES_SLUG})
    response = admin_client.post(url, {"paper": "a4", "for_line": "María"})
    text = pdf_text(response, tmp_path)
    assert "Para: María" in text
    assert "For: María" not in text


def test_release_language_follows_the_article(db):
    article = make_article(language="es", reviewed_by=make_expert())
    assert Release.objects.get(article=article).language == "es"
    assert releases.working_copy(article).language == "es"
