"""The Infobutton endpoint: a diagnosis code from the health record finds the clinic's handouts."""

import datetime
import json
from urllib.parse import urlencode

import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.codes import ICD10CM, SNOMED_CT
from articles.models import Article, TopicCode
from tests.conftest import make_article, make_topic, publish

DEMO_SLUGS = {"magnesium-for-restless-leg-syndrome", "magnesium-and-restless-leg-syndrome-guide"}


def ask(client, code="G25.81", system=ICD10CM, response_type=None, **more):
    params = {"mainSearchCriteria.v.cs": system, "mainSearchCriteria.v.c": code}
    if response_type:
        params["knowledgeResponseType"] = response_type
    params |= {name.replace("__", "."): value for name, value in more.items()}
    return client.get(f"{reverse('portal:infobutton')}?{urlencode(params)}")


def feed_of(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def slugs(feed):
    return {entry.link.rstrip("/").rsplit("/", 1)[-1] for entry in feed.entries}


def json_feed(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["feed"]


def json_slugs(feed):
    return {entry["link"][0]["href"].rstrip("/").rsplit("/", 1)[-1] for entry in feed["entry"]}


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def add_code(topic, code, system=ICD10CM):
    return TopicCode.objects.create(topic=topic, system=system, code=code)


# --- Matching -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["G25.81", "g2581", " g25.81 ", "G2581"])
def test_demo_code_returns_both_demo_articles_as_atom(client, demo, code):
    response = ask(client, code)
    assert response.status_code == 200
    feed = feed_of(response)
    assert slugs(feed) == DEMO_SLUGS
    assert "ICD-10-CM G25.81" in feed.feed.subtitle
    terms = {tag.scheme: tag.term for tag in feed.feed.tags}
    assert terms["mainSearchCriteria.v.c"] == "G25.81"
    assert terms["matchedCode"] == "G25.81"
    entry = feed.entries[0]
    assert entry.title
    assert entry.summary
    assert entry.updated
    assert entry.portal_release == "1"
    assert entry.portal_lastreviewed


def test_demo_code_returns_both_demo_articles_as_json(client, demo):
    feed = json_feed(ask(client, "g2581", response_type="application/json"))
    assert json_slugs(feed) == DEMO_SLUGS
    assert feed["subtitle"]["_value"].startswith("Handouts for ICD-10-CM G25.81")
    assert feed["matchedCode"] == "G25.81"
    assert feed["matchedBy"] == "code"
    entry = feed["entry"][0]
    assert set(entry) >= {"title", "link", "id", "updated", "summary", "lang", "release"}
    assert entry["lang"] == "en"
    assert entry["release"] == 1
    assert datetime.date.fromisoformat(entry["lastReviewed"])
    assert {link["href"].rsplit("/", 2)[-2] for link in entry["link"][1:]} >= {"handout"}


def test_snomed_ct_code_finds_the_demo_articles(client, demo):
    feed = feed_of(ask(client, "32914008", system=SNOMED_CT))
    assert slugs(feed) == DEMO_SLUGS
    assert "SNOMED CT 32914008" in feed.feed.subtitle


def test_unknown_child_code_falls_back_to_its_parent_and_says_so(client, db):
    topic = make_topic(name="Movement disorders")
    add_code(topic, "G25.8")
    article = make_article(topics=[topic])
    feed = json_feed(ask(client, "G25.89", response_type="application/json"))
    assert json_slugs(feed) == {article.slug}
    assert feed["matchedCode"] == "G25.8"
    assert feed["matchedBy"] == "parent code"
    assert "nothing for that code, so for G25.8" in feed["subtitle"]["_value"]


def test_fallback_goes_up_to_the_category_only_where_a_topic_has_it(client, db):
    topic = make_topic()
    add_code(topic, "G25")
    article = make_article(topics=[topic])
    feed = json_feed(ask(client, "G25.89", response_type="application/json"))
    assert (json_slugs(feed), feed["matchedCode"]) == ({article.slug}, "G25")
    nothing = json_feed(ask(client, "G26.1", response_type="application/json"))
    assert (nothing["entry"], nothing["matchedCode"], nothing["matchedBy"]) == ([], "", "none")


def test_exact_code_wins_over_its_parent(client, db):
    parent, child = make_topic(), make_topic()
    add_code(parent, "G25")
    add_code(child, "G25.81")
    make_article(topics=[parent])
    specific = make_article(topics=[child])
    feed = json_feed(ask(client, "G25.81", response_type="application/json"))
    assert json_slugs(feed) == {specific.slug}


def test_display_name_is_searched_when_no_code_matches(client, demo):
    response = ask(
        client,
        "R25.2",
        response_type="application/json",
        mainSearchCriteria__v__dn="Restless legs syndrome",
    )
    feed = json_feed(response)
    assert json_slugs(feed)
    assert json_slugs(feed) <= DEMO_SLUGS
    assert feed["matchedBy"] == "display name"
    assert "Restless legs syndrome" in feed["subtitle"]["_value"]


def test_code_matching_nothing_is_a_valid_empty_feed(client, demo):
    response = ask(client, "A00")
    feed = feed_of(response)
    assert feed.entries == []
    assert "No handouts for ICD-10-CM A00" in feed.feed.subtitle


def test_spanish_request_gets_the_spanish_translation(client, demo):
    feed = json_feed(
        ask(
            client,
            response_type="application/json",
            informationRecipient__languageCode__c="es",
        )
    )
    assert json_slugs(feed) == {"magnesio-para-el-sindrome-de-piernas-inquietas"}
    assert feed["language"] == {"requested": "es", "served": "es", "fallback": False}


def test_spanish_request_falls_back_to_english_and_says_so(client, db):
    topic = make_topic()
    add_code(topic, "E11.9")
    article = make_article(topics=[topic])
    feed = json_feed(
        ask(
            client,
            "E11.9",
            response_type="application/json",
            informationRecipient__languageCode__c="es",
        )
    )
    assert json_slugs(feed) == {article.slug}
    assert feed["language"] == {"requested": "es", "served": "en", "fallback": True}
    assert "Spanish is not available yet" in feed["subtitle"]["_value"]
    atom = feed_of(ask(client, "E11.9", informationRecipient__languageCode__c="es"))
    assert "Spanish is not available yet" in atom.feed.subtitle


def test_results_are_capped_at_ten(client, db):
    topic = make_topic()
    add_code(topic, "E11.9")
    for _ in range(12):
        make_article(topics=[topic])
    assert len(json_feed(ask(client, "E11.9", response_type="application/json"))["entry"]) == 10


# --- Only live releases --------------------------------------------------------------------


def test_drafts_scheduled_and_archived_articles_never_appear(client, db):
    topic = make_topic()
    add_code(topic, "J45.909")
    live = make_article(topics=[topic], title="Asthma basics")
    make_article(topics=[topic], status=Article.Status.DRAFT)
    make_article(topics=[topic], status=Article.Status.ARCHIVED)
    scheduled = make_article(topics=[topic], status=Article.Status.DRAFT)
    publish(scheduled, go_live_at=timezone.now() + datetime.timedelta(days=3))
    feed = json_feed(ask(client, "J45.909", response_type="application/json"))
    assert json_slugs(feed) == {live.slug}


def test_entry_shows_the_live_release_not_the_working_copy(client, db):
    topic = make_topic()
    add_code(topic, "J45.909")
    article = make_article(topics=[topic], title="Reviewed title")
    Article.objects.filter(pk=article.pk).update(title="Unreviewed edit")
    article.refresh_from_db()
    publish(article, go_live_at=timezone.now() + datetime.timedelta(days=1))
    entry = json_feed(ask(client, "J45.909", response_type="application/json"))["entry"][0]
    assert entry["title"]["_value"] == "Reviewed title"
    assert entry["release"] == 1


# --- The clinicians' page ------------------------------------------------------------------


def test_html_page_lists_handouts_with_print_links(client, demo):
    response = ask(client, response_type="text/html")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1>") == 1
    for slug in DEMO_SLUGS:
        assert reverse("articles:handout", args=[slug]) in page
        assert reverse("articles:handout_pdf", args=[slug]) in page
    assert "Print handout" in page


# --- Bad input ----------------------------------------------------------------------------

BAD_REQUESTS = {
    "missing code system": {"mainSearchCriteria.v.c": "G25.81"},
    "unknown code system": {
        "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.103",
        "mainSearchCriteria.v.c": "250.33",
    },  # fmt: skip
    "missing code": {"mainSearchCriteria.v.cs": ICD10CM},
    "empty code": {"mainSearchCriteria.v.cs": ICD10CM, "mainSearchCriteria.v.c": ""},
    "huge code": {"mainSearchCriteria.v.cs": ICD10CM, "mainSearchCriteria.v.c": "G" * 10_000},
    "NUL in code": {"mainSearchCriteria.v.cs": ICD10CM, "mainSearchCriteria.v.c": "G25\x00.81"},
    "NUL in name": {
        "mainSearchCriteria.v.cs": ICD10CM,
        "mainSearchCriteria.v.c": "G25.81",
        "mainSearchCriteria.v.dn": "a\x00b",
    },  # fmt: skip
    "not ICD-10-CM": {"mainSearchCriteria.v.cs": ICD10CM, "mainSearchCriteria.v.c": "250.33"},
    "two dots": {"mainSearchCriteria.v.cs": ICD10CM, "mainSearchCriteria.v.c": "G2.5.81"},
    "letters for SNOMED": {
        "mainSearchCriteria.v.cs": SNOMED_CT,
        "mainSearchCriteria.v.c": "G25.81",
    },  # fmt: skip
    "short SNOMED": {"mainSearchCriteria.v.cs": SNOMED_CT, "mainSearchCriteria.v.c": "12345"},
    "unknown parameter": {
        "mainSearchCriteria.v.cs": ICD10CM,
        "mainSearchCriteria.v.c": "G25.81",
        "foo": "1",
    },  # fmt: skip
    "unknown language": {
        "mainSearchCriteria.v.cs": ICD10CM,
        "mainSearchCriteria.v.c": "G25.81",
        "informationRecipient.languageCode.c": "fr",
    },  # fmt: skip
}


@pytest.mark.parametrize("response_type", [None, "application/json", "text/html"])
@pytest.mark.parametrize("params", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_requests_answer_400_in_the_format_asked_for(client, db, params, response_type):
    if response_type:
        params = params | {"knowledgeResponseType": response_type}
    response = client.get(reverse("portal:infobutton"), params)
    assert response.status_code == 400
    if response_type == "application/json":
        assert json.loads(response.content)["error"]["message"]
    elif response_type == "text/html":
        assert 'role="alert"' in response.content.decode()
    else:
        assert response["Content-Type"].startswith("text/xml")
        assert b"<message>" in response.content


def test_repeated_parameters_answer_400(client, db):
    url = reverse("portal:infobutton")
    query = f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G25.81&mainSearchCriteria.v.c=G25.8"  # fmt: skip
    assert client.get(f"{url}?{query}").status_code == 400
    query = f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G25.81&knowledgeResponseType=text/xml&knowledgeResponseType=application/json"  # fmt: skip
    assert client.get(f"{url}?{query}").status_code == 400


@pytest.mark.parametrize("kind", ["application/javascript", "text/plain", "xml", "x" * 1000])
def test_unknown_response_type_answers_400_with_a_message(client, db, kind):
    response = ask(client, response_type=kind)
    assert response.status_code == 400
    assert b"knowledgeResponseType" in response.content


def test_hl7_context_parameters_are_accepted_and_ignored(client, demo):
    response = ask(
        client,
        response_type="application/json",
        patientPerson__administrativeGenderCode__c="F",
        age__v__v="45",
        age__v__u="a",
        taskContext__c__c="PROBLISTREV",
        informationRecipient="PAT",
        performer="PROV",
    )
    assert json_slugs(json_feed(response)) == DEMO_SLUGS


def test_control_characters_in_the_display_name_keep_the_feed_well_formed(client, db):
    response = ask(client, "A00", mainSearchCriteria__v__dn="cholera\x01\x0b")
    assert response.status_code == 200
    feed_of(response)


def test_post_is_not_allowed(client, db):
    assert client.post(reverse("portal:infobutton")).status_code == 405


# --- Caching -----------------------------------------------------------------------------


def test_answers_are_cached_and_revalidated_with_an_etag(client, demo, django_assert_num_queries):
    first = ask(client, response_type="application/json")
    assert first.status_code == 200
    assert "ETag" in first
    assert not first.cookies
    with django_assert_num_queries(0):
        again = ask(client, response_type="application/json")
    assert again.content == first.content
    url = first.wsgi_request.get_full_path()
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_topic_pages_never_show_codes_to_patients(client, demo):
    page = client.get(reverse("articles:topic", args=["restless-legs-syndrome"])).content
    assert b"G25.81" not in page.replace(b'"codeValue": "G25.81"', b"")
    assert b"32914008" not in page.replace(b'"codeValue": "32914008"', b"")
