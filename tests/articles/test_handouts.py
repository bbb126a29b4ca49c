"""Handouts: the print page, its PDF, large print, drafts and packets of several articles."""

import datetime
import io
import re
import subprocess

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, models
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.handouts import NOTE_MAX_LENGTH, local_fetcher
from articles.models import Article, HandoutGiven, Quote
from portal.models import ClinicSettings
from tests.conftest import make_article, make_clinic, make_expert, make_long_article, publish

pytestmark = pytest.mark.django_db

DRAFT_MARK = "DRAFT — not for patients"
SEED_001_SLUG = "magnesium-and-restless-leg-syndrome-guide"  # the long seed, from load_demo


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("desk", password="unused-pw-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


def handout_url(article, **query):
    url = reverse("articles:handout", kwargs={"slug": article.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def pdf_url(article, **query):
    url = reverse("articles:handout_pdf", kwargs={"slug": article.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def save_pdf(response, tmp_path, name="handout.pdf"):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    path = tmp_path / name
    path.write_bytes(content)
    return path


def pdf_text(path, page=None):
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", *pages, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def pdf_pages(path):
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def pdf_info(path):
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout


def flat(text):
    """Collapse whitespace, since PDF text wraps lines where the page does."""
    return " ".join(text.split())


# The HTML page --------------------------------------------------------------------


def test_handout_page_shows_everything_a_patient_takes_home(client):
    make_clinic(name="Riverside Clinic", phone="555-0199", website="https://riverside.example")
    reviewer = make_expert(name="Ana Ruiz", honorific="Dr", credentials="MD, MPH")
    article = make_article(
        sections=2,
        quotes=1,
        citations=2,
        faqs=3,
        reviewed_by=reviewer,
        title="Sleep and legs",
        disclaimer="Ask your doctor before changing any medicine.",
    )

    response = client.get(handout_url(article))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Riverside Clinic" in page
    assert "555-0199" in page
    assert "https://riverside.example" in page
    assert re.search(r"<h1[^>]*>Sleep and legs</h1>", page)
    assert article.summary in page
    for n in (1, 2, 3):
        assert f"Question {n}?" in page
        assert f"Answer {n}." in page
    assert "<details" not in page  # FAQs printed open, not collapsed
    for citation in article.citations.select_related("reference"):
        assert citation.reference.title in page
        assert f'id="ref-{citation.position}"' in page
    assert "Version 1 · Medically reviewed by Dr Ana Ruiz, MD, MPH on 15 January 2026" in page
    assert f"Printed on {timezone.localdate():%-d %B %Y}" in page
    assert "Ask your doctor before changing any medicine." in page
    assert '<svg role="img"' in page
    assert "Scan to read this online" in page


def test_handout_uses_the_clinic_disclaimer_when_the_article_has_none(client):
    make_clinic(default_disclaimer="General information only, from the clinic.")
    article = make_article(disclaimer="")

    response = client.get(handout_url(article))

    assert "General information only, from the clinic." in response.content.decode()


def test_handout_links_citation_markers_to_numbered_references(client, article):
    page = client.get(handout_url(article)).content.decode()

    assert '<a href="#ref-1" class="cite"' in page
    assert '<li id="ref-1" value="1">' in page


def test_quotes_follow_their_section_and_unplaced_quotes_come_after_the_last(client):
    article = make_article(sections=3)
    expert = article.reviewed_by
    second = article.sections.get(position=2)
    Quote.objects.create(article=article, position=1, expert=expert, text="Unplaced words.")
    Quote.objects.create(
        article=article, position=2, expert=expert, text="Words after two.", section=second
    )
    publish(article)

    page = client.get(handout_url(article)).content.decode()

    assert page.index("Heading 2") < page.index("Words after two.") < page.index("Heading 3")
    assert page.index("Heading 3") < page.index("Unplaced words.")


def test_handout_page_obeys_the_strict_content_security_policy(client, article):
    page = client.get(handout_url(article)).content.decode()

    assert "style=" not in page
    assert "<style" not in page
    assert "<script" not in page
    assert 'rel="stylesheet" href="/static/articles/handout.css"' in page


def test_qr_code_and_printed_link_use_site_url_when_set(client, article, settings):
    settings.SITE_URL = "https://clinic.example.org"

    page = client.get(handout_url(article)).content.decode()

    assert f"Read it online: https://clinic.example.org/articles/{article.slug}/" in page


def test_large_print_is_offered_and_changes_the_page(client, article):
    normal = client.get(handout_url(article)).content.decode()
    large = client.get(handout_url(article, size="large")).content.decode()

    assert f'href="{handout_url(article)}?size=large">Large print</a>' in normal
    assert f'href="{handout_url(article)}">Normal print</a>' in large
    assert 'class="handout-doc large"' in large
    assert 'class="handout-doc"' in normal
    assert "size=large&amp;paper=a4" in large  # the PDF links keep large print


def test_handout_page_query_count_does_not_grow_with_the_article(client):
    small = make_article(sections=1, quotes=1, citations=1, faqs=1)
    big = make_article(sections=12, quotes=6, citations=9, faqs=10)
    make_clinic()
    # Warm the content-type cache that tags use, on an address the page cache keeps apart.
    client.get(handout_url(small, size="large"))
    counts = []
    for article in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(handout_url(article)).status_code == 200
        counts.append(len(queries))

    # The live release with its article (the clinic settings come from the cache).
    assert counts == [1, 1]


# The PDF ------------------------------------------------------------------------


def decode_qr(path, tmp_path):
    """Return what the QR code on the PDF's first page says."""
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    png = next(tmp_path.glob("p*.png"))
    return subprocess.run(
        ["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True
    ).stdout.strip()


def test_demo_article_pdf_has_title_phone_faqs_reviewer_version_and_qr(client, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    article = Article.objects.get(slug=SEED_001_SLUG)
    clinic = ClinicSettings.load()
    assert clinic.phone
    assert article.faqs.count() >= 5

    response = client.get(pdf_url(article))

    assert response["Content-Disposition"] == f'inline; filename="{article.slug}-v1.pdf"'
    path = save_pdf(response, tmp_path)
    text = flat(pdf_text(path))
    assert article.title in text
    assert clinic.phone in text
    for faq in article.faqs.all():
        assert faq.question in text
    assert f"Medically reviewed by {article.reviewed_by.name_with_credentials}" in text
    assert "Version 1 · Medically reviewed by" in text
    pages = pdf_pages(path)
    assert pages > 1
    last = flat(pdf_text(path, page=pages))
    assert f"Page {pages} of {pages}" in last
    assert article.title in last  # the title in every page's footer
    # The demo fills in an example public address; the QR names the release printed.
    assert decode_qr(path, tmp_path) == (
        f"https://clinic.example.org/articles/{article.slug}/?from=v1"
    )


def test_pdf_qr_code_decodes_to_the_public_address_on_site_url(client, article, tmp_path, settings):
    settings.SITE_URL = "https://clinic.example.org"

    path = save_pdf(client.get(pdf_url(article)), tmp_path)

    assert decode_qr(path, tmp_path) == (
        f"https://clinic.example.org/articles/{article.slug}/?from=v1"
    )


def test_large_print_pdf_has_more_pages(client, tmp_path):
    article = make_long_article()

    normal = pdf_pages(save_pdf(client.get(pdf_url(article)), tmp_path, "normal.pdf"))
    large = pdf_pages(save_pdf(client.get(pdf_url(article, size="large")), tmp_path, "large.pdf"))

    assert large > normal


def test_pdf_paper_is_a4_by_default_and_us_letter_on_request(client, article, tmp_path):
    a4 = pdf_info(save_pdf(client.get(pdf_url(article)), tmp_path, "a4.pdf"))
    letter = pdf_info(save_pdf(client.get(pdf_url(article, paper="letter")), tmp_path, "l.pdf"))

    assert "(A4)" in a4
    assert "612 x 792 pts (letter)" in letter


def test_paper_names_are_read_whatever_their_case(client, admin_client, article, tmp_path):
    letter = pdf_info(save_pdf(client.get(pdf_url(article, paper="LETTER")), tmp_path, "l.pdf"))
    assert "612 x 792 pts (letter)" in letter
    assert "(A4)" in pdf_info(save_pdf(client.get(pdf_url(article, paper="A4")), tmp_path, "a.pdf"))
    record = reverse("articles:handout_record", kwargs={"slug": article.slug})
    posted = admin_client.post(record, {"paper": "Letter"})
    assert "612 x 792 pts (letter)" in pdf_info(save_pdf(posted, tmp_path, "r.pdf"))
    assert HandoutGiven.objects.get().paper == "letter"


def test_signed_out_staff_asking_for_print_and_record_are_sent_to_the_admin_sign_in(client):
    article = make_article(language="es")
    response = client.get(f"/es/articles/{article.slug}/handout/record/")
    assert response.status_code == 302
    handout = f"/es/articles/{article.slug}/handout/"
    assert response["Location"] == f"{reverse('admin:login')}?next={handout}"
    assert client.get(response["Location"]).status_code == 200


def test_unknown_paper_size_is_a_clear_error(client, article):
    response = client.get(pdf_url(article, paper="a3"))

    assert response.status_code == 400
    assert "use paper=a4 or paper=letter" in response.content.decode()


def test_pdf_prints_the_clinic_logo_from_disk(client, article, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(png, "PNG")
    make_clinic(logo=SimpleUploadedFile("logo.png", png.getvalue(), content_type="image/png"))

    path = save_pdf(client.get(pdf_url(article)), tmp_path)

    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True)
    assert len(images.stdout.strip().splitlines()) == 3  # two header lines and the logo


def test_missing_logo_file_still_gives_a_pdf(client, article, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    make_clinic(logo="clinic/gone.png")

    save_pdf(client.get(pdf_url(article)), tmp_path)


def test_pdf_fetcher_serves_own_files_and_refuses_the_network():
    stylesheet = local_fetcher("http://testserver/static/articles/handout.css")
    with stylesheet["file_obj"] as file:
        assert b"@page" in file.read()
    with pytest.raises(ValueError, match="only the portal's own files"):
        local_fetcher("https://fonts.example.com/font.woff2")
    with pytest.raises(FileNotFoundError):
        local_fetcher("http://testserver/static/articles/no-such-file.css")


# Drafts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.IN_REVIEW},
        {"status": Article.Status.ARCHIVED},
        {"publish_at": timezone.now() + datetime.timedelta(days=3)},
    ],
    ids=["draft", "in-review", "archived", "scheduled"],
)
def test_unpublished_handout_is_404_for_anonymous_visitors(client, fields):
    article = make_article(**fields)

    assert client.get(handout_url(article)).status_code == 404
    assert client.get(pdf_url(article)).status_code == 404


def test_non_staff_user_cannot_print_a_draft(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("patient", password="unused-pw"))
    article = make_article(status=Article.Status.DRAFT)

    assert client.get(handout_url(article)).status_code == 404


def test_staff_draft_handout_is_marked_in_html(staff_client):
    article = make_article(status=Article.Status.DRAFT, reviewed_by=None)

    response = staff_client.get(handout_url(article))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="draft-banner">DRAFT — not for patients' in page
    assert 'class="draft-watermark"' in page  # fixed: repeated on every printed page
    assert "Not yet medically reviewed" in page


def test_staff_draft_pdf_is_marked_on_every_page(staff_client, tmp_path):
    article = make_long_article(status=Article.Status.DRAFT)

    path = save_pdf(staff_client.get(pdf_url(article)), tmp_path)

    pages = pdf_pages(path)
    assert pages > 1
    for page in range(1, pages + 1):
        assert DRAFT_MARK in pdf_text(path, page=page)


def test_published_handout_carries_no_draft_mark(staff_client, article, tmp_path):
    page = staff_client.get(handout_url(article)).content.decode()
    path = save_pdf(staff_client.get(pdf_url(article)), tmp_path)

    assert DRAFT_MARK not in page
    assert "DRAFT" not in pdf_text(path)


# Packets --------------------------------------------------------------------------


def post_packet(client, articles, **fields):
    data = {"articles": [a.pk for a in articles], "paper": "a4"} | fields
    return client.post(reverse("articles:packet"), data)


def test_packet_action_shows_the_note_form_for_the_selected_articles(admin_client):
    first = make_article(title="Iron and restless legs")
    second = make_article(title="Magnesium for restless legs")
    make_article(title="Not chosen")

    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "print_handout_packet", "_selected_action": [first.pk, second.pk]},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Print handout packet" in page
    assert ">Iron and restless legs</label>" in page
    assert ">Magnesium for restless legs</label>" in page
    assert "Not chosen" not in page
    assert f'maxlength="{NOTE_MAX_LENGTH}"' in page
    assert f'action="{reverse("articles:packet")}"' in page
    assert 'value="Print packet"' in page
    assert "csrfmiddlewaretoken" in page


def test_packet_has_a_cover_then_each_article_on_its_own_page(admin_client, tmp_path):
    make_clinic(name="Riverside Clinic")
    first = make_article(title="Iron and restless legs", faqs=1)
    second = make_article(title="Magnesium for restless legs", faqs=1)

    response = post_packet(admin_client, [first, second], note="Take it with dinner.")

    assert response["Content-Disposition"].startswith('inline; filename="handout-packet-')
    path = save_pdf(response, tmp_path)
    assert pdf_pages(path) == 3
    cover, page_2, page_3 = (flat(pdf_text(path, page=n)) for n in (1, 2, 3))
    assert "Riverside Clinic" in cover
    assert f"Printed on {timezone.localdate():%-d %B %Y}" in cover
    assert "Take it with dinner." in cover
    assert cover.index("Iron and restless legs") < cover.index("Magnesium for restless legs")
    assert "Iron and restless legs" in page_2
    assert "Magnesium" not in page_2
    assert "Magnesium for restless legs" in page_3
    assert "Iron" not in page_3
    assert "Question 1?" in page_2
    assert "Question 1?" in page_3


def test_packet_marks_only_its_draft_articles(admin_client, tmp_path):
    published = make_article(title="Published one")
    draft = make_article(title="Draft one", status=Article.Status.DRAFT)

    path = save_pdf(post_packet(admin_client, [published, draft]), tmp_path)

    assert pdf_pages(path) == 3
    assert DRAFT_MARK not in flat(pdf_text(path, page=2))  # in the order chosen
    assert DRAFT_MARK in flat(pdf_text(path, page=3))


def test_packet_note_is_printed_but_never_stored(admin_client, tmp_path):
    note = "Zebra-note-7731: walk after dinner"
    article = make_article()

    response = post_packet(admin_client, [article], note=note)

    assert note in flat(pdf_text(save_pdf(response, tmp_path)))
    assert "no-store" in response["Cache-Control"]
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField) and field.concrete:
                lookup = {f"{field.name}__contains": "Zebra-note-7731"}
                assert not model._default_manager.filter(**lookup).exists(), model
        if any(isinstance(f, models.JSONField) for f in model._meta.concrete_fields):
            for field in model._meta.concrete_fields:
                if isinstance(field, models.JSONField):
                    rows = model._default_manager.annotate(
                        as_text=Cast(field.name, models.TextField())
                    )
                    assert not rows.filter(as_text__contains="Zebra-note-7731").exists()
    for session in Session.objects.all():
        assert "Zebra-note-7731" not in str(session.get_decoded())


def test_too_long_note_is_a_clear_form_error(admin_client):
    article = make_article(title="Iron and restless legs")

    response = post_packet(admin_client, [article], note="x" * (NOTE_MAX_LENGTH + 1))

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert f"The note is too long: {NOTE_MAX_LENGTH + 1} characters" in page
    assert f"at most {NOTE_MAX_LENGTH}" in page
    assert ">Iron and restless legs</label>" in page  # the choice is kept


def test_packet_without_articles_is_a_clear_error(admin_client):
    response = post_packet(admin_client, [])

    assert response.status_code == 200
    assert "Choose at least one article" in response.content.decode()


def test_packet_view_sends_anonymous_visitors_to_sign_in(client):
    response = post_packet(client, [make_article()])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("is_staff", [False, True])
def test_packet_view_refuses_accounts_without_the_permission(client, django_user_model, is_staff):
    user = django_user_model.objects.create_user("someone", password="unused", is_staff=is_staff)
    client.force_login(user)

    assert post_packet(client, [make_article()]).status_code == 403


def test_packet_page_without_a_form_goes_back_to_the_article_list(admin_client):
    response = admin_client.get(reverse("articles:packet"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_changelist")
