"""Template tags for the languages of a page: hreflang alternates and the language link."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from common.structured_data import absolute_url
from portal import languages

register = template.Library()


@register.simple_tag(takes_context=True)
def page_languages(context):
    """Return this page's languages: `alternates` (for hreflang) and `links` (to the others).

    An article page passes `language_slugs` ({language: slug} of its live translations);
    an article without a translation links to the other language's home page, unless it
    sets `language_home_links` to False (a translation whose source is not live).
    """
    request = context.get("request")
    if request is None:
        return {"alternates": [], "links": []}
    slugs = context.get("language_slugs")
    pages = languages.alternates(request, slugs)
    found = {code for code, _, _ in pages}
    current = translation.get_language()
    links = [
        {"code": code, "name": name, "url": url} for code, name, url in pages if code != current
    ]
    for code, name in settings.LANGUAGES:
        if code not in found and context.get("language_home_links", True):
            with translation.override(code):
                links.append({"code": code, "name": name, "url": reverse("portal:home")})
    alternates = [{"code": code, "url": absolute_url(request, url)} for code, _, url in pages]
    return {"alternates": alternates if len(alternates) > 1 else [], "links": links}
