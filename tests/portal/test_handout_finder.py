"""The admin's "Find handouts by code" box: front desk types a code, prints the handouts."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article
from tests.conftest import make_article, make_staff

URL = reverse("find_handouts")
DEMO_SLUGS = ["magnesium-for-restless-leg-syndrome", "magnesium-and-restless-leg-syndrome-guide"]


@pytest.fixture
def front_desk(client, db):
    user = make_staff()
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(user)
    return client


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize(("code", "system"), [("G25.81", ""), ("g2581", ""), ("32914008", "")])
def test_code_finds_the_live_articles_with_print_buttons(front_desk, demo, code, system):
    page = front_desk.get(URL, {"code": code, "system": system}).content.decode()
    for slug in DEMO_SLUGS:
        assert reverse("articles:handout", args=[slug]) in page
        assert reverse("articles:handout_pdf", args=[slug]) in page


def test_child_code_says_which_parent_matched(front_desk, demo):
    page = front_desk.get(URL, {"code": "G25.819"}).content.decode()
    assert "handouts for G25.81" in page


def test_drafts_are_not_offered(front_desk, demo):
    Article.objects.filter(slug=DEMO_SLUGS[0]).update(status=Article.Status.ARCHIVED)
    make_article(status=Article.Status.DRAFT)
    page = front_desk.get(URL, {"code": "G25.81"}).content.decode()
    assert reverse("articles:handout", args=[DEMO_SLUGS[0]]) not in page
    assert reverse("articles:handout", args=[DEMO_SLUGS[1]]) in page


@pytest.mark.parametrize(
    "params",
    [{"code": "not a code"}, {"code": "x" * 10_000}, {"code": "G25.81", "system": "nonsense"}],
)
def test_bad_codes_show_a_form_error(front_desk, db, params):
    response = front_desk.get(URL, params)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_staff_without_the_view_permission_are_refused(client, db):
    client.force_login(make_staff())
    assert client.get(URL, {"code": "G25.81"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_index_links_to_the_box(front_desk):
    assert URL in front_desk.get(reverse("admin:index")).content.decode()
