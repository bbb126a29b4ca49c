"""The expert admin: links inline, where the expert appears, search, bad input."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Quote
from experts.models import Expert
from tests.admin_forms import form_data, rows
from tests.conftest import make_article, make_expert

ADD_URL = reverse("admin:experts_expert_add")


def change_url(expert):
    return reverse("admin:experts_expert_change", args=[expert.pk])


def expert_data(**fields):
    data = {
        "honorific": "",
        "name": "Roxana Ehsani",
        "slug": "",
        "credentials": "MS, RDN, CSSD",
        "role": "Registered Dietitian Nutritionist",
        "affiliation": "",
        "bio": "<p>A dietitian.</p>",
        "photo_alt": "",
    }
    return data | rows("links", []) | rows("translations", []) | fields


@pytest.mark.django_db
def test_editor_adds_expert_with_links(editor_client):
    data = expert_data() | rows(
        "links",
        [
            {"position": "0", "label": "Profile", "url": "https://example.org/roxana"},
            {"position": "", "label": "Publications", "url": "example.org/pubs"},
        ],
    )
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302
    expert = Expert.objects.get(slug="roxana-ehsani")
    assert expert.name_with_credentials == "Roxana Ehsani, MS, RDN, CSSD"
    assert list(expert.links.values_list("position", "label", "url")) == [
        (1, "Profile", "https://example.org/roxana"),
        (2, "Publications", "https://example.org/pubs"),
    ]


@pytest.mark.django_db
def test_expert_page_lists_articles_that_quote_them_or_they_reviewed(admin_client):
    expert = make_expert(name="Deborah Lee")
    reviewed = make_article(title="Reviewed by Lee", reviewed_by=expert)
    quoting = make_article(title="Quoting Lee", sections=0)
    Quote.objects.create(article=quoting, position=1, expert=expert, text="Move gently.")
    Quote.objects.create(article=quoting, position=2, expert=expert, text="Sleep first.")
    make_article(title="Unrelated")
    html = admin_client.get(change_url(expert)).content.decode()
    article_url = reverse("admin:articles_article_change", args=[quoting.pk])
    assert html.count(f'<a href="{article_url}">Quoting Lee</a>') == 1
    reviewed_url = reverse("admin:articles_article_change", args=[reviewed.pk])
    assert f'<a href="{reviewed_url}">Reviewed by Lee</a>' in html
    assert "Unrelated" not in html


@pytest.mark.django_db
def test_expert_add_form_shows_no_articles_yet(admin_client):
    html = admin_client.get(ADD_URL).content.decode()
    assert "None yet" in html
    assert "data-django-prose-editor-configurable" in html


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["Ehsani", "RDN", "Dietitian"])
def test_expert_search(admin_client, term):
    make_expert(name="Roxana Ehsani", credentials="MS, RDN", role="Dietitian")
    make_expert(name="Deborah Lee", credentials="MD", role="Doctor")
    html = admin_client.get(reverse("admin:experts_expert_changelist"), {"q": term})
    assert "Roxana Ehsani" in html.content.decode()
    assert "Deborah Lee" not in html.content.decode()


@pytest.mark.django_db
def test_javascript_link_in_bio_is_a_clear_error(admin_client):
    expert = make_expert(name="Deborah Lee")
    data = form_data(admin_client.get(change_url(expert)))
    data["bio"] = '<p><a href="javascript:alert(1)">me</a></p>'
    response = admin_client.post(change_url(expert), data)
    assert response.status_code == 200
    assert "The link “javascript:alert(1)” is not allowed" in response.content.decode()
    assert Expert.objects.get(pk=expert.pk).bio == "<p>A physician who writes for patients.</p>"


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_photo_without_a_description_is_refused(editor_client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("lee.png", png_bytes(), content_type="image/png")
    response = editor_client.post(ADD_URL, expert_data(photo=photo, photo_alt="  "))
    assert response.status_code == 200
    assert "Describe the photo for people who cannot see it." in response.content.decode()
    assert not Expert.objects.exists()
    photo = SimpleUploadedFile("lee.png", png_bytes(), content_type="image/png")
    response = editor_client.post(
        ADD_URL, expert_data(photo=photo, photo_alt="Roxana Ehsani smiling")
    )
    assert response.status_code == 302
    assert Expert.objects.get().photo_alt == "Roxana Ehsani smiling"


@pytest.mark.django_db
def test_svg_photo_is_a_clear_error(admin_client):
    expert = make_expert(name="Deborah Lee")
    data = form_data(admin_client.get(change_url(expert)))
    data["photo"] = SimpleUploadedFile(
        "me.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml"
    )
    response = admin_client.post(change_url(expert), data)
    assert response.status_code == 200
    assert "SVG images are not accepted because they can carry scripts." in (
        response.content.decode()
    )
    assert not Expert.objects.get(pk=expert.pk).photo


@pytest.mark.django_db
def test_duplicate_link_positions_are_a_clear_error(admin_client):
    expert = make_expert()
    data = expert_data(name=expert.name, slug=expert.slug) | rows(
        "links",
        [
            {"position": "1", "label": "A", "url": "https://a.example"},
            {"position": "1", "label": "B", "url": "https://b.example"},
        ],
    )
    response = admin_client.post(change_url(expert), data)
    assert response.status_code == 200
    assert "Two or more expert links have position 1." in response.content.decode()
    assert not expert.links.exists()
