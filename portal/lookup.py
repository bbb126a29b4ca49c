"""Find live articles for a diagnosis code, or for words: the one rule that the Infobutton,
the content API and the admin's "Find handouts by code" box share.

A code matches the topics that carry it; an ICD-10-CM code that matches nothing falls
back to its parents in turn (G25.81, then G25.8, then G25). When no code matches, the
display name from the health record, if any, is searched for as words. Only live
releases are ever returned.
"""

from dataclasses import dataclass, field

from django.urls import Resolver404, resolve

from articles import codes
from articles.models import Release, Topic
from portal.search import parse_query
from portal.search_backends import matches

MAX_RESULTS = 10
LANGUAGES = {"en": "English", "es": "Spanish"}
DEFAULT_LANGUAGE = "en"


@dataclass
class Found:
    """What a lookup found, and how: the response says which code matched."""

    system: str
    code: str  # the code asked for, normalised
    language: str  # the language asked for
    releases: list = field(default_factory=list)  # live releases, most relevant first
    matched_code: str = ""  # the code (or parent code) that matched, "" if none did
    matched_text: str = ""  # the words searched when no code matched, "" if not searched
    language_fallback: bool = False  # nothing in the language asked for: English instead

    @property
    def system_name(self):
        return codes.SYSTEM_NAMES[self.system]

    @property
    def served_language(self):
        return DEFAULT_LANGUAGE if self.language_fallback else self.language


def candidate_codes(system, code):
    """Return the codes to try in turn: the code itself, then ICD-10-CM parents."""
    return codes.parents(code) if system == codes.ICD10CM else [code]


def releases_for_code(system, code):
    """Return the live releases of articles on topics carrying the code, best first."""
    topics = Topic.objects.filter(codes__system=system, codes__code=code).values("pk")
    return list(
        Release.objects.live()
        .filter(article__topics__in=topics)
        .distinct()
        .select_related("article")
        .defer("content", "rendered")
        .order_by("-article__featured", "-go_live_at", "pk")
    )


def search_releases(text, limit=MAX_RESULTS):
    """Return the live releases whose articles match the words in text, best first."""
    _, found = search_page(text, limit)
    return [release for kind, release in found if kind == "article"]


def search_page(text, limit, offset=0):
    """Return (number of matches, [(kind, live release or expert result)]) for a page.

    The one call into portal.search: when search becomes a package with one entry point,
    only this function changes.
    """
    query = parse_query(text)
    if not query.terms:
        return 0, []
    found = matches(query)
    if not found.count() and len(query.terms) > 1:
        found = matches(query, any_word=True)
    results = found[offset : offset + limit]
    slugs = [slug for slug in map(article_slug, results) if slug]
    live = Release.objects.live().for_listing().filter(article__slug__in=slugs)
    by_slug = {release.article.slug: release for release in live}
    page = []
    for result in results:
        slug = article_slug(result)
        if slug is None:
            page.append(("expert", result))
        elif slug in by_slug:  # unless it stopped being live since the search
            page.append(("article", by_slug[slug]))
    return found.count(), page


def article_slug(result):
    """Return the slug of an article search result, or None for an expert."""
    if result.kind != "article":
        return None
    try:
        return resolve(result.url).kwargs.get("slug")
    except Resolver404:
        return None


def in_language(releases, language):
    """Return (releases in the language, fell back to English?)."""
    chosen = [release for release in releases if release.language == language]
    if chosen or language == DEFAULT_LANGUAGE:
        return chosen, False
    return [release for release in releases if release.language == DEFAULT_LANGUAGE], True


def find(system, code, display_name="", language=DEFAULT_LANGUAGE):
    """Return what a code (normalised) finds: its topics' live articles, else its parents',
    else the display name searched as words; at most MAX_RESULTS, in the language asked
    for or else in English."""
    found = Found(system=system, code=code, language=language)
    for candidate in candidate_codes(system, code):
        releases = releases_for_code(system, candidate)
        if releases:
            found.matched_code = candidate
            break
    else:
        releases = []
        if display_name.strip():
            found.matched_text = display_name.strip()
            releases = search_releases(found.matched_text, MAX_RESULTS * 2)
    found.releases, found.language_fallback = in_language(releases, language)
    found.releases = found.releases[:MAX_RESULTS]
    return found
