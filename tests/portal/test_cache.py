"""The page cache: anonymous visitors share cached pages; edits show on the next request."""

import contextlib
import datetime
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.template import engines
from django.template.loaders import cached
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from portal import cache as page_cache
from tests.conftest import make_article, make_clinic, make_expert, make_topic, publish

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
)


@pytest.fixture(autouse=True)
def clinic_row(clinic):
    """Create the clinic settings first: the first page view would otherwise create them."""
    return clinic


# TEST_REDIS_URL=redis://127.0.0.1:6379/15 also runs these tests against Redis; the
# tests empty that database.
BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache"},
}


@pytest.fixture(
    params=[name for name in BACKENDS if name != "redis" or "TEST_REDIS_URL" in os.environ]
)
def backend(request, settings, tmp_path):
    """Run a test with the per-process cache, a shared one (as Redis is), and Redis."""
    config = dict(BACKENDS[request.param])
    if request.param == "shared":
        config["LOCATION"] = str(tmp_path / "shared-cache")
    elif request.param == "redis":
        config["LOCATION"] = os.environ["TEST_REDIS_URL"]
    settings.CACHES = {"default": config}
    caches["default"].clear()
    yield request.param
    caches["default"].clear()


def url(article):
    return reverse("articles:detail", kwargs={"slug": article.slug})


def key_for(path, **headers):
    """Return the page cache's key for path as the test client asks for it."""
    return page_cache.page_key(RequestFactory().get(path, headers=headers))


def stored(path, **headers):
    return caches["default"].get(key_for(path, **headers)) is not None


def current_generation():
    middleware = page_cache.PageCacheMiddleware(lambda request: None)
    return middleware.lookup(caches["default"], key_for("/"))[0]


def get(client, path, **headers):
    return client.get(path, headers=headers)


def test_second_anonymous_request_is_served_without_queries(
    client, article, backend, django_assert_num_queries
):
    first = get(client, url(article))
    with django_assert_num_queries(0):
        second = get(client, url(article))
    assert second.status_code == 200
    assert second.content == first.content
    assert article.title in second.content.decode()


def published_edit(article):
    setattr_save(article.sections.first(), "body", "<p>A brand new paragraph.</p>")
    publish(article, note="New paragraph.")


# What patients see change: a new release, and what pages show live.
EDITS = {
    "new release": published_edit,
    "clinic name": lambda a: setattr_save(make_clinic(), "name", "A brand new clinic"),
    "topic name": lambda a: setattr_save(a.topics.first(), "name", "A brand new topic"),
    "added tag": lambda a: a.tags.add("A brand new tag"),
}


# Working-copy edits change nothing patients see: the cached page stays.
UNSEEN_EDITS = {
    "section body": lambda a: setattr_save(
        a.sections.first(), "body", "<p>A brand new paragraph.</p>"
    ),
    "FAQ question": lambda a: setattr_save(a.faqs.first(), "question", "A brand new question?"),
    "reference title": lambda a: setattr_save(
        a.citations.first().reference, "title", "A brand new study"
    ),
}


@pytest.mark.parametrize("edit", UNSEEN_EDITS)
def test_working_copy_edits_keep_the_cached_page(
    client, backend, edit, django_capture_on_commit_callbacks, django_assert_num_queries
):
    article = make_article(sections=2, citations=1, faqs=1)
    before = get(client, url(article)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        UNSEEN_EDITS[edit](Article.objects.get(pk=article.pk))
    with django_assert_num_queries(0):
        assert get(client, url(article)).content.decode() == before


def setattr_save(obj, field, value):
    setattr(obj, field, value)
    obj.save()


@pytest.mark.parametrize("edit", EDITS)
def test_edit_shows_on_the_next_anonymous_request(
    client, backend, edit, django_capture_on_commit_callbacks
):
    article = make_article(sections=2, citations=1, faqs=1, topics=[make_topic()], tags=["x"])
    before = get(client, url(article)).content.decode()
    assert "A brand new" not in before
    assert get(client, url(article)).content.decode() == before  # cached

    with django_capture_on_commit_callbacks(execute=True):
        EDITS[edit](Article.objects.get(pk=article.pk))

    assert "A brand new" in get(client, url(article)).content.decode()


@pytest.mark.django_db(transaction=True)
def test_page_rendered_from_old_rows_before_the_commit_is_not_served_after_it(client, backend):
    """Until the admin's save commits, another worker may render and store the old rows."""
    article = make_article()
    old = get(client, url(article))
    with transaction.atomic():
        setattr_save(article, "title", "A brand new title")
        publish(article, note="New title.")
        # What another worker would store now: the old page, in the current generation.
        generation = current_generation()
        caches["default"].set(
            key_for(url(article)), (generation, page_cache.header_store(old), old.content)
        )
        assert get(client, url(article)).content == old.content
    assert "A brand new title" in get(client, url(article)).content.decode()


def test_edit_in_another_process_empties_this_process_cache(client, article, tmp_path):
    get(client, url(article))
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"} | {
        "PAGE_CACHE_STAMP_FILE": settings.PAGE_CACHE_STAMP_FILE,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}",
        "CACHE_URL": "locmem://",
    }
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from portal import cache; cache.invalidate()",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    with CaptureQueriesContext(connection) as queries:
        assert get(client, url(article)).status_code == 200
    assert len(queries) > 0  # rendered again, not served from this process's memory


