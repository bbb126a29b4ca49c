"""Languages of the patient pages: English at today's addresses, Spanish under /es/.

The address alone decides the language. Pages are cached by address (portal/cache.py),
so a page must not change with the visitor's Accept-Language header or a cookie: this
middleware replaces Django's LocaleMiddleware, which would read both, mark responses
`Vary: Accept-Language` (uncacheable here) and may redirect.

The patient pages are wrapped in `language_prefixed()`; the admin, /healthz, robots.txt,
sitemap.xml and the feed are not, and answer only at their one address.
"""

import re

from django.conf import settings
from django.urls import URLResolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import translation
from django.utils.http import urlencode


class LanguagePrefixPattern:
    """Match "es/" (the active language's code) before a path; nothing for the default language.

    Django's LocalePrefixPattern does the same but may only be used in the root URLconf,
    and our portal namespace mixes prefixed pages with fixed addresses.
    """

    converters = {}

    @property
    def regex(self):
        return re.compile(re.escape(self.language_prefix))

    @property
    def language_prefix(self):
        language = translation.get_language() or settings.LANGUAGE_CODE
        return "" if language == settings.LANGUAGE_CODE else f"{language}/"

    def match(self, path):
        prefix = self.language_prefix
        if path.startswith(prefix):
            return path.removeprefix(prefix), (), {}
        return None

    def check(self):
        return []

    def describe(self):
        return f"'{self}'"

    def __str__(self):
        return self.language_prefix


def language_prefixed(*urls):
    """Return the URL patterns answering at /<language>/… for every language but the default."""
    return URLResolver(LanguagePrefixPattern(), list(urls))


def path_language(path):
    """Return the language an address is in: its prefix, else the default language."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


class PathLanguageMiddleware:
    """Show each page in the language of its address, and say which (Content-Language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = path_language(request.path_info)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def page_in(language, request, slugs=None):
    """Return the address of this page in another language, or None if it has none there.

    slugs: for an article page, {language: slug} of its live translations; an article
    with none in that language has no such page.
    """
    match = request.resolver_match
    if match is None or match.url_name is None:
        return None
    kwargs = dict(match.kwargs)
    if slugs is not None:
        if language not in slugs:
            return None
        kwargs["slug"] = slugs[language]
    try:
        with translation.override(language):
            url = reverse(match.view_name, args=match.args, kwargs=kwargs)
    except NoReverseMatch:
        return None
    if match.view_name == "portal:search" and request.GET.get("q"):
        url += "?" + urlencode({"q": request.GET["q"]})
    return url


def alternates(request, slugs=None):
    """Return [(code, name, address)] of this page in every language it exists in."""
    current = translation.get_language()
    pages = []
    for code, name in settings.LANGUAGES:
        if code == current:
            pages.append((code, name, request.path))
        elif url := page_in(code, request, slugs):
            pages.append((code, name, url))
    return pages
