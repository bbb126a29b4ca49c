"""Public article pages: article, A–Z index, topics, tags and all FAQs."""

import itertools
import unicodedata

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from taggit.models import Tag

from articles import jsonld, rendering
from articles.models import FAQ, Article, SlugRedirect, Topic
from common import structured_data

RELATED_LIMIT = 4


def visible_articles(user):
    """Return the articles this user may open: staff also see unpublished ones."""
    return Article.objects.all() if user.is_staff else Article.objects.published()


def public_topics():
    """Return topics with the number of published articles each, empty ones left out."""
    published = Q(articles__in=Article.objects.published())
    return Topic.objects.annotate(article_count=Count("articles", filter=published)).filter(
        article_count__gt=0
    )


def related_articles(article, topic_ids, tag_ids):
    """Return published articles sharing a topic or tag with article (one query)."""
    if not topic_ids and not tag_ids:
        return []
    related = Article.objects.published().related_to(topic_ids, tag_ids).exclude(pk=article.pk)
    return list(related.only("title", "slug", "summary")[:RELATED_LIMIT])


def redirect_old_slug(visible, slug):
    """Redirect an article's old address to its current one; 404 for unknown ones."""
    redirects = SlugRedirect.objects.select_related("article")
    old = redirects.filter(old_slug=slug, article__in=visible).first()
    if old is None:
        raise Http404("No article at this address.")
    return redirect("articles:detail", slug=old.article.slug, permanent=True)


def detail(request, slug):
    """Show an article; staff also see unpublished ones, under a preview banner."""
    visible = visible_articles(request.user)
    try:  # with its stored parts, which other queries leave out; get(): no ordering to build
        article = visible.defer(None).get(slug=slug)
    except Article.DoesNotExist:
        return redirect_old_slug(visible, slug)
    parts = rendering.page_parts(article)
    context = {
        "article": article,
        "preview": not article.is_published,
        "parts": parts,
        "related": related_articles(article, parts["topic_ids"], parts["tag_ids"]),
    }
    return render(request, "articles/detail.html", context)


def first_letter(title):
    """Return the A–Z heading a title files under: its first letter, or # for others."""
    letter = unicodedata.normalize("NFKD", title.strip()[:1])[:1].upper()
    return letter if "A" <= letter <= "Z" else "#"


def index(request):
    """List published articles from A to Z, grouped by first letter."""
    articles = sorted(
        Article.objects.published().for_listing(),
        key=lambda article: (first_letter(article.title), article.title.casefold()),
    )
    groups = [
        (letter, list(group))
        for letter, group in itertools.groupby(articles, key=lambda a: first_letter(a.title))
    ]
    return render(request, "articles/index.html", {"groups": groups})


def topics(request):
    """List the topics that have published articles."""
    return render(request, "articles/topics.html", {"topics": public_topics()})


def topic(request, slug):
    """Show a topic and its published articles."""
    topic = get_object_or_404(Topic, slug=slug)
    context = {
        "topic": topic,
        "articles": topic.articles.published().for_listing(),
        "page_data": structured_data.collection_page(
            request, topic.name, jsonld.topic_thing(topic)
        ),
    }
    return render(request, "articles/topic.html", context)


def tag(request, slug):
    """Show the published articles with a tag; a tag with none is not found."""
    tag = get_object_or_404(Tag, slug=slug)
    articles = list(Article.objects.published().for_listing().filter(tags=tag))
    if not articles:
        raise Http404("No published articles have this tag.")
    return render(request, "articles/tag.html", {"tag": tag, "articles": articles})


def faqs(request):
    """List every published article's FAQs, grouped by article."""
    has_faqs = Exists(FAQ.objects.filter(article=OuterRef("pk")))
    articles = list(
        Article.objects.published().filter(has_faqs).order_by("title").prefetch_related("faqs")
    )
    all_faqs = [faq for article in articles for faq in article.faqs.all()]
    context = {"articles": articles, "faq_data": jsonld.faq_page(all_faqs)}
    return render(request, "articles/faqs.html", context)
