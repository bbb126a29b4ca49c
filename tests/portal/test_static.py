"""Hashed static files are served by WhiteNoise with far-future cache headers."""

import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.test.client import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Collect the static files once for the module: collectstatic costs seconds."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST_STORAGES, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def test_hashed_static_files_get_far_future_cache_headers(collected):
    hashed = next(collected.glob("portal/site.*.css"))
    assert re.fullmatch(r"site\.[0-9a-f]{12}\.css", hashed.name)
    middleware = WhiteNoiseMiddleware(lambda request: None)
    request = RequestFactory().get(f"/static/portal/{hashed.name}")
    response = middleware(request)
    assert response.status_code == 200
    assert "max-age=315360000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]


def test_unhashed_static_names_get_a_short_cache_lifetime(collected):
    middleware = WhiteNoiseMiddleware(lambda request: None)
    response = middleware(RequestFactory().get("/static/portal/site.css"))
    assert response.status_code == 200
    assert "max-age=315360000" not in response.headers["Cache-Control"]
