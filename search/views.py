"""The search page: live releases and experts, alike on SQLite and PostgreSQL."""

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from articles.models import Article, Topic
from search import engine
from search.models import SearchDocument
from search.query import MAX_QUERY_LENGTH, parse_query

PER_PAGE = 10


def page_number(value):
    """Return the page asked for as an int; anything that is not a whole number is page 1."""
    try:
        return int(value or 1)
    except ValueError:
        return 1


def browsable_topics(language):
    """Return the topics with a live article in the language, for a visitor whose search
    found nothing.

    Without counts (counting every topic's live articles reads them all; finding one
    stops at the first), and from the search index, which knows what is live cheaply.
    """
    live = SearchDocument.objects.live(language=language).filter(article_id=OuterRef("article_id"))
    links = Article.topics.through.objects.filter(topic_id=OuterRef("pk")).filter(Exists(live))
    topics = Topic.objects.in_language(language).filter(Exists(links)).only("name", "slug")
    return topics.order_by(Coalesce("translated_name", "name"), "pk")


def search(request):
    """Search live articles and experts, the page's language first: ten a page, highlighted."""
    query = parse_query(request.GET.get("q", ""))
    language = translation.get_language()
    results, suggestion = None, ""
    if query.terms:
        number = page_number(request.GET.get("page"))
        # The site's main language finds its own articles; another finds its own first,
        # then the rest (a patient reading Spanish still needs an English-only article).
        only, prefer = (language, None) if language == settings.LANGUAGE_CODE else (None, language)
        results = engine.run(
            query, page=number, per_page=PER_PAGE, language=only, prefer=prefer, suggest=True
        )
        suggestion = results.suggestion
    context = {
        "page_language": language,
        "query": query.text,
        "searched": bool(query.terms),
        "shortened": query.shortened,
        "max_length": MAX_QUERY_LENGTH,
        "page": results,
        "suggestion": suggestion,
        "suggestion_url": suggestion
        and f"{reverse('portal:search')}?{urlencode({'q': suggestion})}",
        "topics": () if results and results.total else browsable_topics(language),
    }
    return render(request, "search/search.html", context)
