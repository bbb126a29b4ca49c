"""Public article pages: article, A–Z index, topics, tags and all FAQs.

Every page starts from the live releases (`Release.objects.live()`); staff who may
change articles also see working copies and earlier releases, under a preview banner.
"""

import itertools
import string
import unicodedata

from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from taggit.models import Tag

from articles import jsonld, releases, rendering
from articles.models import (
    Article,
    Release,
    SlugRedirect,
    Topic,
    TopicCode,
    can_preview,
    handout_marker,
)
from common import structured_data

RELATED_LIMIT = 4


def public_topics(language=None):
    """Return topics with the number of live articles each (in the page's language), empty ones left out."""
    language = language or translation.get_language()
    live = Q(articles__in=Article.objects.live().filter(language=language))
    return (
        Topic.objects.in_language(language)
        .annotate(article_count=Count("articles", filter=live))
        .filter(article_count__gt=0)
        .order_by(Coalesce("translated_name", "name"), "pk")  # A–Z in the page's language
    )


def labels(article_id):
    """Return an article's topics (with their codes) and tags, in one query: ([topics], [tags]).

    Each topic carries its diagnosis codes as `code_rows`, for the page's JSON-LD, and its
    name in the page's language.
    """
    fields = ("kind", "pk", "name", "slug")
    topics = (
        Topic.objects.in_language()
        .filter(articles=article_id)
        .annotate(kind=Value("topic"), label=Coalesce("translated_name", "name"))
    )
    tags = Tag.objects.filter(
        taggit_taggeditem_items__object_id=article_id,
        taggit_taggeditem_items__content_type__app_label="articles",
        taggit_taggeditem_items__content_type__model="article",
    ).annotate(kind=Value("tag"))
    codes = TopicCode.objects.filter(topic__articles=article_id).annotate(kind=Value("code"))
    rows = (
        topics.order_by()
        .values_list("kind", "pk", "label", "slug")
        .union(
            tags.order_by().values_list(*fields),
            codes.order_by().values_list("kind", "topic_id", "system", "code"),
            all=True,
        )
    )
    found = {"topic": [], "tag": [], "code": []}
    for kind, pk, name, slug in rows:
        if kind == "code":
            found[kind].append(TopicCode(topic_id=pk, system=name, code=slug))
        elif kind == "topic":
            found[kind].append(Topic(pk=pk, name=name, slug=slug))  # name as the page shows it
        else:
            found[kind].append(Tag(pk=pk, name=name, slug=slug))
    for topic in found["topic"]:
        topic.code_rows = sorted(
            (code for code in found["code"] if code.topic_id == topic.pk),
            key=lambda code: (code.system, code.code),
        )
    return sorted(found["topic"], key=lambda t: t.shown_name), sorted(found["tag"], key=str)


def related_releases(article_id):
    """Return live releases of other articles sharing a topic or tag (one query)."""
    topics = Topic.objects.filter(articles=article_id).values("pk")
    tags = Tag.objects.filter(
        taggit_taggeditem_items__object_id=article_id,
        taggit_taggeditem_items__content_type__model="article",
    ).values("pk")
    related = Article.objects.filter(Q(topics__in=topics) | Q(tags__in=tags)).exclude(pk=article_id)
    return list(
        Release.objects.live()
        .in_language()
        .filter(article__in=related.values("pk"))
        .select_related("article")
        .only("title", "summary", "language", "article__slug")
        .order_by("title")[:RELATED_LIMIT]
    )


def redirect_old_slug(slug, articles):
    """Redirect an article's old address to its current one; 404 for unknown ones."""
    old = SlugRedirect.objects.select_related("article").filter(old_slug=slug, article__in=articles)
    old = old.first()
    if old is None:
        raise Http404("No article at this address.")
    return redirect(old.article.get_absolute_url(), permanent=True)


def chosen_release(request, article, live):
    """Return the release staff asked for with ?release=N, else the working copy.

    A working copy with nothing unreviewed is shown as the live release it equals.
    """
    number = request.GET.get("release", "")
    if not number:
        working = releases.working_copy(article)
        if live is not None and live.content_hash == working.content_hash:
            return live
        return working
    if not number.isdigit():
        raise Http404("Ask for a version by its number, e.g. ?release=2.")
    return get_object_or_404(article.releases.select_related("article"), number=int(number))


