"""Addresses stay faithful, typed links are checked, editors see only what they can use."""

import pytest
from django.urls import reverse

from articles.models import Article, SlugRedirect
from common.richtext import EDITOR_CONFIG
from tests.admin_forms import article_data, form_data
from tests.conftest import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

ADD_URL = reverse("admin:articles_article_add")
LIST_URL = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def retire(article, new_slug):
    """Give a released article a new slug: its old one keeps redirecting to it."""
    old = article.slug
    article.slug = new_slug
    article.save()
    assert SlugRedirect.objects.filter(old_slug=old, article=article).exists()
    return old


def test_a_retired_slug_cannot_be_taken_by_another_article(editor_client):
    released = make_article(title="Magnesium for legs")
    old = retire(released, "magnesium-and-restless-legs")
    response = editor_client.post(ADD_URL, article_data(title="Something else", slug=old))
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors["slug"])
    assert f"“{old}” still leads to the article “Magnesium for legs”" in errors
    assert not Article.objects.filter(title="Something else").exists()


def test_a_retired_slug_is_refused_on_the_change_form_too(editor_client):
    released = make_article(title="Magnesium for legs")
    old = retire(released, "magnesium-and-restless-legs")
    other = make_article(title="Other")
    data = form_data(editor_client.get(change_url(other))) | {"slug": old}
    response = editor_client.post(change_url(other), data)
    assert response.status_code == 200
    assert "still leads to the article" in response.content.decode()


def test_an_article_may_take_back_its_own_old_slug(editor_client):
    released = make_article(title="Magnesium for legs")
    old = retire(released, "magnesium-and-restless-legs")
    data = form_data(editor_client.get(change_url(released))) | {"slug": old}
    assert editor_client.post(change_url(released), data).status_code == 302
    assert Article.objects.get(pk=released.pk).slug == old


def test_a_blank_slug_never_lands_on_a_retired_one(editor_client):
    released = make_article(title="Iron")
    retire(released, "iron-for-adults")
    response = editor_client.post(ADD_URL, article_data(title="Iron", slug=""))
    assert response.status_code == 302
    assert Article.objects.get(title="Iron", releases__isnull=True).slug == "iron-2"


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "vbscript:x"]
)
def test_a_bad_link_typed_in_the_editor_is_refused_by_name(editor_client, href):
    article = make_article()
    data = form_data(editor_client.get(change_url(article)))
    data["sections-0-body"] = f'<p><a href="{href}">x</a></p>'
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert f"The link “{href}” is not allowed" in response.content.decode()
    assert article.sections.get().body == "<p>Body 1.</p>"


def test_the_editor_lets_refused_schemes_through_to_the_form():
    """Tiptap drops a link with a scheme it does not allow, silently: let the form say no."""
    protocols = EDITOR_CONFIG["extensions"]["Link"]["protocols"]
    assert {"javascript", "data", "vbscript"} <= set(protocols)


def test_editors_see_no_publish_button_and_no_archive_action(editor_client):
    article = make_article()
    changelist = editor_client.get(LIST_URL).content.decode()
    assert 'value="archive"' not in changelist
    assert 'value="send_to_review"' in changelist
    change_form = editor_client.get(change_url(article)).content.decode()
    assert reverse("admin:articles_article_publish", args=[article.pk]) not in change_form


def test_reviewers_see_the_publish_button_and_the_archive_action(reviewer_client):
    article = make_article()
    assert 'value="archive"' in reviewer_client.get(LIST_URL).content.decode()
    change_form = reviewer_client.get(change_url(article)).content.decode()
    assert reverse("admin:articles_article_publish", args=[article.pk]) in change_form
