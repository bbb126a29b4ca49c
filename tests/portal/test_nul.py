"""A NUL character (%00) in a request answers 400 with a plain message, never 500."""

import pytest
from django.db import connection
from django.urls import reverse

from portal.middleware import NulCharacterError, reject_nul_parameters
from tests.conftest import make_article

MESSAGE = "contains a NUL character (%00)"


def assert_refused(response):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_admin_list_filter_with_nul_answers_400(admin_client):
    make_article()
    url = reverse("admin:articles_article_changelist")
    assert_refused(admin_client.get(url + "?status__exact=%00"))


@pytest.mark.django_db
def test_admin_autocomplete_with_nul_answers_400(admin_client):
    make_article()
    url = reverse("admin:autocomplete")
    query = "?term=%00&app_label=articles&model_name=article&field_name=reviewed_by"
    assert_refused(admin_client.get(url + query))
    query = "?term=a%00&app_label=articles&model_name=slugredirect&field_name=article"
    assert_refused(admin_client.get(url + query))


@pytest.mark.django_db
def test_admin_action_with_nul_in_selected_pk_answers_400(admin_client):
    article = make_article()
    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "archive", "_selected_action": f"{article.pk}\x00", "index": "0"},
    )
    assert_refused(response)
    article.refresh_from_db()
    assert article.status == "published"


@pytest.mark.django_db
def test_admin_list_search_with_nul_answers_400(admin_client):
    url = reverse("admin:experts_expert_changelist")
    assert_refused(admin_client.get(url + "?q=Lee%00"))


@pytest.mark.django_db
def test_nul_in_posted_form_answers_400(admin_client):
    response = admin_client.post(reverse("admin:experts_expert_add"), {"name": "Lee\x00"})
    assert_refused(response)


@pytest.mark.django_db
def test_public_page_still_answers_without_nul(client):
    article = make_article()
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 302


@pytest.mark.django_db
def test_database_guard_refuses_query_with_nul_on_any_database():
    with (
        connection.execute_wrapper(reject_nul_parameters),
        pytest.raises(NulCharacterError),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT %s", ["a\x00b"])


@pytest.mark.django_db
def test_public_view_reaching_database_with_nul_answers_400(client, settings):
    settings.ROOT_URLCONF = "tests.portal.nul_urls"
    assert_refused(client.get("/lookup/?slug=x%00"))
    assert client.get("/lookup/?slug=x").status_code == 200