def test_staff_preview_of_a_draft_never_reaches_anonymous_visitors(admin_client, client, backend):
    draft = make_article(status=Article.Status.DRAFT, title="Secret draft")
    preview = admin_client.get(url(draft))
    assert preview.status_code == 200
    assert "Secret draft" in preview.content.decode()
    assert "private" in preview["Cache-Control"]
    assert not stored(url(draft))

    anonymous = get(client, url(draft))
    assert anonymous.status_code == 404
    assert "Secret draft" not in anonymous.content.decode()


def test_staff_never_get_the_shared_copy(admin_client, client, backend, django_assert_num_queries):
    article = make_article(status=Article.Status.PUBLISHED)
    get(client, url(article))
    staff = admin_client.get(url(article))
    assert staff.status_code == 200
    assert "private" in staff["Cache-Control"]
    assert "public" not in staff["Cache-Control"]
    assert "Cookie" in staff["Vary"]
    with django_assert_num_queries(0):
        get(client, url(article))  # the anonymous copy is still there


def test_logged_in_responses_are_private_and_not_stored(admin_client, backend):
    article = make_article()
    staff = admin_client.get(url(article))
    assert staff.status_code == 200
    assert "private" in staff["Cache-Control"]
    assert not stored(url(article))


def test_if_none_match_gets_304_from_the_cache(client, article, backend, django_assert_num_queries):
    first = get(client, url(article))
    etag = first["ETag"]
    with django_assert_num_queries(0):
        again = get(client, url(article), if_none_match=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert "Cookie" in again["Vary"]


def test_if_none_match_on_the_first_request_gets_304(client, article, backend):
    etag = get(client, url(article))["ETag"]
    caches["default"].clear()
    assert get(client, url(article), if_none_match=etag).status_code == 304


def test_old_etag_gets_the_new_page_after_an_edit(client, article, backend):
    etag = get(client, url(article))["ETag"]
    setattr_save(article, "title", "A brand new title")
    publish(article, note="New title.")
    response = get(client, url(article), if_none_match=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "A brand new title" in response.content.decode()


def test_cached_page_keeps_security_headers(client, article, backend):
    first = get(client, url(article))
    hit = get(client, url(article))
    for header in SECURITY_HEADERS:
        assert hit[header] == first[header], header
    assert "script-src 'self'" in hit["Content-Security-Policy"]
    assert hit["X-Content-Type-Options"] == "nosniff"


def test_public_pages_vary_on_cookie_and_ask_browsers_to_revalidate(client, article, backend):
    for response in (get(client, url(article)), get(client, url(article))):
        assert "Cookie" in response["Vary"]
        assert response["Cache-Control"] == "max-age=0, public"
        assert response["ETag"].startswith('"')
        assert int(response["Content-Length"]) == len(response.content)


def test_head_is_answered_from_the_cache_without_a_body(
    client, article, backend, django_assert_num_queries
):
    full = get(client, url(article))
    with django_assert_num_queries(0):
        head = client.head(url(article))
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(full.content))


def test_each_query_string_is_its_own_page(client, article, backend):
    handout = reverse("articles:handout", kwargs={"slug": article.slug})
    normal = get(client, handout).content.decode()
    large = get(client, handout + "?size=large").content.decode()
    assert 'class="handout-doc large"' in large
    assert 'class="handout-doc large"' not in normal
    assert get(client, handout).content.decode() == normal
    assert get(client, handout + "?size=large").content.decode() == large


def test_each_host_is_its_own_page(client, article, backend, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    one = client.get(url(article), HTTP_HOST="one.example").content.decode()
    two = client.get(url(article), HTTP_HOST="two.example").content.decode()
    assert "https://two.example/" in two or "http://two.example/" in two
    assert "one.example" not in two
    assert "two.example" not in one


def test_host_not_allowed_is_refused_and_not_stored(client, article, backend):
    for _ in range(2):
        assert get(client, url(article), host="evil.example").status_code == 400
    assert not stored(url(article), host="evil.example")


def test_scheduled_article_appears_when_its_time_comes(client, backend, django_assert_num_queries):
    make_article(title="Already out")
    publish_at = timezone.now() + datetime.timedelta(seconds=30)
    make_article(title="Coming soon", publish_at=publish_at)
    page_cache.new_generation()  # as the commit would
    home = reverse("portal:home")
    assert "Coming soon" not in get(client, home).content.decode()

    with clock_at(publish_at - datetime.timedelta(seconds=1)), django_assert_num_queries(0):
        assert "Coming soon" not in get(client, home).content.decode()
    with clock_at(publish_at):
        assert "Coming soon" in get(client, home).content.decode()


@contextlib.contextmanager
def clock_at(moment):
    """Pretend the time is moment, for the page cache and for the views."""
    with (
        mock.patch("portal.cache.time.time", return_value=moment.timestamp()),
        mock.patch("django.utils.timezone.now", return_value=moment),
    ):
        yield


def test_generation_ends_at_the_next_scheduled_publish_time_or_midnight(db):
    now = timezone.now()
    midnight = datetime.datetime.combine(
        timezone.localdate(now) + datetime.timedelta(days=1),
        datetime.time(),
        tzinfo=timezone.get_current_timezone(),
    )
    assert page_cache.content_expiry(now) == midnight.timestamp()
    soon = now + datetime.timedelta(minutes=5)
    make_article(publish_at=soon)
    make_article(status=Article.Status.DRAFT, publish_at=now + datetime.timedelta(minutes=1))
    assert page_cache.content_expiry(now) == soon.timestamp()


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",  # never_cache
        "/admin/login/",  # sets the CSRF cookie
        "/no-such-page/",  # not found
    ],
)
def test_responses_that_must_not_be_shared_are_not_stored(client, backend, path):
    get(client, path)
    response = get(client, path)
    assert not stored(path)
    assert "public" not in response.get("Cache-Control", "")


