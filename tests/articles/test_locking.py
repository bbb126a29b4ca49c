"""No lost updates: a change form loaded at an older version cannot overwrite a newer one."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion import add_to_revision, create_revision

from articles.models import Article, Reference
from experts.models import Expert
from portal.models import ClinicSettings
from tests.admin_forms import form_data
from tests.conftest import make_article, make_clinic, make_expert, make_reference, make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]


def client_as(user):
    client = Client()
    client.force_login(user)
    return client


def two_forms(url, group="Editors", **names):
    """Return two clients, each with the change form loaded at the same version."""
    first = client_as(make_staff(group, username="first", first_name="Fiona", last_name="First"))
    second = client_as(make_staff(group, username="second"))
    return (first, form_data(first.get(url))), (second, form_data(second.get(url)))


def test_the_second_article_save_is_refused_and_keeps_what_was_typed():
    article = make_article(sections=2)
    with create_revision():  # the version both opened
        add_to_revision(article)
    url = reverse("admin:articles_article_change", args=[article.pk])
    (first, first_data), (second, second_data) = two_forms(url, "Medical reviewers")

    first_data |= {"sections-0-body": "<p>The reviewer's correction.</p>"}
    assert first.post(url, first_data).status_code == 302

    second_data |= {"summary": "The editor's new summary.", "sections-1-body": "<p>Typed.</p>"}
    response = second.post(url, second_data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fiona First" in html
    assert "saved this article after you opened it" in html
    compare = reverse("admin:articles_article_compare", args=[article.pk])
    assert f'href="{compare}?from=' in html
    assert 'target="_blank"' in html
    assert "The editor&#x27;s new summary." in html or "The editor's new summary." in html
    assert "&lt;p&gt;Typed.&lt;/p&gt;" in html

    article.refresh_from_db()
    assert article.summary != "The editor's new summary."
    bodies = list(article.sections.values_list("body", flat=True))
    assert bodies[0] == "<p>The reviewer's correction.</p>"
    assert bodies[1] != "<p>Typed.</p>"

    # The re-rendered form is marked as loaded at the newer version: saving it again is
    # the editor's deliberate choice.
    assert second.post(url, form_data(response)).status_code == 302
    assert Article.objects.get(pk=article.pk).summary == "The editor's new summary."


def test_two_people_edit_different_articles_freely():
    one, other = make_article(), make_article()
    first = client_as(make_staff("Editors"))
    second = client_as(make_staff("Editors"))
    urls = [reverse("admin:articles_article_change", args=[a.pk]) for a in (one, other)]
    forms = [form_data(first.get(urls[0])), form_data(second.get(urls[1]))]
    assert first.post(urls[0], forms[0] | {"summary": "One."}).status_code == 302
    assert second.post(urls[1], forms[1] | {"summary": "Other."}).status_code == 302


def test_saving_twice_from_the_same_person_in_turn_is_fine(editor_client):
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(editor_client.get(url)) | {"summary": "Once."}
    assert editor_client.post(url, data).status_code == 302
    data = form_data(editor_client.get(url)) | {"summary": "Twice."}
    assert editor_client.post(url, data).status_code == 302


@pytest.mark.parametrize(
    ("make", "route", "field", "group"),
    [
        (make_expert, "admin:experts_expert_change", "role", "Editors"),
        (make_reference, "admin:articles_reference_change", "title", "Editors"),
    ],
)
def test_experts_and_references_refuse_a_stale_save(make, route, field, group):
    obj = make()
    url = reverse(route, args=[obj.pk])
    (first, first_data), (second, second_data) = two_forms(url, group)
    assert first.post(url, first_data | {field: "First words"}).status_code == 302
    response = second.post(url, second_data | {field: "Second words"})
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    assert "Second words" in response.content.decode()
    model = type(obj)
    assert getattr(model.objects.get(pk=obj.pk), field) == "First words"
    assert model in (Expert, Reference)


def test_clinic_settings_refuse_a_stale_save():
    clinic = make_clinic()
    url = reverse("admin:portal_clinicsettings_change", args=[clinic.pk])
    first = client_as(make_staff(is_superuser=True, username="boss"))
    second = client_as(make_staff(is_superuser=True))
    first_data, second_data = form_data(first.get(url)), form_data(second.get(url))
    assert first.post(url, first_data | {"phone": "555-0111"}).status_code == 302
    response = second.post(url, second_data | {"name": "Typed clinic name"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "boss" in html
    assert "after you opened it" in html
    assert "Typed clinic name" in html
    assert ClinicSettings.objects.get().phone == "555-0111"
