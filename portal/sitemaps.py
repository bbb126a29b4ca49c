"""sitemap.xml: published articles, topics, experts and the fixed pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Release
from articles.views import public_topics
from experts.models import Expert


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return (
            Release.objects.live()
            .select_related("article")
            .only("go_live_at", "article__slug")
            .order_by("article_id")
        )

    def lastmod(self, release):
        return release.go_live_at


class TopicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return public_topics().order_by("pk")


class ExpertSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Expert.objects.order_by("pk")

    def lastmod(self, expert):
        return expert.updated


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["portal:home", "articles:topics", "articles:index", "articles:faqs", "experts:list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "experts": ExpertSitemap,
}
