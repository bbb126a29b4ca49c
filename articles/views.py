"""Public article pages: article, A–Z index, topics, tags and all FAQs."""

import itertools
import unicodedata

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from taggit.models import Tag

from articles import jsonld
from articles.models import FAQ, Article, SlugRedirect, Topic

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


def place_quotes(sections, quotes):
    """Return (section, its quotes) pairs and the quotes that follow no section."""
    by_section = {}
    last = sections[-1].pk if sections else None
    known = {section.pk for section in sections}
    for quote in quotes:
        key = quote.section_id if quote.section_id in known else last
        by_section.setdefault(key, []).append(quote)
    placed = [(section, by_section.get(section.pk, [])) for section in sections]
    return placed, by_section.get(None, [])


def featured_experts(article):
    """Return the reviewer, author and quoted experts, each once, in that order."""
    experts = {}
    for expert in [article.reviewed_by, article.author, *(q.expert for q in article.quotes.all())]:
        if expert is not None:
            experts.setdefault(expert.pk, expert)
    return list(experts.values())


def related_articles(article):
    """Return published articles sharing a topic or tag with article (one query)."""
    topic_ids = [topic.pk for topic in article.topics.all()]
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not topic_ids and not tag_ids:
        return []
    shared = Q(topics__in=topic_ids) | Q(tags__in=tag_ids)
    related = Article.objects.published().filter(shared).exclude(pk=article.pk).distinct()
    return list(related[:RELATED_LIMIT])


def detail(request, slug):
    """Show an article; staff also see unpublished ones, under a preview banner."""
    visible = visible_articles(request.user)
    article = visible.for_detail().filter(slug=slug).first()
    if article is None:
        redirects = SlugRedirect.objects.select_related("article")
        old = redirects.filter(old_slug=slug, article__in=visible).first()
        if old is None:
            raise Http404("No article at this address.")
        return redirect("articles:detail", slug=old.article.slug, permanent=True)
    sections = list(article.sections.all())
    placed, trailing_quotes = place_quotes(sections, article.quotes.all())
    context = {
        "article": article,
        "preview": not article.is_published,
        "sections": placed,
        "trailing_quotes": trailing_quotes,
        "toc": [section for section in sections if section.heading] if len(sections) >= 4 else [],
        "citation_numbers": {citation.position for citation in article.citations.all()},
        "experts": featured_experts(article),
        "related": related_articles(article),
        "faq_data": jsonld.faq_page(article.faqs.all()),
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
        "page_data": jsonld.collection_page(request, topic.name, jsonld.topic_thing(topic)),
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
