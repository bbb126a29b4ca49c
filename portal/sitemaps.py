"""sitemap.xml: published articles, topics, experts and the fixed pages, in every language.

Each address lists its versions in the other languages (hreflang alternates): every list,
topic and expert page has one per language; an article has its live translations.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import translation

from articles.models import Release
from articles.views import public_topics
from experts.models import Expert


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return (
            Release.objects.live()
            .with_translations()
            .select_related("article")
            .only("go_live_at", "language", "article__slug", "article__translation_of")
            .order_by("article_id")
        )

    def lastmod(self, release):
        return release.go_live_at

    def _urls(self, page, protocol, domain):
        """Add each article's live translations as its alternates (and itself among them)."""
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            release = url["item"]
            if versions := release.alternates:
                versions = versions | {release.language: release.article.slug}
                url["alternates"] = [
                    {
                        "lang_code": code,
                        "location": f"{protocol}://{domain}{article_path(code, slug)}",
                    }
                    for code, slug in sorted(versions.items())
                ]
        return urls


def article_path(language, slug):
    with translation.override(language):
        return reverse("articles:detail", kwargs={"slug": slug})


class TopicSitemap(Sitemap):
    changefreq = "weekly"
    i18n = True
    alternates = True

    def items(self):
        return public_topics().order_by("pk")


class ExpertSitemap(Sitemap):
    changefreq = "monthly"
    i18n = True
    alternates = True

    def items(self):
        return Expert.objects.order_by("pk")

    def lastmod(self, expert):
        return expert.updated


class PageSitemap(Sitemap):
    changefreq = "daily"
    i18n = True
    alternates = True

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
