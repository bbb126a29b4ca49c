"""The read-only content API: live articles, topics, experts and search, as JSON."""

import datetime
import json

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from articles.codes import SNOMED_CT
from articles.models import Article, TopicCode
from portal.api_http import parse_rate
from tests.conftest import make_article, make_clinic, make_expert, make_topic, publish

API = "/api/v1"


def get(client, path, **params):
    return client.get(f"{API}{path}", params)


def body(response, status=200):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


# --- Schema and docs ---------------------------------------------------------------------


def test_schema_is_valid_openapi_3_1(client, db):
    schema = body(client.get(f"{API}/openapi.json"))
    assert schema["openapi"].startswith("3.1.")
    validate(schema, cls=OpenAPIV31SpecValidator)
    assert set(schema["paths"]) >= {
        f"{API}/articles",
        f"{API}/articles/{{slug}}",
        f"{API}/topics",
        f"{API}/experts",
        f"{API}/search",
    }


def test_docs_page_uses_no_cdn_and_no_inline_script(client, db):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn." not in page
    assert "unpkg" not in page
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    for script in page.split("<script")[1:]:
        opening = script.split(">", 1)[0]
        assert "src=" in opening or 'type="application/json"' in opening


# --- Articles ----------------------------------------------------------------------------


def test_articles_list_only_live_releases(client, db):
    live = make_article(title="Live one")
    make_article(status=Article.Status.DRAFT)
    make_article(status=Article.Status.ARCHIVED)
    scheduled = make_article(status=Article.Status.DRAFT)
    publish(scheduled, go_live_at=timezone.now() + datetime.timedelta(days=2))
    data = body(get(client, "/articles"))
    assert data["count"] == 1
    assert [item["slug"] for item in data["results"]] == [live.slug]
    item = data["results"][0]
    assert item["title"] == "Live one"
    assert item["release"] == 1
    assert item["url"].endswith(f"/articles/{live.slug}/")
    assert item["handout_pdf_url"].endswith(f"/articles/{live.slug}/handout.pdf")


def test_articles_are_paged(client, db):
    for _ in range(5):
        make_article()
    data = body(get(client, "/articles", page=2, per_page=2))
    assert (data["count"], data["page"], len(data["results"])) == (5, 2, 2)
    assert "page=3" in data["next"]
    assert "page=1" in data["previous"]
    assert body(get(client, "/articles", page=9, per_page=2))["results"] == []


def test_articles_updated_since(client, db):
    old = make_article(publish_at=timezone.now() - datetime.timedelta(days=30))
    new = make_article(publish_at=timezone.now() - datetime.timedelta(hours=1))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    data = body(get(client, "/articles", updated_since=since))
    assert [item["slug"] for item in data["results"]] == [new.slug]
    assert old.slug in {i["slug"] for i in body(get(client, "/articles"))["results"]}


def test_article_list_costs_a_constant_number_of_queries(client, db, django_assert_num_queries):
    make_clinic()
    topic = make_topic()
    for _ in range(3):
        make_article(topics=[topic])
    caches["default"].clear()
    # count, page, topics, and the clinic settings (the public address for links), which
    # come from the cache once read
    with django_assert_num_queries(4):
        get(client, "/articles", per_page=50)
    for _ in range(3):
        make_article(topics=[topic])
    caches["default"].clear()
    with django_assert_num_queries(4):
        get(client, "/articles", per_page=50)


def test_article_detail_is_the_live_release_in_full(client, db):
    article = make_article(sections=2, quotes=1, citations=1, faqs=1, title="Reviewed")
    Article.objects.filter(pk=article.pk).update(title="Not reviewed yet")
    data = body(get(client, f"/articles/{article.slug}"))
    assert data["title"] == "Reviewed"
    assert [s["heading"] for s in data["sections"]] == ["Heading 1", "Heading 2"]
    assert data["sections"][0]["html"].startswith("<p>Body 1")
    assert data["faqs"][0]["question"] == "Question 1?"
    assert data["faqs"][0]["answer_html"] == "<p>Answer 1.</p>"
    assert data["citations"][0]["position"] == 1
    assert data["citations"][0]["ama"]
    assert data["quotes"][0]["expert"]["name"]
    assert data["reviewed_by"]["name"]


