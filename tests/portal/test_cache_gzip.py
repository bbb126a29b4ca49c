"""The page cache serves gzip to clients that accept it, compressed once when stored."""

import gzip
from unittest import mock

import pytest
from django.urls import reverse

from portal import cache as page_cache

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture(autouse=True)
def clinic_row(clinic):
    """Create the clinic settings first: the first page view would otherwise create them."""
    return clinic


def url(article):
    return reverse("articles:detail", kwargs={"slug": article.slug})


def test_gzip_clients_get_the_page_gzipped_and_others_as_it_is(client, article):
    plain = client.get(url(article))
    for response in (client.get(url(article), headers=GZIP), client.get(url(article))):
        assert "Accept-Encoding" in response["Vary"]
        assert "Cookie" in response["Vary"]

    zipped = client.get(url(article), headers=GZIP)
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert int(zipped["Content-Length"]) == len(zipped.content) < len(plain.content) / 2
    assert zipped["ETag"] != plain["ETag"]
    assert zipped["Content-Security-Policy"] == plain["Content-Security-Policy"]
    for headers in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0"}):
        response = client.get(url(article), headers=headers)
        assert not response.has_header("Content-Encoding")
        assert response.content == plain.content


def test_the_first_request_gets_gzip_too(client, article):
    response = client.get(url(article), headers=GZIP)

    assert response["Content-Encoding"] == "gzip"
    assert b"<h1" in gzip.decompress(response.content)


def test_a_hit_compresses_nothing(client, article):
    client.get(url(article))
    with mock.patch.object(page_cache.gzip, "compress") as compress:
        response = client.get(url(article), headers=GZIP)
    assert response["Content-Encoding"] == "gzip"
    compress.assert_not_called()


def test_gzipped_copy_revalidates_with_its_own_etag(client, article):
    zipped = client.get(url(article), headers=GZIP)

    again = client.get(url(article), headers=GZIP | {"If-None-Match": zipped["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == zipped["ETag"]
    assert "Accept-Encoding" in again["Vary"]
    head = client.head(url(article), headers=GZIP)
    assert head["Content-Encoding"] == "gzip"
    assert head["Content-Length"] == zipped["Content-Length"]
    assert head.content == b""


def test_staff_pages_are_never_compressed(admin_client, article):
    for _ in range(2):
        response = admin_client.get(url(article), headers=GZIP)
        assert not response.has_header("Content-Encoding")
        assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("deflate, gzip;q=0.5", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0", False),
        ("gzip;q=nonsense", False),
        ("br, deflate", False),
        ("", False),
    ],
)
def test_accept_encoding_is_read_with_its_quality(rf, header, accepted):
    request = rf.get("/", headers={"Accept-Encoding": header} if header else {})
    assert page_cache.accepts_gzip(request) is accepted
