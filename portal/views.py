"""Site-wide pages: home, the expert pages, robots.txt and the error pages.

The expert pages live here, not in `experts`, because they list articles: `experts`
sits below `articles` and imports none of it.
"""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse

from articles.models import Release
from articles.views import public_topics
from common import structured_data
from experts import jsonld as expert_jsonld
from experts.models import Expert

logger = logging.getLogger(__name__)

FEATURED_LIMIT = 3
LATEST_LIMIT = 6


def home(request):
    """Show featured and latest articles (each once) and the topics."""
    live = Release.objects.live().in_language().for_listing()
    featured = list(live.filter(article__featured=True)[:FEATURED_LIMIT])
    context = {
        "featured": featured,
        # Each article once: the latest list leaves out the featured ones.
        "latest": live.exclude(pk__in=[release.pk for release in featured])[:LATEST_LIMIT],
        "topics": public_topics(),
    }
    return render(request, "portal/home.html", context)


def expert_list(request):
    """List the clinic's experts."""
    return render(request, "experts/list.html", {"experts": Expert.objects.in_language()})


def expert_detail(request, slug):
    """Show an expert's bio and links, and the live articles they reviewed, wrote or speak in."""
    expert = get_object_or_404(Expert.objects.in_language().prefetch_related("links"), slug=slug)
    articles = Release.objects.live().in_language().for_listing().featuring(expert)
    context = {
        "expert": expert,
        "articles": articles,
        "person_data": expert_jsonld.expert_page(request, expert),
    }
    return render(request, "experts/detail.html", context)


def favicon(request):
    """Send browsers that ask for /favicon.ico (the admin, feed readers) to our icon."""
    return redirect(static("portal/favicon.svg"))


def robots_txt(request):
    """Tell crawlers where the sitemap is and to keep out of the admin."""
    sitemap = structured_data.absolute_url(request, reverse("portal:sitemap"))
    return render(request, "portal/robots.txt", {"sitemap_url": sitemap}, content_type="text/plain")


def page_not_found(request, exception=None):
    """Show the friendly "page not found" page."""
    return render(request, "404.html", status=404)


def server_error(request):
    """Show the friendly error page, without touching the database or context processors."""
    try:
        html = loader.get_template("500.html").render()
    except Exception:  # the error page must answer even if templates or static files fail
        logger.exception("The 500 page could not be rendered")
        html = "<!doctype html><title>Server error</title><h1>Sorry, something went wrong</h1>"
    return HttpResponseServerError(html)