def test_article_html_is_sanitised(client, db):
    article = make_article()
    release = article.releases.get()
    content = release.content
    content["sections"][0]["body"] = '<p onclick="x()">Hi<script>alert(1)</script></p>'
    with connection.cursor() as cursor:  # releases are immutable: change the row behind its back
        cursor.execute(
            "UPDATE articles_release SET content = %s WHERE id = %s",
            [json.dumps(content), release.pk],
        )
    html = body(get(client, f"/articles/{article.slug}"))["sections"][0]["html"]
    assert html == "<p>Hi</p>"


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.ARCHIVED])
def test_unpublished_article_is_404_json(client, db, status):
    article = make_article(status=status)
    assert body(get(client, f"/articles/{article.slug}"), 404)["detail"]


def test_unknown_address_under_the_api_is_404_json(client, db):
    assert body(client.get(f"{API}/nothing/here"), 404)["detail"]


# --- Topics, experts, search ----------------------------------------------------------------


def test_topics_with_codes(client, demo):
    data = body(get(client, "/topics"))
    assert [topic["slug"] for topic in data] == ["restless-legs-syndrome"]
    codes = {(c["system_name"], c["code"]) for c in data[0]["codes"]}
    assert codes == {("ICD-10-CM", "G25.81"), ("SNOMED CT", "32914008")}
    assert data[0]["article_count"] == 3  # the two English demo articles and the Spanish one
    detail = body(get(client, "/topics/restless-legs-syndrome"))
    assert len(detail["articles"]) == 3, [a.get("slug") for a in detail["articles"]]


def test_topic_codes_change_shows_at_once(client, demo):
    body(get(client, "/topics"))  # now in the page cache
    topic = TopicCode.objects.first().topic
    TopicCode.objects.create(topic=topic, system=SNOMED_CT, code="1234567")
    codes = {c["code"] for c in body(get(client, "/topics"))[0]["codes"]}
    assert "1234567" in codes


def test_experts(client, db):
    make_expert(name="Ana Ruiz", credentials="MD")
    data = body(get(client, "/experts"))
    assert [e["name"] for e in data] == ["Dr Ana Ruiz"]
    assert body(get(client, f"/experts/{data[0]['slug']}"))["credentials"] == "MD"


def test_search_finds_live_articles(client, demo):
    data = body(get(client, "/search", q="magnesium"))
    assert data["count"] >= 2
    slugs = {r["article"]["slug"] for r in data["results"] if r["kind"] == "article"}
    assert slugs == {
        "magnesium-for-restless-leg-syndrome",
        "magnesium-and-restless-leg-syndrome-guide",
    }


def test_search_never_finds_drafts(client, db):
    make_article(title="Zebrafish draft", status=Article.Status.DRAFT)
    assert body(get(client, "/search", q="zebrafish"))["results"] == []


# --- Bad input ----------------------------------------------------------------------------

BAD = [
    ("/articles", {"page": "-1"}),
    ("/articles", {"page": "0"}),
    ("/articles", {"page": "abc"}),
    ("/articles", {"page": "1e9"}),
    ("/articles", {"page": "99999999999999999999999"}),
    ("/articles", {"per_page": "1000"}),
    ("/articles", {"per_page": "0"}),
    ("/articles", {"updated_since": "yesterday"}),
    ("/articles", {"updated_since": "0.5"}),
    ("/articles", {"updated_since": "1700000000"}),
    ("/articles", {"updated_since": "2026-13-45T99:00:00Z"}),
    ("/articles", {"unknown": "1"}),
    ("/articles/bad%00slug", {}),
    ("/articles/" + "a" * 300, {}),
    ("/search", {}),
    ("/search", {"q": "a\x00b"}),
    ("/search", {"q": "x" * 10_000}),
    ("/topics", {"page": "1"}),
]


