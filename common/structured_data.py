"""schema.org structured data (JSON-LD) shared by every page: absolute addresses, site, lists."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from common import clinic

CONTEXT = "https://schema.org"


def configured_address():
    """Return the public address staff set in the clinic settings ("" if none)."""
    return clinic.setting("public_address", "")


def site_url():
    """Return the public address patients use: SITE_URL, else the clinic's setting, or ""."""
    return (settings.SITE_URL or configured_address() or "").rstrip("/")


def absolute_url(request, path):
    """Return path as an absolute URL on the public address, else on the request's own host."""
    if base := site_url():
        return base + path
    if request is None:
        return path
    return request.build_absolute_uri(path)


def with_absolute_url(request, data):
    """Return data with its url, a path, made absolute (keeping the keys' order)."""
    return data | {"url": absolute_url(request, data["url"])}


def web_site(request, clinic):
    """Return the WebSite for the home page, with its search action."""
    home = absolute_url(request, reverse("portal:home"))
    search = absolute_url(request, reverse("portal:search"))
    return {
        "@context": CONTEXT,
        "@type": "WebSite",
        "name": clinic.name,
        "inLanguage": translation.get_language(),
        "url": home,
        "potentialAction": {
            "@type": "SearchAction",
            "target": f"{search}?q={{search_term_string}}",
            "query-input": "required name=search_term_string",
        },
    }


def collection_page(request, name, about=None):
    """Return a CollectionPage for a list page (topic, tag, A–Z, experts)."""
    data = {
        "@context": CONTEXT,
        "@type": "CollectionPage",
        "name": name,
        "inLanguage": translation.get_language(),
        "url": absolute_url(request, request.path),
    }
    if about is not None:
        data["about"] = about
    return data
