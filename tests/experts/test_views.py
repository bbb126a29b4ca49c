"""The public expert pages: the list and each expert's page."""

import pytest
from django.urls import reverse

from articles.models import Article, Quote
from experts.models import ExpertLink
from tests.conftest import make_article, make_expert, publish
from tests.pages import h1_count, html, ld_of_type, queries_for_1_and_50

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]


def test_expert_list_shows_each_expert_with_credentials_and_role(client):
    expert = make_expert(
        name="Roxana Ehsani", honorific="", credentials="MS, RDN", role="Dietitian"
    )
    response = client.get(reverse("experts:list"))
    assert response.status_code == 200
    assert h1_count(response) == 1
    assert f'<a href="{expert.get_absolute_url()}">Roxana Ehsani, MS, RDN</a>' in html(response)
    assert "Dietitian" in html(response)
    assert ld_of_type(response, "CollectionPage")["name"] == "Our experts"


def test_expert_page_shows_bio_credentials_and_links(client):
    expert = make_expert(
        name="Deborah Lee",
        credentials="MBBS",
        role="Physician",
        affiliation="Dr Fox Online Pharmacy",
        bio="<p>Worked for many years in the NHS.</p>",
    )
    ExpertLink.objects.create(expert=expert, label="Profile", url="https://example.org/lee")
    response = client.get(expert.get_absolute_url())
    page = html(response)
    assert response.status_code == 200
    assert h1_count(response) == 1
    assert "<h1>Dr Deborah Lee, MBBS</h1>" in page
    assert "Worked for many years in the NHS." in page
    assert "Dr Fox Online Pharmacy" in page
    assert '<a href="https://example.org/lee">Profile</a>' in page


def test_expert_page_json_ld_is_a_person(client):
    expert = make_expert(name="Deborah Lee", role="Physician", bio="<p>NHS doctor.</p>")
    ExpertLink.objects.create(expert=expert, label="Profile", url="https://example.org/lee")
    person = ld_of_type(client.get(expert.get_absolute_url()), "Person")
    assert person["name"] == "Deborah Lee"
    assert person["honorificPrefix"] == "Dr"
    assert person["jobTitle"] == "Physician"
    assert person["description"] == "NHS doctor."
    assert person["sameAs"] == ["https://example.org/lee"]
    assert person["url"] == f"http://testserver{expert.get_absolute_url()}"


def test_expert_page_lists_published_articles_they_reviewed_wrote_or_are_quoted_in(client):
    expert = make_expert()
    reviewed = make_article(title="Reviewed one", reviewed_by=expert)
    written = make_article(title="Written one", author=expert)
    quoted = make_article(title="Quoted one")
    Quote.objects.create(article=quoted, position=1, expert=expert, text="Twice.")
    Quote.objects.create(article=quoted, position=2, expert=expert, text="Quoted.")
    publish(quoted)
    make_article(title="Someone else's")
    make_article(title="Draft one", reviewed_by=expert, status=Article.Status.DRAFT)
    page = html(client.get(expert.get_absolute_url()))
    for article in (reviewed, written, quoted):
        assert page.count(f'<a href="{article.get_absolute_url()}">') == 1
    assert "Someone else" not in page
    assert "Draft one" not in page


def test_unknown_expert_returns_404(client):
    assert client.get("/experts/nobody/").status_code == 404


@pytest.mark.parametrize(
    ("path", "expected"), [("/experts/", [1, 1]), ("/experts/{expert}/", [4, 4])]
)
def test_expert_pages_query_count_is_constant(client, path, expected):
    assert queries_for_1_and_50(client, path) == expected
