"""The read-only content API under /api/v1/: live articles, topics, experts and search.

Built with django-ninja: the endpoints' types make the OpenAPI 3.1 schema
(/api/v1/openapi.json) and the docs page beside it (/api/v1/docs). Like every public
route it starts from the live releases. Caching, ETags, the rate limit and CORS are the
same for every endpoint and live in portal/api_http.py.
"""

import datetime
import re
from types import SimpleNamespace
from typing import Annotated, Literal

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import TypeAdapter, WithJsonSchema
from pydantic import ValidationError as PydanticValidationError

from articles import citations
from articles.models import Article, Release, Topic, TopicCode
from common.richtext import sanitize
from common.structured_data import absolute_url
from experts.models import Expert
from portal import lookup
from portal.models import ClinicSettings

MAX_PAGE = 10_000
MAX_PER_PAGE = 100
SLUG = r"^[-a-zA-Z0-9_]{1,200}$"
NO_NUL = r"^[^\x00]*$"

api = NinjaAPI(
    title="Clinic portal content API",
    version="1",
    description=(
        "Read-only access to the clinic's live, medically reviewed articles, their topics "
        "(with ICD-10-CM and SNOMED CT codes), the experts and search. No authentication; "
        "responses carry an ETag and may be revalidated with If-None-Match. Requests are "
        "limited per client address (429 with Retry-After). Bad input answers 400."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


class Error(Schema):
    detail: str = Field(description="What was wrong with the request, in plain words.")


ERRORS = {400: Error, 429: Error}


@api.exception_handler(ValidationError)
def invalid_input(request, exc):
    """Answer invalid parameters with 400 and a readable message (ninja's default is 422)."""
    problems = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return api.create_response(request, {"detail": "; ".join(problems)}, status=400)


def check_query(request, allowed):
    """Refuse parameters the endpoint does not know, repeated ones and NUL characters."""
    for name, values in request.GET.lists():
        if name not in allowed:
            raise HttpError(400, f"Unknown parameter {name[:60]!r}; known: {', '.join(allowed)}.")
        if len(values) > 1:
            raise HttpError(400, f"Give {name} once.")
        if "\x00" in values[0]:
            raise HttpError(400, f"{name} must not contain NUL characters.")


# --- Schemas --------------------------------------------------------------------------


class Code(Schema):
    system: str = Field(description="Code system OID, e.g. 2.16.840.1.113883.6.90.")
    system_name: Literal["ICD-10-CM", "SNOMED CT"]
    code: str = Field(examples=["G25.81"])
    display: str


class TopicRef(Schema):
    slug: str
    name: str
    url: str


class Person(Schema):
    slug: str
    name: str = Field(description="Name with honorific, as the release shows it.")
    credentials: str
    role: str
    url: str


class ArticleSummary(Schema):
    slug: str
    title: str
    summary: str
    language: str = Field(examples=["en"])
    release: int = Field(description="Version number of the live release, printed on handouts.")
    last_reviewed: datetime.date
    updated: datetime.datetime = Field(description="When this release went live.")
    url: str
    handout_url: str
    handout_pdf_url: str
    reading_grade: float | None = Field(description="US school grade (Flesch–Kincaid).")
    reading_minutes: int
    topics: list[TopicRef]


class Section(Schema):
    position: int
    heading: str
    html: str = Field(description="Sanitised HTML; [n] cites the citation at position n.")


class Quote(Schema):
    position: int
    text: str
    section: int | None = Field(description="Position of the section it follows.")
    expert: Person


class FAQ(Schema):
    position: int
    question: str
    answer_html: str


class Citation(Schema):
    position: int
    ama: str = Field(description="The reference in AMA style, as text.")
    ama_html: str
    authors: str
    title: str
    journal: str
    year: int | None
    doi: str
    pmid: str
    url: str
    study_type: str


class ArticleDetail(ArticleSummary):
    reviewed_by: Person | None
    author: Person | None
    disclaimer: str
    sections: list[Section]
    quotes: list[Quote]
    faqs: list[FAQ]
    citations: list[Citation]


class ArticlePage(Schema):
    count: int
    page: int
    per_page: int
    next: str | None
    previous: str | None
    results: list[ArticleSummary]


class TopicOut(Schema):
    slug: str
    name: str
    url: str
    description_html: str
    article_count: int
    codes: list[Code]


class TopicDetail(TopicOut):
    articles: list[ArticleSummary]


class Link(Schema):
    label: str
    url: str


class ExpertOut(Schema):
    slug: str
    name: str
    honorific: str
    credentials: str
    role: str
    affiliation: str
    bio_html: str
    url: str
    links: list[Link]


class SearchResult(Schema):
    kind: Literal["article", "expert"]
    title: str
    url: str
    article: ArticleSummary | None = Field(description="The live article, for article results.")


class SearchPage(Schema):
    query: str
    count: int
    page: int
    per_page: int
    results: list[SearchResult]
    suggestion: str = Field(
        description="When nothing, or no result with every word, was found: the query with "
        'its misspelt words corrected ("magnesium" for "magnesuim"), else empty.'
    )


# --- Building the responses -------------------------------------------------------------


def topic_ref(request, topic):
    url = absolute_url(request, topic.get_absolute_url())
    return {"slug": topic.slug, "name": topic.name, "url": url}


def person(request, expert):
    """Return an expert as a release holds them (a dict), or None."""
    if not expert:
        return None
    return {
        "slug": expert["slug"],
        "name": expert["display_name"],
        "credentials": expert["credentials"],
        "role": expert["role"],
        "url": absolute_url(request, reverse("experts:detail", args=[expert["slug"]])),
    }


def summary(request, release):
    """Return a live release as a list shows it (its article's topics prefetched)."""
    slug = release.article.slug
    return {
        "slug": slug,
        "title": release.title,
        "summary": release.summary,
        "language": release.language,
        "release": release.number,
        "last_reviewed": release.reviewed_on,
        "updated": release.go_live_at,
        "url": absolute_url(request, release.get_absolute_url()),
        "handout_url": absolute_url(request, reverse("articles:handout", args=[slug])),
        "handout_pdf_url": absolute_url(request, reverse("articles:handout_pdf", args=[slug])),
        "reading_grade": None if release.reading_grade is None else float(release.reading_grade),
        "reading_minutes": release.reading_minutes,
        "topics": [topic_ref(request, topic) for topic in release.article.topics.all()],
    }


def detail(request, release, clinic):
    """Return everything patients see of a live release, as structured JSON."""
    content = release.content
    return summary(request, release) | {
        "reviewed_by": person(request, content.get("reviewer")),
        "author": person(request, content.get("author")),
        "disclaimer": release.disclaimer or clinic.default_disclaimer,
        "sections": [
            {"position": s["position"], "heading": s["heading"], "html": sanitize(s["body"])}
            for s in content["sections"]
        ],
        "quotes": [
            {
                "position": q["position"],
                "text": q["text"],
                "section": q["section"],
                "expert": person(request, q["expert"]),
            }
            for q in content["quotes"]
        ],
        "faqs": [
            {
                "position": f["position"],
                "question": f["question"],
                "answer_html": sanitize(f["answer"]),
            }  # fmt: skip
            for f in content["faqs"]
        ],
        "citations": [
            {"position": c["position"]}
            | {name: c["reference"][name] or "" for name in CITATION_TEXT}
            | {"year": c["reference"]["year"], "ama_html": ama_html(c["reference"])}
            for c in content["citations"]
        ],
    }


CITATION_TEXT = [
    "ama", "authors", "title", "journal", "doi", "pmid", "url", "study_type",
]  # fmt: skip


def ama_html(reference):
    """Return a reference as cited (a dict) in AMA style as HTML, as the article page shows it."""
    return str(citations.ama_html(SimpleNamespace(**reference)))


def code(topic_code):
    return {
        "system": topic_code.system,
        "system_name": topic_code.get_system_display(),
        "code": topic_code.code,
        "display": topic_code.display,
    }


def topic_out(request, topic):
    return topic_ref(request, topic) | {
        "description_html": sanitize(topic.description),
        "article_count": topic.article_count,
        "codes": [code(c) for c in topic.codes.all()],
    }


def page_url(request, page):
    params = request.GET.copy()
    params["page"] = page
    return absolute_url(request, f"{request.path}?{params.urlencode()}")


def parse_date_time(text):
    """Return the datetime an ISO 8601 string names, or answer 400."""
    try:
        if DATE_TIME_RE.fullmatch(text):
            return DATE_TIME.validate_python(text)
    except PydanticValidationError:
        pass
    raise HttpError(400, "updated_since: write an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z.")


def since(value):
    """Return an ISO 8601 date-time as an aware one (naive: the clinic's time zone)."""
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(datetime.UTC)
    except (OverflowError, ValueError):  # at the ends of the calendar: nothing or everything
        limit = datetime.datetime.min if value.year < 2 else datetime.datetime.max
        return limit.replace(tzinfo=datetime.UTC)


def live_listing():
    return Release.objects.live().for_listing()


# --- Endpoints ----------------------------------------------------------------------------


UPDATED_SINCE = Query(
    None,
    description="Only releases that went live at or after this ISO 8601 date-time.",
)
# A date and time as ISO 8601 writes it (numbers, which pydantic would read as Unix
# times, are refused), then parsed by pydantic; a time zone is optional.
DATE_TIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?"
)
DATE_TIME = TypeAdapter(datetime.datetime)
DateTimeText = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


@api.get(
    "/articles",
    response={200: ArticlePage, **ERRORS},
    summary="List live articles",
    tags=["articles"],
)
def list_articles(
    request,
    page: int = Query(1, ge=1, le=MAX_PAGE, description="Page number, from 1."),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE, description="Articles per page."),
    updated_since: DateTimeText | None = UPDATED_SINCE,
):
    """Live articles, newest release first."""
    check_query(request, ["page", "per_page", "updated_since"])
    releases = live_listing()
    if updated_since is not None:
        releases = releases.filter(go_live_at__gte=since(parse_date_time(updated_since)))
    count = releases.count()
    start = (page - 1) * per_page
    found = list(releases[start : start + per_page]) if start < count else []
    return {
        "count": count,
        "page": page,
        "per_page": per_page,
        "next": page_url(request, page + 1) if start + per_page < count else None,
        "previous": page_url(request, page - 1) if page > 1 and start - per_page < count else None,
        "results": [summary(request, release) for release in found],
    }


