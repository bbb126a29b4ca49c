"""Regression tests for issue 18's findings: tag merge, clinic settings, uploads, stamp, links."""

import io
import os
import re
import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse
from PIL import Image
from taggit.models import Tag

from articles.models import Citation
from common.links import safe_url
from experts.models import ExpertLink
from portal import cache as page_cache
from portal.models import ClinicSettings
from tests.admin_forms import form_data
from tests.conftest import make_article, make_clinic, make_expert, make_reference, make_staff


def image_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, fmt)
    return buffer.getvalue()


# --- taggit's merge view --------------------------------------------------------


@pytest.mark.django_db
def test_tag_merge_view_is_gone_and_staff_without_permission_get_403(client):
    Tag.objects.create(name="sleep")
    client.force_login(make_staff())
    with pytest.raises(NoReverseMatch):
        reverse("admin:taggit_tag_merge_tags")
    response = client.post("/admin/taggit/tag/merge-tags/", {"new_tag_name": "merged"}, follow=True)
    assert response.status_code == 403
    assert client.get("/admin/taggit/tag/").status_code == 403
    assert not Tag.objects.filter(name="merged").exists()


# --- Clinic settings ------------------------------------------------------------


@pytest.mark.django_db
def test_clinic_settings_need_permission_and_are_never_created_without_it(client):
    ClinicSettings.objects.all().delete()
    client.force_login(make_staff("Editors"))
    assert client.get(reverse("admin:portal_clinicsettings_changelist")).status_code == 403
    assert not ClinicSettings.objects.exists()


@pytest.mark.django_db
def test_clinic_settings_open_the_one_row_for_superusers(admin_client):
    ClinicSettings.objects.all().delete()
    response = admin_client.get(reverse("admin:portal_clinicsettings_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:portal_clinicsettings_change", args=[1])


# --- Uploads --------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_named_like_a_script_is_stored_under_a_generated_name(
    admin_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    expert = make_expert()
    url = reverse("admin:experts_expert_change", args=[expert.pk])
    data = form_data(admin_client.get(url))
    upload = SimpleUploadedFile("shell.php.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    data |= {"photo": upload, "photo_alt": "A face"}
    assert admin_client.post(url, data).status_code == 302
    expert.refresh_from_db()
    assert re.fullmatch(r"experts/[0-9a-f]{32}\.jpg", expert.photo.name)
    assert [p.name for p in (tmp_path / "experts").iterdir()] == [Path(expert.photo.name).name]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "fmt", "extension"),
    [("photo.jpg", "PNG", ".png"), ("logo.gif", "WEBP", ".webp"), ("x.jpeg", "GIF", ".gif")],
)
def test_stored_extension_is_the_decoded_format(settings, tmp_path, name, fmt, extension):
    settings.MEDIA_ROOT = tmp_path
    clinic = make_clinic()
    clinic.logo.save(name, ContentFile(image_bytes(fmt)))
    assert clinic.logo.name.startswith("clinic/")
    assert clinic.logo.name.endswith(extension)
    with Image.open(tmp_path / clinic.logo.name) as image:
        assert image.format == fmt


