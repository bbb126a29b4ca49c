"""The Atom feed of published articles."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article
from portal.models import ClinicSettings

FEED_LIMIT = 20


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request):
        return ClinicSettings.load()

    def title(self, clinic):
        return f"{clinic.name}: health articles"

    def subtitle(self, clinic):
        return f"New and updated patient information from {clinic.name}."

    def author_name(self, clinic):
        return clinic.name

    def link(self):
        return reverse("portal:home")

    def items(self):
        return Article.objects.published().select_related("author", "reviewed_by")[:FEED_LIMIT]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.summary

    def item_pubdate(self, article):
        return article.publish_at

    def item_updateddate(self, article):
        return article.updated

    def item_author_name(self, article):
        expert = article.author or article.reviewed_by
        return expert.name_with_credentials if expert else None
