"""History through the admin: versions, compare, revert and recover deleted (django-reversion)."""

import pytest
from django.urls import reverse
from reversion.models import Version

from articles.models import FAQ, Article, Citation, Section
from tests.admin_forms import article_data, form_data, rows
from tests.conftest import make_article, make_expert, make_reference


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


def save_unchanged(client, article):
    """Save the article's admin form as it is, which records a version."""
    response = client.post(change_url(article), form_data(client.get(change_url(article))))
    assert response.status_code == 302


@pytest.mark.django_db
def test_reverting_restores_a_faq_deleted_through_the_admin(admin_client):
    article = make_article(sections=1, faqs=2)
    deleted = article.faqs.get(position=2)
    save_unchanged(admin_client, article)
    data = form_data(admin_client.get(change_url(article))) | {"faqs-1-DELETE": "on"}
    assert admin_client.post(change_url(article), data).status_code == 302
    assert list(article.faqs.values_list("question", flat=True)) == ["Question 1?"]

    first = Version.objects.get_for_object(article).order_by("pk").first()
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, first.pk])
    history = admin_client.get(history_url(article)).content.decode()
    assert revision_url in history

    page = admin_client.get(revision_url)
    assert page.status_code == 200
    assert "Press the save button below to revert to this version" in page.content.decode()
    assert article.faqs.count() == 1  # looking at a version changes nothing
    response = admin_client.post(revision_url, form_data(page))

    assert response.status_code == 302
    restored = FAQ.objects.get(pk=deleted.pk)
    assert (restored.question, restored.answer) == ("Question 2?", "<p>Answer 2.</p>")
    assert list(article.faqs.values_list("position", flat=True)) == [1, 2]
    assert "Reverted to previous version" in admin_client.get(history_url(article)).content.decode()