@pytest.mark.django_db
def test_non_image_content_is_never_stored(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = make_article()
    with pytest.raises(ValidationError):
        article.hero_image.save("evil.png", ContentFile(b"<?php system($_GET['c']); ?>"))
    assert not any(tmp_path.rglob("*.*"))


@pytest.mark.django_db
def test_an_image_in_another_format_is_refused_with_a_message(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    expert = make_expert()
    url = reverse("admin:experts_expert_change", args=[expert.pk])
    data = form_data(admin_client.get(url))
    data |= {"photo": SimpleUploadedFile("face.png", image_bytes("BMP")), "photo_alt": "A face"}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "not a JPEG, PNG, GIF or WebP image" in response.content.decode()


# --- The page cache's stamp file ------------------------------------------------


@pytest.fixture
def default_stamp(settings, tmp_path, monkeypatch):
    """Use the default stamp location, in a temp folder of this test's own."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    settings.PAGE_CACHE_STAMP_FILE = ""
    page_cache.stamp_path.cache_clear()
    yield tmp_path / f"portal-page-cache-{os.getuid()}"
    page_cache.stamp_path.cache_clear()


@pytest.mark.django_db
def test_stamp_lives_in_a_private_folder_and_is_private(default_stamp):
    page_cache.new_generation()
    path = Path(page_cache.stamp_path())
    assert path.parent == default_stamp
    assert stat.S_IMODE(default_stamp.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert page_cache.read_stamp(str(path))


@pytest.mark.django_db
def test_stamp_is_never_written_through_a_symlink(default_stamp, tmp_path):
    default_stamp.mkdir(mode=0o700)
    target = tmp_path / "victim"
    target.write_text("keep me")
    os.symlink(target, page_cache.stamp_path())
    page_cache.write_stamp("token 1")
    assert target.read_text() == "keep me"
    assert page_cache.read_stamp(page_cache.stamp_path()) is None


@pytest.mark.django_db
def test_a_folder_others_can_enter_is_refused(default_stamp):
    default_stamp.mkdir(mode=0o755)
    default_stamp.chmod(0o755)
    with pytest.raises(ImproperlyConfigured, match="not a private folder"):
        page_cache.stamp_path()


@pytest.mark.django_db
def test_a_symlink_in_place_of_the_folder_is_refused(default_stamp, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    os.symlink(elsewhere, default_stamp)
    with pytest.raises(ImproperlyConfigured):
        page_cache.stamp_path()


# --- The page cache's headers ---------------------------------------------------


def test_page_cache_uses_only_public_response_apis():
    assert ".headers._store" not in Path(page_cache.__file__).read_text()


@pytest.mark.django_db
def test_a_cache_hit_has_the_headers_of_the_page(client, clinic):
    first = client.get("/")
    hit = client.get("/")
    assert dict(hit.items()) == dict(first.items())
    assert hit.content == first.content


# --- Link addresses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=c", "https://example.org/a?b=c"),
        ("http://example.org", "http://example.org"),
        ("mailto:desk@example.org", "mailto:desk@example.org"),
        ("javascript:alert(1)", ""),
        ("JavaScript:alert(1)", ""),
        (" java\tscript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("vbscript:msgbox", ""),
        ("//evil.example/", ""),
        ("/relative", ""),
        ("https:\\\\evil.example", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_url_keeps_only_http_https_and_mailto(url, expected):
    assert safe_url(url) == expected
    rendered = Template("{% load site_tags %}{{ url|safe_url }}").render(Context({"url": url}))
    assert rendered == Template("{{ e }}").render(Context({"e": expected}))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org/x"])
def test_link_fields_refuse_other_schemes(url):
    expert = make_expert()
    for obj, field in [
        (ExpertLink(expert=expert, label="Profile", url=url), "url"),
        (make_reference(url=url), "url"),
        (ClinicSettings(website=url), "website"),
    ]:
        with pytest.raises(ValidationError) as error:
            obj.full_clean()
        assert field in error.value.message_dict


@pytest.mark.django_db
def test_link_fields_accept_web_addresses():
    expert = make_expert()
    ExpertLink(expert=expert, label="Profile", url="https://example.org/me").full_clean()
    make_reference(url="http://example.org/study").full_clean()


@pytest.mark.django_db
def test_unsafe_links_stored_outside_the_admin_never_reach_a_page(client, without_page_cache):
    expert = make_expert(slug="dr-link")
    ExpertLink.objects.create(expert=expert, label="Profile", url="javascript:alert(1)")
    article = make_article(citations=0)
    reference = make_reference(url="data:text/html,<b>hi</b>")
    Citation.objects.create(article=article, position=1, reference=reference)
    make_clinic(website="javascript:alert(2)")
    for url in [expert.get_absolute_url(), article.get_absolute_url()]:
        page = client.get(url).content.decode()
        assert "javascript:" not in page
        assert "data:text/html" not in page
    assert "Profile" in client.get(expert.get_absolute_url()).content.decode()
