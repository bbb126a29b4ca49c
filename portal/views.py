"""Site-wide pages: home, robots.txt and the error pages."""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse

from articles import jsonld
from articles.models import Article
from articles.views import public_topics

logger = logging.getLogger(__name__)

FEATURED_LIMIT = 3
LATEST_LIMIT = 6


def home(request):
    """Show featured and latest articles and the topics."""
    published = Article.objects.published().for_listing()
    context = {
        "featured": published.filter(featured=True)[:FEATURED_LIMIT],
        "latest": published[:LATEST_LIMIT],
        "topics": public_topics(),
    }
    return render(request, "portal/home.html", context)


def favicon(request):
    """Send browsers that ask for /favicon.ico (the admin, feed readers) to our icon."""
    return redirect(static("portal/favicon.svg"))


def robots_txt(request):
    """Tell crawlers where the sitemap is and to keep out of the admin."""
    sitemap = jsonld.absolute_url(request, reverse("portal:sitemap"))
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