def test_healthz_always_asks_the_database(client, backend, django_assert_num_queries):
    get(client, "/healthz")
    with django_assert_num_queries(1):
        assert get(client, "/healthz").status_code == 200


def test_uncached_article_page_stays_within_five_queries(
    client, settings, django_assert_max_num_queries
):
    """A page-cache miss costs at most 5 queries (3 pinned in tests/articles/test_rendering.py)."""
    settings.PAGE_CACHE = False
    article = make_article(sections=20, quotes=5, citations=20, faqs=20, topics=[make_topic()])
    make_clinic()
    assert get(client, url(article)).status_code == 200
    with django_assert_max_num_queries(5):
        response = get(client, url(article))
    assert response.status_code == 200
    assert "Heading 20" in response.content.decode()


def test_expert_edit_shows_on_the_expert_page(client, backend):
    expert = make_expert(name="Old Name")
    path = expert.get_absolute_url()
    assert "Old Name" in get(client, path).content.decode()
    setattr_save(expert, "name", "New Name")
    assert "New Name" in get(client, path).content.decode()


def test_topic_and_expert_translations_show_on_the_next_request(client, backend):
    from articles.models import TopicTranslation
    from experts.models import ExpertTranslation

    topic = make_topic(name="Gout")
    expert = make_expert(role="Rheumatologist")
    make_article(language="es", topics=[topic], reviewed_by=expert)
    assert "Gout" in get(client, "/es/topics/").content.decode()
    assert "Rheumatologist" in get(client, f"/es/experts/{expert.slug}/").content.decode()
    TopicTranslation.objects.create(topic=topic, language="es", name="Gota")
    ExpertTranslation.objects.create(expert=expert, language="es", role="Reumatóloga")
    assert "Gota" in get(client, "/es/topics/").content.decode()
    assert "Reumatóloga" in get(client, f"/es/experts/{expert.slug}/").content.decode()


def test_templates_are_compiled_once_per_process():
    loader = engines["django"].engine.template_loaders[0]
    assert isinstance(loader, cached.Loader)


def test_page_cache_can_be_turned_off(client, article, settings):
    settings.PAGE_CACHE = False
    get(client, url(article))
    with CaptureQueriesContext(connection) as queries:
        response = get(client, url(article))
    assert response.status_code == 200
    assert len(queries) > 0
    assert "ETag" not in response
