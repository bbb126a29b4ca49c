import functools

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from reversion import set_comment
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles import (
    handout_report,
    history,
    plain_panel,
    publishing,
    releases,
    review,
    sharing,
    translations,
    workflow,
)
from articles.citations import ama_html
from articles.forms import (
    ArticleForm,
    CitationForm,
    CitationFormSet,
    QuoteForm,
    QuoteFormSet,
    RowsFormSet,
    SectionFormSet,
)
from articles.handouts import print_handout_packet
from articles.models import (
    FAQ,
    Article,
    Citation,
    HandoutGiven,
    PlainTerm,
    Quote,
    Reference,
    Release,
    Section,
    SlugRedirect,
    Topic,
    TopicCode,
    TopicTranslation,
)
from articles.readability import spanish_label
from common.admin import (
    PortalAdminMixin,
    PortalFieldsMixin,
    ReadOnlyAdminMixin,
    StaleSaveMixin,
    VersionBeforeDeleteMixin,
    module_view,
)
from common.inlines import sharing_siblings

PARTS_AS_NAMED = [
    "sections",
    Prefetch("quotes", queryset=Quote.objects.select_related("expert")),
    Prefetch("citations", queryset=Citation.objects.select_related("reference")),
    "faqs",
]


def can_publish(request):
    return publishing.can_publish(request.user)


class ReviewDueFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("soon", "Due within 30 days"),
            ("never", "Never reviewed"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.review_due(within_days=0).filter(next_review_due__lt=today)
        if self.value() == "soon":
            return queryset.review_due(within_days=30).filter(next_review_due__gte=today)
        if self.value() == "never":
            return queryset.filter(last_reviewed__isnull=True)
        return queryset


class TranslationBehindFilter(admin.SimpleListFilter):
    title = "translation"
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [
            ("behind", "Translation behind its source (or source withdrawn)"),
            ("all", "Translations"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "behind":
            return queryset.filter(pk__in=Article.objects.stale_translations().values("pk"))
        if self.value() == "all":
            return queryset.filter(translation_of__isnull=False)
        return queryset


class SectionInline(PortalFieldsMixin, admin.StackedInline):
    model = Section
    formset = SectionFormSet
    fields = ["position", "heading", "body"]
    extra = 0


class QuoteInline(PortalFieldsMixin, admin.StackedInline):
    model = Quote
    form = QuoteForm
    formset = QuoteFormSet
    fields = ["position", "expert", "text", "section", "note"]
    autocomplete_fields = ["expert"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("expert")  # each row's header


class CitationInline(PortalFieldsMixin, admin.TabularInline):
    model = Citation
    form = CitationForm
    formset = CitationFormSet
    fields = ["position", "reference"]
    autocomplete_fields = ["reference"]
    extra = 0
    verbose_name = "citation"
    verbose_name_plural = "citations (the number is the [n] used in the text)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reference")  # each row's header


class FAQInline(PortalFieldsMixin, admin.StackedInline):
    model = FAQ
    formset = RowsFormSet
    fields = ["position", "question", "answer"]
    extra = 0


@admin.register(Article)
class ArticleAdmin(StaleSaveMixin, VersionBeforeDeleteMixin, PortalAdminMixin, VersionAdmin):
    form = ArticleForm
    compare_url_name = "admin:articles_article_compare"
    list_display = [
        "title",
        "stage",
        "reviewed_by",
        "last_reviewed",
        "next_review",
        "updated",
    ]
    list_filter = [
        "status",
        "language",
        TranslationBehindFilter,
        "topics",
        "reviewed_by",
        ReviewDueFilter,
    ]
    list_select_related = ["reviewed_by"]
    search_fields = ["title", "summary", "tags__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "reviewed_by", "topics", "translation_of"]
    readonly_fields = [
        "stage_and_versions",
        "reading_level",
        "plain_language",
        "updated",
        "translated_from_release",
        "translation_status",
    ]
    inlines = [SectionInline, QuoteInline, CitationInline, FAQInline]
    actions = [
        "send_to_review",
        "archive",
        print_handout_packet,
        handout_report.export_content_audit,
        "translate_into_spanish",
        "mark_translation_up_to_date",
    ]
    ordering = ["-updated"]
    object_history_template = "admin/articles/article/object_history.html"
    fieldsets = [
        (
            "Content",
            {
                "fields": [
                    "title",
                    "slug",
                    "summary",
                    "topics",
                    "tags",
                    "author",
                    "hero_image",
                    "hero_image_alt",
                    "key_points",
                    "get_help",
                    "disclaimer",
                ]
            },
        ),
        (
            "Plain language",
            {
                "description": "Worked out from the saved text: save to see your changes "
                "here. Only the grade can stop publishing; the rest are suggestions.",
                "fields": ["plain_language"],
            },
        ),
        (
            "Publishing and review",
            {
                "description": "Saving never changes what patients see: they see the "
                "article's live version. Only medical reviewers publish a new version, "
                "archive, and set the review details.",
                "fields": [
                    "stage_and_versions",
                    "status",
                    "reviewed_by",
                    "last_reviewed",
                    "next_review_due",
                    "featured",
                    "reading_level",
                    "updated",
                ],
            },
        ),
        ("Search and sharing", {"fields": ["meta_description"]}),
        (
            "Language and translation",
            {
                "description": "A translation is published and reviewed like any article. It "
                "is behind when its source has a newer live version than the one its text follows.",
                "fields": [
                    "language",
                    "translation_of",
                    "translated_from_release",
                    "translation_status",
                ],
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not can_publish(request):
            fields += ArticleForm.REVIEW_FIELDS
        return fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.can_publish = can_publish(request)
        return form

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        if article is not None and request.method == "POST":
            # Saving records every part in the history (django-reversion follows them from
            # the article, naming each quote's expert and citation's reference): read them
            # here in four queries rather than one per row.
            prefetch_related_objects([article], *PARTS_AS_NAMED)
        return article

    def get_formsets_with_inlines(self, request, obj=None):
        # The page's formsets see each other, so the sections can check every [n]
        # marker against the citations submitted with them, before anything is saved.
        return sharing_siblings(super().get_formsets_with_inlines(request, obj))

    def get_queryset(self, request):
        latest = Release.objects.filter(article=OuterRef("pk")).order_by("-number")
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_hash=Subquery(latest.values("content_hash")[:1]),
                latest_go_live=Subquery(latest.values("go_live_at")[:1]),
            )
        )

    @admin.display(description="status")
    def stage(self, article):
        if article.latest_go_live is None:
            latest = None
        else:
            latest = Release(content_hash=article.latest_hash, go_live_at=article.latest_go_live)
        return releases.STAGES[releases.stage(article, latest)]

    @admin.display(description="where it stands")
    def stage_and_versions(self, article):
        if not article.pk:
            return "Draft: patients see nothing until a medical reviewer publishes it."
        return format_html(
            '{} · <a href="{}">versions</a>',
            self.stage(article),
            reverse("admin:articles_article_releases", args=[article.pk]),
        )

    @admin.display(description="next review due", ordering="next_review_due")
    def next_review(self, article):
        if not article.next_review_due:
            return "—"
        if article.review_overdue():
            return f"{article.next_review_due:%Y-%m-%d} (overdue)"
        return f"{article.next_review_due:%Y-%m-%d}"

    @admin.display(description="compared with its source")
    def translation_status(self, article):
        if not article.pk or not article.translation_of_id:
            return "Not a translation."
        return translations.status_html(article)

    @admin.display(description="reading level")
    def reading_level(self, article):
        if article.reading_grade is None:
            return "Not worked out yet: it is calculated when the article is saved."
        if article.language == "es" and article.reading_score is not None:
            return (
                f"Fernández-Huerta {article.reading_score} "
                f"({spanish_label(float(article.reading_score))}) ≈ US school grade "
                f"{article.reading_grade} (aim for 8 or lower, a score of about 65 or more); "
                f"{article.word_count} words, about {article.reading_minutes} min to read"
            )
        return (
            f"US school grade {article.reading_grade} (aim for 8 or lower); "
            f"{article.word_count} words, about {article.reading_minutes} min to read"
        )

    @admin.display(description="plain language")
    def plain_language(self, article):
        if not article.pk:
            return "Shown after saving."
        return plain_panel.render_for_change_form(article)

    # Actions -------------------------------------------------------------------

    @admin.action(description="Translate into Spanish", permissions=["add"])
    def translate_into_spanish(self, request, queryset):
        for source in queryset:
            try:
                translation = translations.start(source, "es", request.user)
            except translations.TranslationError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.log_addition(request, translation, "Started as a Spanish translation.")
            self.message_user(
                request,
                format_html(
                    'Started <a href="{}">{}</a>: a draft to translate, from version {} of the source.',
                    reverse("admin:articles_article_change", args=[translation.pk]),
                    translation.slug,
                    translation.translated_from_release.number,
                ),
                messages.SUCCESS,
            )

    @admin.action(
        description="Mark translations as following their source's live version",
        permissions=["change"],
    )
    def mark_translation_up_to_date(self, request, queryset):
        for article in queryset:
            try:
                live = translations.mark_up_to_date(article)
            except translations.TranslationError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.message_user(
                request,
                f"“{article}” now follows version {live.number} of its source; "
                "publish it to show patients.",
                messages.SUCCESS,
            )

    @admin.action(description="Send selected articles to medical review", permissions=["change"])
    def send_to_review(self, request, queryset):
        """Ask a medical reviewer to look at the working copy (published ones included)."""
        sent = []
        for article in queryset.exclude(
            status__in=[Article.Status.IN_REVIEW, Article.Status.ARCHIVED]
        ):
            workflow.send_to_review(article, request)
            sent.append(article.title)
        set_comment("Sent to medical review from the article list.")
        if sent:
            self.message_user(request, f"Sent to review: {', '.join(sent)}.", messages.SUCCESS)
        else:
            self.message_user(
                request, "Nothing to send: those are in review or archived.", messages.WARNING
            )

    @admin.action(
        description="Archive selected articles (take them off the site; medical reviewers only)",
        permissions=["publish"],
    )
    def archive(self, request, queryset):
        archived = []
        for article in queryset.exclude(status=Article.Status.ARCHIVED):
            workflow.archive(article, request)
            archived.append(article.title)
        set_comment("Archived from the article list.")
        if archived:
            self.message_user(request, f"Archived: {', '.join(archived)}.", messages.SUCCESS)
        left = Article.objects.live().filter(translation_of__in=queryset).order_by("title")
        if left:
            names = ", ".join(f"“{t}” ({t.get_language_display()})" for t in left)
            self.message_user(
                request,
                f"Still live, with no live source: {names}. Patients still read them; "
                "archive them too, or publish the source again. They show as "
                "“source withdrawn” in the review queue.",
                messages.WARNING,
            )

    def has_publish_permission(self, request):
        return can_publish(request)

    def save_model(self, request, obj, form, change):
        sending = workflow.is_sending_to_review(form)
        if sending:
            workflow.mark_sent_to_review(obj, request.user)
        super().save_model(request, obj, form, change)
        if sending:
            workflow.announce(obj, workflow.SENT_TO_REVIEW, request)

    # Restoring versions: editors may not publish or change review details that way

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not can_publish(request):
            version = get_object_or_404(Version, pk=version_id, object_id=unquote(object_id))
            if publishing.restore_needs_reviewer(
                version, self.get_object(request, unquote(object_id))
            ):
                return self._refuse_restore(request, "admin:articles_article_history", object_id)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if request.method == "POST" and not can_publish(request):
            version = get_object_or_404(Version, pk=version_id)
            if publishing.restore_needs_reviewer(version, None):
                return self._refuse_restore(request, "admin:articles_article_recoverlist")
        return super().recover_view(request, version_id, extra_context)

    def _refuse_restore(self, request, url_name, *args):
        self.message_user(
            request,
            "Only medical reviewers can restore this version: it would publish, archive or "
            "bring back the article, or change its review details. Nothing was changed.",
            messages.ERROR,
        )
        return redirect(url_name, *args)

    # History: a list with links to compare versions --------------------------

    def get_urls(self):
        view = functools.partial(module_view, self)
        return [
            path(
                "<path:object_id>/history/compare/",
                view(history.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/publish/",
                view(publishing.publish_view),
                name="articles_article_publish",
            ),
            path(
                "<path:object_id>/send-back/",
                view(review.send_back_view),
                name="articles_article_send_back",
            ),
            path(
                "<path:object_id>/share/",
                view(sharing.share_links_view),
                name="articles_article_share",
            ),
            path(
                "<path:object_id>/share/<int:link_id>/revoke/",
                view(sharing.revoke_view),
                name="articles_article_share_revoke",
            ),
            path(
                "<path:object_id>/versions/",
                view(publishing.releases_view),
                name="articles_article_releases",
            ),
            path(
                "<path:object_id>/versions/compare/",
                view(publishing.compare_releases_view),
                name="articles_article_compare_releases",
            ),
            path(
                "<path:object_id>/versions/<int:number>/reschedule/",
                view(publishing.reschedule_view),
                name="articles_article_reschedule",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        context = history.history_context(object_id) | (extra_context or {})
        return super().history_view(request, object_id, context)


class TopicTranslationInline(PortalFieldsMixin, admin.StackedInline):
    model = TopicTranslation
    extra = 0
    verbose_name_plural = "translations (shown on the pages in that language; English where none)"


class TopicCodeInline(admin.TabularInline):
    model = TopicCode
    extra = 0
    verbose_name = "diagnosis code"
    verbose_name_plural = (
        "diagnosis codes (for the health record's Infobutton; not shown to patients)"
    )


@admin.register(Topic)
class TopicAdmin(VersionBeforeDeleteMixin, PortalAdminMixin, VersionAdmin):
    list_display = ["name", "article_count"]
    search_fields = ["name", "codes__code"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description"]
    inlines = [TopicTranslationInline, TopicCodeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, topic):
        return topic.article_count


@admin.register(Reference)
class ReferenceAdmin(StaleSaveMixin, VersionBeforeDeleteMixin, PortalAdminMixin, VersionAdmin):
    list_display = ["__str__", "journal", "year", "study_type", "doi", "pmid"]
    list_filter = ["study_type", "year"]
    search_fields = ["title", "authors", "journal", "doi", "pmid"]
    readonly_fields = ["ama_citation", "cited_by", "updated"]
    fieldsets = [
        (None, {"fields": ["authors", "title", "journal", "year", "volume", "issue", "pages"]}),
        ("Finding it", {"fields": ["doi", "pmid", "url", "study_type", "last_checked"]}),
        ("As printed", {"fields": ["ama_citation", "cited_by", "updated"]}),
    ]

    @admin.display(description="AMA style")
    def ama_citation(self, reference):
        if not reference.pk:
            return "Shown after saving."
        return ama_html(reference)

    @admin.display(description="cited by")
    def cited_by(self, reference):
        if not reference.pk:
            return "No articles yet."
        articles = Article.objects.filter(citations__reference=reference).distinct()
        links = [
            (reverse("admin:articles_article_change", args=[article.pk]), article.title)
            for article in articles
        ]
        if not links:
            return "No articles yet."
        return format_html(
            "<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', links)
        )


@admin.register(PlainTerm)
class PlainTermAdmin(PortalAdminMixin, admin.ModelAdmin):
    """The clinic's own plain-language words, added to the built-in list in the panel."""

    list_display = ["term", "alternative"]
    search_fields = ["term", "alternative"]
    fields = ["term", "alternative"]


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article", "created"]
    list_select_related = ["article"]
    search_fields = ["old_slug", "article__title"]
    autocomplete_fields = ["article"]


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Releases, read-only: the approval record. They are made only by publishing."""

    list_display = ["title", "number", "go_live_at", "reviewer_name", "reviewed_on", "approved_by"]
    list_filter = ["go_live_at", "reviewed_by"]
    list_select_related = ["approved_by"]
    search_fields = ["title", "article__slug", "note"]
    fields = [
        "article", "number", "title", "summary", "reviewer_name", "reviewed_on", "approved_by",
        "go_live_at", "note", "reading_grade", "above_target_reason", "word_count",
    ]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content", "rendered")


@admin.register(HandoutGiven)
class HandoutGivenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The "given to a patient" log: read-only, with a summary and a CSV of it."""

    list_display = ["given_at", "article", "version", "language", "paper", "large_print",
                    "in_packet", "given_by", "reprint"]  # fmt: skip
    list_filter = ["given_at", "large_print", "in_packet", "paper", "article__topics"]
    date_hierarchy = "given_at"
    list_select_related = ["article", "release", "given_by"]
    search_fields = ["article__title"]
    change_list_template = "admin/articles/handoutgiven/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("release__content", "release__rendered")

    @admin.display(description="version", ordering="release__number")
    def version(self, given):
        return given.release.number

    @admin.display(description="reprint")
    def reprint(self, given):
        url = reverse("articles:handout", kwargs={"slug": given.article.slug})
        return format_html(
            '<a href="{}?release={}">Version {} handout</a>', url, given.release.number,
            given.release.number,
        )  # fmt: skip

    def get_urls(self):
        view = functools.partial(module_view, self)
        return [
            path(
                "summary/", view(handout_report.summary_view), name="articles_handoutgiven_summary"
            ),
            path(
                "summary.csv",
                view(handout_report.summary_csv_view),
                name="articles_handoutgiven_summary_csv",
            ),
            *super().get_urls(),
        ]