@api.get(
    "/articles/{slug}",
    response={200: ArticleDetail, 404: Error, **ERRORS},
    summary="One live article, in full",
    tags=["articles"],
)
def get_article(request, slug: str = Path(..., pattern=SLUG)):
    """The live release of an article: sections, quotes, FAQs and citations."""
    check_query(request, [])
    release = (
        Release.objects.live()
        .select_related("article")
        .prefetch_related("article__topics")
        .filter(article__slug=slug)
        .first()
    )
    if release is None:
        raise HttpError(404, "No live article at this address.")
    return detail(request, release, ClinicSettings.load())


def topics_with_codes(queryset):
    return queryset.prefetch_related(
        Prefetch("codes", queryset=TopicCode.objects.order_by("system", "code"))
    )


@api.get(
    "/topics",
    response={200: list[TopicOut], **ERRORS},
    summary="Topics that have live articles",
    tags=["topics"],
)
def list_topics(request):
    """Topics with their diagnosis codes and the number of live articles on each."""
    check_query(request, [])
    # Every language's articles: the API serves them all, each with its language.
    live = Q(articles__in=Article.objects.live())
    topics = Topic.objects.annotate(article_count=Count("articles", filter=live))
    return [
        topic_out(request, topic) for topic in topics_with_codes(topics.filter(article_count__gt=0))
    ]