@pytest.mark.django_db
def test_recover_deleted_article_through_the_admin(admin_client):
    doctor = make_expert()
    reference = make_reference()
    data = article_data(
        title="Recover me",
        status="in_review",
        reviewed_by=str(doctor.pk),
        last_reviewed="2026-01-15",
        tags="sleep",
    )
    data |= rows("sections", [{"position": "1", "heading": "Intro", "body": "<p>See [1].</p>"}])
    data |= rows("citations", [{"position": "1", "reference": str(reference.pk)}])
    data |= rows("faqs", [{"position": "1", "question": "Why?", "answer": "<p>Because.</p>"}])
    assert admin_client.post(reverse("admin:articles_article_add"), data).status_code == 302
    article = Article.objects.get(title="Recover me")
    pk = article.pk

    delete = reverse("admin:articles_article_delete", args=[pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=pk).exists()
    assert not Section.objects.filter(article_id=pk).exists()

    recover_list = admin_client.get(reverse("admin:articles_article_recoverlist"))
    deleted = Version.objects.get_deleted(Article).get(object_id=str(pk))
    recover_url = reverse("admin:articles_article_recover", args=[deleted.pk])
    html = recover_list.content.decode()
    assert "Recover me" in html
    assert recover_url in html

    page = admin_client.get(recover_url)
    assert page.status_code == 200
    response = admin_client.post(recover_url, form_data(page))

    assert response.status_code == 302
    article = Article.objects.get(pk=pk)
    assert article.title == "Recover me"
    assert article.status == Article.Status.IN_REVIEW
    assert list(article.sections.values_list("heading", flat=True)) == ["Intro"]
    assert Citation.objects.get(article=article).reference == reference
    assert list(article.faqs.values_list("question", flat=True)) == ["Why?"]


@pytest.mark.django_db
def test_history_compares_a_version_with_the_one_before_and_with_now(admin_client):
    article = make_article(title="Old title", sections=1, faqs=1)
    save_unchanged(admin_client, article)
    data = form_data(admin_client.get(change_url(article)))
    data |= {"sections-0-body": "<p>Body 1 rewritten in plain words.</p>", "title": "New title"}
    assert admin_client.post(change_url(article), data).status_code == 302

    first, second = Version.objects.get_for_object(article).order_by("pk")
    compare = reverse("admin:articles_article_compare", args=[article.pk])
    history = admin_client.get(history_url(article)).content.decode()
    assert f"{compare}?from={first.pk}&amp;to={second.pk}" in history
    assert f"{compare}?from={first.pk}" in history

    changes = admin_client.get(compare, {"from": first.pk, "to": second.pk}).content.decode()
    assert "Article: New title (changed)" in changes
    assert "<del>Old</del><ins>New</ins> title" in changes
    assert "Section: Heading 1 (changed)" in changes
    assert "Body <del>1.</del><ins>1 rewritten in plain words.</ins>" in changes
    assert "FAQ" not in changes  # unchanged parts are not listed

    data = form_data(admin_client.get(change_url(article))) | {"faqs-0-DELETE": "on"}
    assert admin_client.post(change_url(article), data).status_code == 302
    now = admin_client.get(compare, {"from": second.pk}).content.decode()
    assert "FAQ: Question 1? (removed)" in now
    assert "the article as it is now" in now


@pytest.mark.django_db
def test_compare_refuses_versions_of_another_article(admin_client):
    article, other = make_article(), make_article()
    save_unchanged(admin_client, other)
    version = Version.objects.get_for_object(other).get()
    compare = reverse("admin:articles_article_compare", args=[article.pk])
    assert admin_client.get(compare, {"from": version.pk}).status_code == 404
    assert admin_client.get(compare, {"from": "nonsense"}).status_code == 404


@pytest.mark.django_db
def test_experts_and_references_have_history(admin_client):
    expert, reference = make_expert(name="Deborah Lee"), make_reference()
    for name, obj in [("experts_expert", expert), ("articles_reference", reference)]:
        change = reverse(f"admin:{name}_change", args=[obj.pk])
        response = admin_client.post(change, form_data(admin_client.get(change)))
        assert response.status_code == 302, response.content
        assert Version.objects.get_for_object(obj).count() == 1
        history = admin_client.get(reverse(f"admin:{name}_history", args=[obj.pk]))
        version = Version.objects.get_for_object(obj).get()
        assert reverse(f"admin:{name}_revision", args=[obj.pk, version.pk]) in (
            history.content.decode()
        )


@pytest.mark.django_db
def test_article_never_saved_in_the_admin_can_still_be_recovered(admin_client):
    article = make_article(title="Loaded by a command", sections=2, faqs=1, status="draft")
    assert not Version.objects.get_for_object(article).exists()
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302

    deleted = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    assert deleted.revision.get_comment() == "Deleted."
    recover_url = reverse("admin:articles_article_recover", args=[deleted.pk])
    response = admin_client.post(recover_url, form_data(admin_client.get(recover_url)))

    assert response.status_code == 302
    restored = Article.objects.get(pk=article.pk)
    assert restored.title == "Loaded by a command"
    assert restored.sections.count() == 2
    assert restored.faqs.count() == 1


@pytest.mark.django_db
def test_bulk_delete_action_keeps_articles_recoverable(admin_client):
    first = make_article(title="First gone", status="draft")
    second = make_article(title="Second gone", status="draft")
    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    html = admin_client.get(reverse("admin:articles_article_recoverlist")).content.decode()
    assert "First gone" in html
    assert "Second gone" in html


@pytest.mark.django_db
def test_editor_cannot_republish_or_change_review_details_by_reverting(editor_client, admin_client):
    article = make_article(faqs=1)
    save_unchanged(admin_client, article)
    data = form_data(admin_client.get(change_url(article))) | {"status": "archived"}
    assert admin_client.post(change_url(article), data).status_code == 302
    published_version = Version.objects.get_for_object(article).order_by("pk").first()
    revision_url = reverse(
        "admin:articles_article_revision", args=[article.pk, published_version.pk]
    )

    page = editor_client.get(revision_url)
    assert page.status_code == 200
    response = editor_client.post(revision_url, form_data(page), follow=True)

    shown = [str(message) for message in response.context["messages"]]
    assert any(m.startswith("Only medical reviewers can restore this version") for m in shown)
    assert Article.objects.get(pk=article.pk).status == Article.Status.ARCHIVED


@pytest.mark.django_db
def test_editor_can_revert_a_content_change(editor_client):
    article = make_article(status=Article.Status.DRAFT, faqs=2)
    save_unchanged(editor_client, article)
    data = form_data(editor_client.get(change_url(article))) | {"faqs-1-DELETE": "on"}
    assert editor_client.post(change_url(article), data).status_code == 302
    first = Version.objects.get_for_object(article).order_by("pk").first()
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, first.pk])

    response = editor_client.post(revision_url, form_data(editor_client.get(revision_url)))

    assert response.status_code == 302
    assert article.faqs.count() == 2


@pytest.mark.django_db
def test_an_article_with_releases_cannot_be_deleted(admin_client):
    article = make_article(title="Was live")
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    page = admin_client.get(delete).content.decode()
    assert "Cannot delete article" in page
    admin_client.post(delete, {"post": "yes"})
    assert Article.objects.filter(pk=article.pk).exists()


@pytest.mark.django_db
def test_editor_cannot_recover_an_archived_article_as_published(editor_client, admin_client):
    article = make_article(title="Was draft", status="draft")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.ARCHIVED)
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    deleted = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    recover_url = reverse("admin:articles_article_recover", args=[deleted.pk])

    response = editor_client.post(
        recover_url, form_data(editor_client.get(recover_url)), follow=True
    )

    shown = [str(message) for message in response.context["messages"]]
    assert any(m.startswith("Only medical reviewers can restore this version") for m in shown)
    assert not Article.objects.filter(pk=article.pk).exists()
