"""The Atom feeds of live articles, one per language: each article's live release, newest first.

/feed.xml lists the English articles, /es/feed.xml the Spanish ones, each titled in its
language (the address's language is the active one, portal/languages.py).
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from articles.models import Release
from common.text import clean_text, clean_values
from portal.models import ClinicSettings

FEED_LIMIT = 20


class CleanAtom1Feed(Atom1Feed):
    """Atom that drops characters XML cannot carry, whatever rows stored before held them."""

    def __init__(self, title, link, description, **kwargs):
        super().__init__(clean_text(title), link, clean_text(description), **clean_values(kwargs))

    def add_item(self, title, link, description, **kwargs):
        super().add_item(clean_text(title), link, clean_text(description), **clean_values(kwargs))


class LatestArticlesFeed(Feed):
    feed_type = CleanAtom1Feed

    def get_object(self, request):
        return ClinicSettings.load()

    def title(self, clinic):
        return gettext("%(clinic)s: health articles") % {"clinic": clinic.name}

    def subtitle(self, clinic):
        return gettext("New and updated patient information from %(clinic)s.") % {
            "clinic": clinic.name
        }

    def author_name(self, clinic):
        return clinic.name

    def link(self):
        return reverse("portal:home")

    def items(self):
        live = Release.objects.live().in_language().select_related("article")
        live = live.defer("content", "rendered")
        return live.order_by("-go_live_at", "-pk")[:FEED_LIMIT]

    def item_title(self, release):
        return release.title

    def item_description(self, release):
        return release.summary

    def item_pubdate(self, release):
        return release.go_live_at

    def item_updateddate(self, release):
        return release.go_live_at

    def item_author_name(self, release):
        return release.reviewer_name