@api.get(
    "/topics/{slug}",
    response={200: TopicDetail, 404: Error, **ERRORS},
    summary="One topic and its live articles",
    tags=["topics"],
)
def get_topic(request, slug: str = Path(..., pattern=SLUG)):
    check_query(request, [])
    topic = get_object_or_404(topics_with_codes(Topic.objects.all()), slug=slug)
    releases = list(live_listing().filter(article__topics=topic))
    topic.article_count = len(releases)
    return topic_out(request, topic) | {
        "articles": [summary(request, release) for release in releases]
    }


def expert_out(request, expert):
    return {
        "slug": expert.slug,
        "name": expert.display_name,
        "honorific": expert.honorific,
        "credentials": expert.credentials,
        "role": expert.role,
        "affiliation": expert.affiliation,
        "bio_html": sanitize(expert.bio),
        "url": absolute_url(request, expert.get_absolute_url()),
        "links": [{"label": link.label, "url": link.url} for link in expert.links.all()],
    }


@api.get(
    "/experts",
    response={200: list[ExpertOut], **ERRORS},
    summary="The clinic's experts",
    tags=["experts"],
)
def list_experts(request):
    check_query(request, [])
    experts = Expert.objects.prefetch_related("links")
    return [expert_out(request, expert) for expert in experts]


@api.get(
    "/experts/{slug}",
    response={200: ExpertOut, 404: Error, **ERRORS},
    summary="One expert",
    tags=["experts"],
)
def get_expert(request, slug: str = Path(..., pattern=SLUG)):
    check_query(request, [])
    return expert_out(request, get_object_or_404(Expert.objects.prefetch_related("links"), slug=slug))  # fmt: skip


@api.get(
    "/search",
    response={200: SearchPage, **ERRORS},
    summary="Search live articles and experts",
    tags=["search"],
)
def search(
    request,
    q: str = Query(..., max_length=200, pattern=NO_NUL, description='Words or a "quoted phrase".'),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(10, ge=1, le=MAX_PER_PAGE),
):
    """Ranked like the search page: titles first, then summaries, tags and topics, then text."""
    check_query(request, ["q", "page", "per_page"])
    count, found, suggestion = lookup.search_page(
        q, per_page, offset=(page - 1) * per_page, suggest=True
    )
    results = []
    for kind, item in found:
        if kind == "article":
            entry = summary(request, item)
            results.append({"kind": kind, "title": item.title, "url": entry["url"], "article": entry})  # fmt: skip
        else:
            url = absolute_url(request, item.get_absolute_url())
            results.append(
                {"kind": kind, "title": item.name_with_credentials, "url": url, "article": None}
            )
    return {
        "query": q,
        "count": count,
        "page": page,
        "per_page": per_page,
        "results": results,
        "suggestion": suggestion,
    }
