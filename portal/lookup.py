"""Find live articles for a diagnosis code, or for words: the one rule that the Infobutton,
the content API and the admin's "Find handouts by code" box share.

A code matches the topics that carry it; an ICD-10-CM code that matches nothing falls
back to its parents in turn (G25.81, then G25.8, then G25). When no code matches, the
display name from the health record, if any, is searched for as words. Only live
releases are ever returned.
"""

from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects

import search
from articles import codes
from articles.models import Release, Topic

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
    _, found, _ = search_page(text, limit)
    return [release for kind, release in found if kind == "article"]


def search_page(text, limit, offset=0, suggest=False):
    """Return (number of matches, [(kind, live release or expert)], suggestion) for a page.

    The one call into search: search.run() (its count stops at 1,000, "more than"); the
    suggestion ("Did you mean …?", or "") only if asked for.
    """
    number = offset // limit + 1
    results = search.run(text, page=number, per_page=limit, suggest=suggest)
    if results.number != number:  # past the last page: nothing, as an empty slice
        return results.total, [], results.suggestion
    releases = [item.release for item in results if item.kind == "article"]
    prefetch_related_objects([release.article for release in releases], "topics")
    page = [(item.kind, item.release or item.expert) for item in results]
    return results.total, page, results.suggestion


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
