"""Clinic settings in the admin: one row, never added twice or deleted, edited in place."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.models import ClinicSettings
from tests.admin_forms import form_data

LIST_URL = reverse("admin:portal_clinicsettings_changelist")


def change_url():
    return reverse("admin:portal_clinicsettings_change", args=[1])


@pytest.mark.django_db
def test_list_goes_straight_to_the_one_row(admin_client):
    response = admin_client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"] == change_url()
    assert ClinicSettings.objects.count() == 1


@pytest.mark.django_db
def test_no_second_row_can_be_added_and_none_deleted(admin_client, clinic):
    assert admin_client.get(reverse("admin:portal_clinicsettings_add")).status_code == 403
    delete = reverse("admin:portal_clinicsettings_delete", args=[clinic.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ClinicSettings.objects.count() == 1
    html = admin_client.get(change_url()).content.decode()
    assert "deletelink" not in html


@pytest.mark.django_db
def test_clinic_details_are_edited_in_place(admin_client, clinic):
    data = form_data(admin_client.get(change_url()))
    data |= {"name": "Riverside Clinic", "phone": "+1 (555) 010-0199", "_save": "Save"}
    assert admin_client.post(change_url(), data).status_code == 302
    assert ClinicSettings.load().name == "Riverside Clinic"
    assert ClinicSettings.objects.count() == 1


@pytest.mark.django_db
def test_bad_phone_and_svg_logo_are_clear_errors(admin_client, clinic):
    data = form_data(admin_client.get(change_url()))
    data |= {
        "phone": "call <us>",
        "logo": SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    }
    response = admin_client.post(change_url(), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a phone number using digits, spaces and + ( ) - . / only." in html
    assert "SVG images are not accepted because they can carry scripts." in html
    assert ClinicSettings.load().phone == "555-0100"


@pytest.mark.django_db
def test_editors_cannot_change_clinic_settings(editor_client, clinic):
    assert editor_client.get(change_url()).status_code == 403