def detail(request, slug):
    """Show an article's live release; staff may preview the working copy or any release."""
    printed = None
    if can_preview(request.user):
        article = Article.objects.for_snapshot().filter(slug=slug).first()
        if article is None:
            return redirect_old_slug(slug, Article.objects.all())
        live = Release.objects.live().with_translations().select_related("article")
        live = live.filter(article=article).first()
        release = chosen_release(request, article, live)
        preview = release.pk is None or live is None or live.pk != release.pk
    else:
        release = Release.objects.live().with_translations().select_related("article")
        release = release.filter(article__slug=slug).first()
        if release is None:
            return redirect_old_slug(slug, Article.objects.live())
        live, preview = release, False
        printed = handout_marker(request.META.get("QUERY_STRING", ""))
        if printed is not None and printed >= release.number:  # nothing newer to tell
            return redirect(release.get_absolute_url())
    if release.article.language != translation.get_language():
        # One address per article: its own language's (/es/… for a Spanish article).
        query = request.META.get("QUERY_STRING", "")
        return redirect(release.article.get_absolute_url() + (f"?{query}" if query else ""))
    topics, tags = labels(release.article_id)
    context = {
        "release": release,
        "article": release.article,
        "live": live,
        "preview": preview,
        "stage": releases.STAGES[releases.stage(release.article)] if preview else "",
        "parts": rendering.page_parts(release),
        "topics": topics,
        "tags": tags,
        "related": related_releases(release.article_id),
        # A patient holding a handout of an older release: the live one is newer.
        "updated_since": release.go_live_at if not preview and printed else None,
        "language_slugs": live.alternates if live else {},
        # A translation whose source is archived or withdrawn links to no other language:
        # the other language's home page would read as if it were this article there.
        "language_home_links": not (
            live is not None and live.article.translation_of_id and live.source_live_number is None
        ),
    }
    return render(request, "articles/detail.html", context)


def letters(language):
    """Return the A–Z bar's letters in a language: "#" first (titles not A–Z), Ñ after N in Spanish."""
    alphabet = list(string.ascii_uppercase)
    if language == "es":
        alphabet.insert(alphabet.index("N") + 1, "Ñ")
    return ["#", *alphabet]


def first_letter(title, language="en"):
    """Return the A–Z heading a title files under: its first letter, or # for others.

    Accents are dropped (Á under A), except Spanish's own letter Ñ.
    """
    first = title.strip()[:1].upper()
    if first == "Ñ" and language == "es":
        return "Ñ"
    letter = unicodedata.normalize("NFKD", first)[:1]
    return letter if "A" <= letter <= "Z" else "#"


def letter_anchor(letter):
    """Return the id of a letter's heading: "letter-a", "letter-other", "letter-enye" (Ñ)."""
    return "letter-" + {"#": "other", "Ñ": "enye"}.get(letter, letter.lower())


def index(request):
    """List live articles from A to Z, grouped by first letter; every letter is in the bar."""
    language = translation.get_language()
    bar = letters(language)
    order = {letter: position for position, letter in enumerate(bar)}

    def letter_of(release):
        return first_letter(release.title, language)

    live = sorted(
        Release.objects.live().in_language().for_listing(),
        key=lambda release: (order[letter_of(release)], release.title.casefold()),
    )
    groups = [
        (letter, letter_anchor(letter), list(group))
        for letter, group in itertools.groupby(live, key=letter_of)
    ]
    used = {letter for letter, _, _ in groups}
    letters_shown = [(letter, letter in used, letter_anchor(letter)) for letter in bar]
    return render(request, "articles/index.html", {"groups": groups, "letters": letters_shown})


def topics(request):
    """List the topics that have live articles."""
    return render(request, "articles/topics.html", {"topics": public_topics()})


def topic(request, slug):
    """Show a topic and its live articles."""
    topic = get_object_or_404(Topic.objects.in_language().prefetch_related("codes"), slug=slug)
    context = {
        "topic": topic,
        "articles": Release.objects.live()
        .in_language()
        .for_listing()
        .filter(article__topics=topic),
        "page_data": structured_data.collection_page(
            request, topic.shown_name, jsonld.topic_thing(topic, topic.codes.all())
        ),
    }
    return render(request, "articles/topic.html", context)


def tag(request, slug):
    """Show the live articles with a tag; a tag with none is not found."""
    tag = get_object_or_404(Tag, slug=slug)
    articles = list(Release.objects.live().in_language().for_listing().filter(article__tags=tag))
    if not articles:
        raise Http404("No published articles have this tag.")
    # Tags are words of one language: the other language's page would be another tag.
    context = {"tag": tag, "articles": articles, "language_slugs": {}}
    return render(request, "articles/tag.html", context)


def faqs(request):
    """List every live article's FAQs, grouped by article."""
    live = Release.objects.live().in_language().select_related("article").order_by("title")
    live = [release for release in live if release.content["faqs"]]
    all_faqs = [faq for release in live for faq in release.content["faqs"]]
    context = {"releases": live, "faq_data": jsonld.faq_page(all_faqs)}
    return render(request, "articles/faqs.html", context)
