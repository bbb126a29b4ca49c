from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin

from common.admin import (
    PortalAdminMixin,
    PortalFieldsMixin,
    StaleSaveMixin,
    VersionBeforeDeleteMixin,
)
from common.inlines import PositionedInlineFormSet
from experts.models import Expert, ExpertLink, ExpertTranslation


def article_links(articles):
    """Return a list of links to the admin pages of articles, or a plain "None"."""
    links = [
        (reverse("admin:articles_article_change", args=[article.pk]), article.title)
        for article in articles
    ]
    if not links:
        return "None"
    return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', links))


class ExpertLinkInline(PortalFieldsMixin, admin.TabularInline):
    model = ExpertLink
    formset = PositionedInlineFormSet
    fields = ["position", "label", "url"]
    extra = 0


class ExpertTranslationInline(PortalFieldsMixin, admin.StackedInline):
    model = ExpertTranslation
    fields = ["language", "role", "affiliation", "bio", "photo_alt"]
    extra = 0
    verbose_name_plural = (
        "translations (role, biography and photo description on the pages in that language; "
        "English where empty)"
    )


@admin.register(Expert)
class ExpertAdmin(StaleSaveMixin, VersionBeforeDeleteMixin, PortalAdminMixin, VersionAdmin):
    list_display = ["display_name", "credentials", "role", "affiliation"]
    search_fields = ["name", "credentials", "role", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ExpertLinkInline, ExpertTranslationInline]
    readonly_fields = ["quoted_in", "reviewed", "authored"]
    fieldsets = [
        (None, {"fields": ["honorific", "name", "slug", "credentials", "role", "affiliation"]}),
        ("Biography and photo", {"fields": ["bio", "photo", "photo_alt"]}),
        ("Where they appear", {"fields": ["quoted_in", "reviewed", "authored"]}),
    ]

    @admin.display(description="quoted in")
    def quoted_in(self, expert):
        if not expert.pk:
            return "None yet"
        quoted = {
            quote.article_id: quote.article for quote in expert.quotes.select_related("article")
        }
        return article_links(quoted.values())

    @admin.display(description="medically reviewed")
    def reviewed(self, expert):
        if not expert.pk:
            return "None yet"
        return article_links(expert.reviewed_articles.all())

    @admin.display(description="wrote")
    def authored(self, expert):
        if not expert.pk:
            return "None yet"
        return article_links(expert.authored_articles.all())