@pytest.mark.parametrize(("path", "params"), BAD)
def test_bad_input_answers_400_json(client, db, path, params):
    assert body(get(client, path, **params), 400)["detail"]


def test_repeated_parameter_answers_400(client, db):
    assert body(client.get(f"{API}/articles?page=1&page=2"), 400)["detail"]


def test_post_is_not_allowed(client, db):
    assert client.post(f"{API}/articles").status_code == 405


def test_extreme_dates_are_not_errors(client, db):
    make_article()
    for value in ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-01-01"]:
        body(get(client, "/articles", updated_since=value))


# --- Caching, rate limit, CORS ---------------------------------------------------------------


def test_responses_are_cacheable_with_etag(client, db, django_assert_num_queries):
    make_clinic()
    make_article()
    first = get(client, "/articles")
    assert "ETag" in first
    assert first["Cache-Control"] == "max-age=0, public"
    assert not first.cookies
    assert first.get("Vary", "Cookie") in ("Cookie", "Cookie, Accept-Encoding")  # gzip copy
    with django_assert_num_queries(0):
        again = get(client, "/articles")
    assert again.content == first.content
    not_modified = client.get(f"{API}/articles", headers={"If-None-Match": first["ETag"]})
    assert not_modified.status_code == 304


def test_etag_without_the_page_cache(client, db, without_page_cache):
    make_article()
    first = get(client, "/articles")
    assert first["Cache-Control"] == "max-age=0, public"
    assert client.get(f"{API}/articles", headers={"If-None-Match": first["ETag"]}).status_code == 304  # fmt: skip


def test_rate_limit_answers_429_with_retry_after(client, db, settings):
    settings.API_RATE_LIMIT = "3/60"
    statuses = [get(client, "/topics").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # cached answers count too
    limited = get(client, "/topics")
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "Too many requests" in body(limited, 429)["detail"]
    other = client.get(f"{API}/topics", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_rate_limit_does_not_touch_pages(client, db, settings):
    settings.API_RATE_LIMIT = "1/60"
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]


def test_cors_is_off_by_default(client, db):
    response = get(client, "/topics", HTTP_ORIGIN="https://ehr.example.org")
    assert "Access-Control-Allow-Origin" not in response


def test_cors_allows_only_the_configured_origins(client, db, settings):
    settings.API_CORS_ORIGINS = ["https://ehr.example.org"]
    allowed = client.get(f"{API}/topics", headers={"Origin": "https://ehr.example.org"})
    assert allowed["Access-Control-Allow-Origin"] == "https://ehr.example.org"
    assert "Origin" in allowed["Vary"]
    other = client.get(f"{API}/topics", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        f"{API}/topics",
        headers={"Origin": "https://ehr.example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_head_answers_headers_only(client, db):
    make_article()
    response = client.head(f"{API}/articles")
    assert response.status_code == 200
    assert response.content == b""


def test_rate_limit_counts_the_forwarded_address_behind_a_proxy(client, db, settings):
    settings.API_RATE_LIMIT = "1/60"
    settings.PROXY_COUNT = 1
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.7", "REMOTE_ADDR": "10.0.0.1"}
    second = {"HTTP_X_FORWARDED_FOR": "203.0.113.8", "REMOTE_ADDR": "10.0.0.1"}
    assert client.get(f"{API}/topics", **first).status_code == 200
    assert client.get(f"{API}/topics", **first).status_code == 429
    assert client.get(f"{API}/topics", **second).status_code == 200


@pytest.mark.parametrize(("text", "expected"), [("120/60", (120, 60)), ("0", (0, 0)), ("", (0, 0))])
def test_rate_setting_is_read_as_requests_per_seconds(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["fast", "10/0", "-1/60"])
def test_a_rate_setting_that_cannot_be_read_is_refused(text):
    with pytest.raises(ValueError, match="API_RATE_LIMIT"):
        parse_rate(text)
