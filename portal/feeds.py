"""The Atom feed of live articles: each article's live release, newest first."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from articles.models import Release
from portal.models import ClinicSettings

FEED_LIMIT = 20


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed

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
        live = Release.objects.live().select_related("article").defer("content", "rendered")
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
