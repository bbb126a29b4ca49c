"""A full or read-only media disk during an upload: a clear form error, nothing lost."""

import errno
import io
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article
from common.admin_storage import STORAGE_ERROR
from experts.models import Expert
from tests.admin_forms import article_data, rows

EXPERT_ADD_URL = reverse("admin:experts_expert_add")


def png(name="me.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def failing_disk(code):
    return mock.patch.object(
        FileSystemStorage, "save", side_effect=OSError(code, "the disk said no")
    )


def expert_data(**fields):
    data = {
        "honorific": "Dr",
        "name": "Roxana Ehsani",
        "slug": "",
        "credentials": "MS, RDN, CSSD",
        "role": "Registered Dietitian Nutritionist",
        "affiliation": "Riverside Family Clinic",
        "bio": "<p>A dietitian who loves beans.</p>",
        "photo_alt": "Roxana smiling in a kitchen",
        "photo": png(),
    }
    links = [{"position": "1", "label": "Profile", "url": "https://example.org/roxana"}]
    return data | rows("links", links) | rows("translations", []) | fields


@pytest.mark.django_db
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_full_disk_on_expert_photo_is_a_form_error_and_keeps_typed_input(admin_client, code):
    with failing_disk(code):
        response = admin_client.post(EXPERT_ADD_URL, expert_data())

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["adminform"].form.errors["photo"] == [STORAGE_ERROR]
    assert "The picture could not be stored: the server&#x27;s disk is full or read-only." in html
    for typed in (
        "Roxana Ehsani",
        "MS, RDN, CSSD",
        "Riverside Family Clinic",
        "Roxana smiling in a kitchen",
        "A dietitian who loves beans.",
        "https://example.org/roxana",
    ):
        assert typed in html
    assert not Expert.objects.exists()


@pytest.mark.django_db
def test_after_the_disk_recovers_the_same_form_saves(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with failing_disk(errno.ENOSPC):
        admin_client.post(EXPERT_ADD_URL, expert_data())
    response = admin_client.post(EXPERT_ADD_URL, expert_data())
    assert response.status_code == 302
    expert = Expert.objects.get()
    assert expert.photo
    assert (tmp_path / expert.photo.name).exists()
    assert expert.links.count() == 1


@pytest.mark.django_db
def test_full_disk_on_article_hero_image_is_a_form_error(admin_client):
    data = article_data(title="Iron and tiredness", hero_image=png("hero.png"))
    data["hero_image_alt"] = "A plate of spinach"
    with failing_disk(errno.ENOSPC):
        response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hero_image"] == [STORAGE_ERROR]
    assert "Iron and tiredness" in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_other_errors_without_upload_are_not_hidden(admin_client):
    data = expert_data()
    del data["photo"]
    with (
        mock.patch.object(Expert, "save", side_effect=OSError(errno.EIO, "boom")),
        pytest.raises(OSError, match="boom"),
    ):
        admin_client.post(EXPERT_ADD_URL, data)
