import contextlib
import datetime
import re

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from taggit.managers import TaggableManager

from articles import codes
from common.links import validate_web_url
from common.richtext import RichTextField
from common.signals import content_changed
from common.slugs import ascii_slug
from common.text import CleanTextMixin, clean_values
from common.translations import blank_if_empty, in_language, other_languages, shown
from common.uploads import IMAGE_VALIDATORS, GeneratedNameImageField
from experts.models import Expert


def add_months(day, months):
    """Return day moved by months, clamped to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


KEY_POINTS_MAX = 5
KEY_POINT_MAX_LENGTH = 200


def key_point_list(text):
    """Return the key points written one a line (blank lines and spaces at the ends dropped)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def validate_key_points(text):
    """Refuse more than KEY_POINTS_MAX points, a point that is too long, or an empty line."""
    lines = (text or "").strip().splitlines()
    if any(not line.strip() for line in lines):
        raise ValidationError(
            "Remove the empty lines: write one key point on each line.", code="key_points_empty"
        )
    if len(lines) > KEY_POINTS_MAX:
        raise ValidationError(
            "There are %(count)d key points; keep the %(max)d that matter most.",
            code="key_points_count",
            params={"count": len(lines), "max": KEY_POINTS_MAX},
        )
    for number, line in enumerate(lines, 1):
        if len(line.strip()) > KEY_POINT_MAX_LENGTH:
            raise ValidationError(
                "Key point %(number)d has %(length)d characters; shorten it to %(max)d or fewer.",
                code="key_point_length",
                params={"number": number, "length": len(line.strip()), "max": KEY_POINT_MAX_LENGTH},
            )


TOPIC_TRANSLATED = ("name", "description")


class TopicQuerySet(models.QuerySet):
    def in_language(self, language=None):
        """Annotate each topic's name and description in the language (see shown_name)."""
        return in_language(self, TOPIC_TRANSLATED, language)


class Topic(CleanTextMixin, models.Model):
    """A condition or theme that groups articles, e.g. restless legs syndrome."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(
        max_length=140,
        unique=True,
        blank=True,
        help_text="Part of the web address; filled in from the name if left blank.",
    )
    description = RichTextField(
        help_text="A short introduction shown at the top of the topic page."
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.slug = ascii_slug(self, 140, self.slug, self.name, fallback="topic")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})

    @property
    def shown_name(self):
        """Return the name in the page's language (with in_language()), else the English."""
        return shown(self, "name")

    @property
    def shown_description(self):
        """Return the introduction in the page's language (with in_language()), else the English."""
        return shown(self, "description")


class TopicTranslation(CleanTextMixin, models.Model):
    """A topic's name and introduction in another language; the English shows where none is."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=10, choices=other_languages())
    name = models.CharField(
        max_length=120,
        help_text="The topic's name in that language, e.g. Síndrome de piernas inquietas.",
    )
    description = RichTextField(
        help_text="The introduction at the top of the topic page, in that language. "
        "Left empty, the page shows the English one."
    )

    class Meta:
        ordering = ["topic", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "language"], name="topictranslation_unique_language"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_language_display()})"

    def save(self, *args, **kwargs):
        self.description = blank_if_empty(self.description)
        super().save(*args, **kwargs)


class TopicCode(models.Model):
    """A diagnosis code of a topic: the health record's Infobutton finds the topic by it."""

    class System(models.TextChoices):
        ICD10CM = codes.ICD10CM, "ICD-10-CM"
        SNOMED_CT = codes.SNOMED_CT, "SNOMED CT"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="codes")
    system = models.CharField(
        "code system", max_length=40, choices=System.choices, default=System.ICD10CM
    )
    code = models.CharField(
        max_length=codes.MAX_LENGTH,
        help_text="As in the health record, e.g. G25.81 (ICD-10-CM) or 32914008 (SNOMED CT).",
    )
    display = models.CharField(
        "name",
        max_length=200,
        blank=True,
        help_text="Optional: what the code means, e.g. Restless legs syndrome. Staff only.",
    )

    class Meta:
        ordering = ["system", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "system", "code"], name="topiccode_unique_code"
            )
        ]
        indexes = [models.Index(fields=["system", "code"], name="topiccode_lookup_idx")]

    def __str__(self):
        return f"{self.get_system_display()} {self.code}"

    def save(self, *args, **kwargs):
        # full_clean() says what is wrong with a code; a direct save stores what it is given.
        with contextlib.suppress(codes.InvalidCode):
            self.code = codes.normalize(self.system, self.code)
        super().save(*args, **kwargs)

    def clean(self):
        try:
            self.code = codes.normalize(self.system, self.code)
        except codes.InvalidCode as error:
            raise ValidationError({"code": str(error)}) from error


@reversion.register()
class Reference(CleanTextMixin, models.Model):
    """A study or source, stored once and cited by any number of articles."""

    class StudyType(models.TextChoices):
        SYSTEMATIC_REVIEW = "systematic_review", "Systematic review"
        META_ANALYSIS = "meta_analysis", "Meta-analysis"
        CLINICAL_TRIAL = "clinical_trial", "Clinical trial"
        OBSERVATIONAL = "observational", "Observational study"
        REVIEW = "review", "Review"
        GUIDELINE = "guideline", "Clinical guideline"
        OTHER = "other", "Other source"

    authors = models.CharField(
        max_length=500,
        blank=True,
        help_text="As in AMA style: surname and initials, comma-separated; after six authors list three and “et al”, e.g. Marshall NS, Serinel Y, Killick R, et al.",
    )
    title = models.CharField(
        max_length=500, help_text="The study's title, without a final full stop."
    )
    journal = models.CharField(
        max_length=200, blank=True, help_text="Abbreviated journal name, e.g. Sleep Med Rev."
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    pages = models.CharField(
        max_length=40, blank=True, help_text="e.g. 501-505, or an article number such as 101218."
    )
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        help_text="e.g. 10.1016/j.smrv.2019.101218 (without https://doi.org/).",
    )
    pmid = models.CharField("PMID", max_length=12, blank=True, help_text="PubMed ID, digits only.")
    url = models.URLField(
        "web address",
        blank=True,
        validators=[validate_web_url],
        help_text="For sources without a DOI or PMID.",
    )
    study_type = models.CharField(max_length=30, choices=StudyType.choices, default=StudyType.OTHER)
    last_checked = models.DateField(
        null=True,
        blank=True,
        help_text="When someone last checked these details against the source.",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["authors", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["doi"], condition=~Q(doi=""), name="reference_unique_doi"
            ),
            models.UniqueConstraint(
                fields=["pmid"], condition=~Q(pmid=""), name="reference_unique_pmid"
            ),
        ]

    def __str__(self):
        first_author = self.authors.split(",")[0].strip()
        parts = [first_author, str(self.year or ""), self.title[:80]]
        return " · ".join(part for part in parts if part)

    def clean(self):
        self.doi = self.doi.strip().removeprefix("https://doi.org/").removeprefix("doi:")
        if self.doi and not self.doi.startswith("10."):
            raise ValidationError(
                {"doi": "A DOI starts with “10.”, e.g. 10.1016/j.smrv.2019.101218."}
            )
        if self.pmid and not self.pmid.strip().isdigit():
            raise ValidationError({"pmid": "A PubMed ID is digits only, e.g. 9703590."})
        if self.year and not 1800 <= self.year <= timezone.now().year + 1:
            raise ValidationError({"year": "Enter the year of publication, e.g. 2019."})

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""


# Printed handouts link to the article with the release they show (?from=v3): a later
# release tells the patient the page has changed since. Only this exact form counts.
HANDOUT_MARKER = re.compile(r"from=v([1-9][0-9]{0,5})")


def handout_marker(query_string):
    """Return the release number a printed handout's link names (?from=v3), or None."""
    found = HANDOUT_MARKER.fullmatch(query_string)
    return int(found.group(1)) if found else None


def can_preview(user):
    """Say whether this user sees working copies and every release (by permission, not is_staff)."""
    return user.has_perm("articles.change_article")


# Why a translation is stale (Article.objects.stale_translations(), stale_reason).
SOURCE_UPDATED = "source updated"
SOURCE_WITHDRAWN = "source withdrawn"


class ArticleQuerySet(models.QuerySet):
    def live(self, now=None):
        """Return articles that have a live release (see ReleaseQuerySet.live)."""
        return self.filter(models.Exists(Release.objects.live(now).filter(article=OuterRef("pk"))))

    def with_live_flag(self, now=None):
        """Annotate each article with is_live: whether it has a live release."""
        live = Release.objects.live(now).filter(article=OuterRef("pk"))
        return self.annotate(is_live=models.Exists(live))

    def for_snapshot(self):
        """Join everything a release freezes of the working copy, in a fixed number of queries."""
        return self.select_related("reviewed_by", "author").prefetch_related(
            "sections",
            models.Prefetch("quotes", queryset=Quote.objects.select_related("expert")),
            models.Prefetch("citations", queryset=Citation.objects.select_related("reference")),
            "faqs",
        )

    def update(self, **kwargs):
        """Update rows and tell the site (page cache, search) once the change commits."""
        count = super().update(**clean_values(kwargs))
        content_changed.send(sender=self.model, pks=None)
        return count

    def store_working_copy_stats(self, **fields):
        """Store derived working-copy values (digest, reading stats) that patients never see."""
        return super().update(**fields)

    def stale_translations(self, now=None):
        """Return live translations that patients may read out of date, with the reason.

        A translation is stale when its live release was made from an older source release
        than the source's live one ("source updated"), or when its source has no live
        release at all, archived or withdrawn ("source withdrawn"): the translation is
        still live on its own. Each is annotated with stale_reason, source_live_number (the
        source's live release; None when withdrawn) and translated_from_number (the source
        release the live translation was made from; None for a release that recorded none,
        which counts as behind).
        """
        live = Release.objects.live(now)
        return (
            self.filter(translation_of__isnull=False)
            .annotate(
                source_live_number=models.Subquery(
                    live.filter(article=OuterRef("translation_of")).values("number")[:1]
                ),
                translated_from_number=models.Subquery(
                    live.filter(article=OuterRef("pk")).values("source_release__number")[:1]
                ),
            )
            .filter(
                Q(source_live_number__isnull=True)
                | Q(source_live_number__gt=Coalesce("translated_from_number", 0)),
                models.Exists(live.filter(article=OuterRef("pk"))),
            )
            .annotate(
                stale_reason=models.Case(
                    models.When(
                        source_live_number__isnull=True, then=models.Value(SOURCE_WITHDRAWN)
                    ),
                    default=models.Value(SOURCE_UPDATED),
                    output_field=models.CharField(),
                )
            )
        )

    def review_due(self, within_days=30, today=None):
        """Return articles whose next review is overdue or due within the given days."""
        today = today or timezone.localdate()
        return self.filter(
            next_review_due__lte=today + datetime.timedelta(days=within_days)
        ).exclude(status=Article.Status.ARCHIVED)


@reversion.register(follow=["sections", "quotes", "citations", "faqs"])
class Article(CleanTextMixin, models.Model):
    """A patient-education article."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    # Set only by medical reviewers (read-only for editors; see articles/publishing.py).
    REVIEW_FIELDS = ("reviewed_by", "last_reviewed", "next_review_due")

    title = models.CharField(
        max_length=200, help_text="Plain and specific, e.g. “Magnesium for restless legs syndrome”."
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="Part of the web address; filled in from the title if left blank. Changing it later keeps the old address working.",
    )
    summary = models.TextField(
        max_length=600,
        help_text="One or two plain sentences shown under the title, in lists and in search results.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    tags = TaggableManager(blank=True, help_text="Comma-separated keywords, e.g. magnesium, sleep.")
    hero_image = GeneratedNameImageField(
        upload_to="articles/",
        blank=True,
        validators=IMAGE_VALIDATORS,
        help_text="Optional picture at the top: JPEG, PNG, GIF or WebP, 5 MB at most.",
    )
    hero_image_alt = models.CharField(
        "hero image description",
        max_length=200,
        blank=True,
        help_text="Describe the picture for people who cannot see it. Required with a picture.",
    )
    author = models.ForeignKey(
        Expert, null=True, blank=True, on_delete=models.SET_NULL, related_name="authored_articles"
    )
    featured = models.BooleanField(default=False, help_text="Show on the home page.")
    meta_description = models.CharField(
        max_length=160,
        blank=True,
        help_text="Optional text for search engines and link previews (160 characters); the summary is used if blank.",
    )

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    reviewed_by = models.ForeignKey(
        Expert,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_articles",
        verbose_name="medically reviewed by",
    )
    last_reviewed = models.DateField(
        null=True, blank=True, help_text="The date of the last medical review."
    )
    next_review_due = models.DateField(
        null=True, blank=True, help_text="Defaults to 12 months after the last review."
    )
    disclaimer = models.TextField(
        blank=True, help_text="Leave blank to use the clinic's default disclaimer."
    )
    key_points = models.TextField(
        blank=True,
        validators=[validate_key_points],
        help_text="Optional: up to 5 short points a patient should remember, one on each line, "
        "e.g. “Take magnesium in the evening.” Shown in a box at the top of the page and handout.",
    )
    get_help = RichTextField(
        "when to get help",
        blank=True,
        help_text="Optional: when to call the clinic and when to call 911 or go to the "
        "emergency room. Shown in a warning box on the page and handout.",
    )
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text="The language the article is written in; its pages show in that language.",
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="translations",
        verbose_name="translation of",
        help_text="For a translation: the article it was translated from.",
    )
    # The source release this translation's text follows; publishing records it on the
    # new release (Release.source_release). Set when the translation is started and when
    # staff mark it as brought up to date with a newer source release.
    translated_from_release = models.ForeignKey(
        "Release",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="translated from version",
        help_text="The version of the source article this translation follows.",
    )

    reading_grade = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
        help_text="US school grade needed to read the article (Flesch–Kincaid; for Spanish, from the Fernández-Huerta score); aim for 8 or lower.",
    )
    reading_score = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
        help_text="For Spanish: the Fernández-Huerta readability score, 0 (very hard) to 100 (very easy).",
    )
    word_count = models.PositiveIntegerField(default=0, editable=False)
    # The grade of each part (summary, key points, sections, quotes, FAQs): see
    # articles/releases.py, reading_parts(). Stored with the stats after each change.
    reading_parts = models.JSONField(default=list, blank=True, editable=False)
    # A digest of what a release would freeze of the working copy now: it differs from the
    # latest release's when there are changes not yet reviewed (see articles/releases.py).
    working_hash = models.CharField(max_length=64, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)
    # The editorial workflow (articles/workflow.py): who last asked for a medical review,
    # and the reviewer's answer when they sent the article back instead of publishing.
    sent_for_review_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_for_review_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_back_comment = models.TextField(blank=True, editable=False)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_back_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated", "-pk"]
        permissions = [
            ("publish_article", "Can publish articles (create releases) and set review fields"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.slug = ascii_slug(self, 200, self.slug, self.title, fallback="article")
        self.last_reviewed = self._meta.get_field("last_reviewed").to_python(self.last_reviewed)
        if self.last_reviewed and not self.next_review_due:
            self.next_review_due = add_months(self.last_reviewed, 12)
        if self.pk is not None and not self._state.adding:
            self._remember_old_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.translation_of_id and self.translation_of_id == self.pk:
            errors["translation_of"] = "An article cannot be a translation of itself."
        elif self.translation_of and self.translation_of.language == self.language:
            errors["language"] = "A translation is in another language than its source."
        if (
            self.last_reviewed
            and self.next_review_due
            and self.next_review_due <= self.last_reviewed
        ):
            errors["next_review_due"] = "The next review must be after the last review."
        if self.hero_image and not self.hero_image_alt:
            errors["hero_image_alt"] = "Describe the picture for people who cannot see it."
        if errors:
            raise ValidationError(errors)

    def _remember_old_slug(self):
        """Keep the old address of a released article working after a slug change."""
        old = Article.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
        if old and old != self.slug and self.releases.exists():
            SlugRedirect.objects.update_or_create(old_slug=old, defaults={"article": self})
            SlugRedirect.objects.filter(old_slug=self.slug).delete()

    @property
    def reading_minutes(self):
        """Return the reading time in whole minutes at 200 words a minute."""
        return max(1, round(self.word_count / 200))

    def review_overdue(self, today=None):
        return bool(self.next_review_due and self.next_review_due < (today or timezone.localdate()))


class SlugRedirect(models.Model):
    """An old address of an article, answered with a permanent redirect."""

    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


class ArticleChild(CleanTextMixin, models.Model):
    """Fields shared by the ordered parts of an article."""

    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the page, from 1.")

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    @classmethod
    def position_constraint(cls, name):
        return models.UniqueConstraint(
            fields=["article", "position"], name=f"{name}_unique_position"
        )


@reversion.register()
class Section(ArticleChild):
    """A part of an article: a heading and its text."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(
        max_length=200,
        blank=True,
        help_text="Leave blank for an opening section without a heading.",
    )
    body = RichTextField(
        help_text="Paragraphs, sub-headings and lists. Write [1], [2] … to cite the article's references by number."
    )

    class Meta(ArticleChild.Meta):
        constraints = [ArticleChild.position_constraint("section")]

    def __str__(self):
        return self.heading or f"Section {self.position}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#section-{self.position}"


@reversion.register()
class Quote(ArticleChild):
    """An expert's words, shown as a pull quote after a section."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="quotes")
    text = models.TextField(help_text="The expert's exact words, without quotation marks.")
    section = models.ForeignKey(
        Section,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
        help_text="The section the quote follows. Blank: after the last section.",
    )
    note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Internal note, e.g. how the attribution was decided. Not shown to patients.",
    )

    class Meta(ArticleChild.Meta):
        constraints = [ArticleChild.position_constraint("quote")]

    def __str__(self):
        return f"{self.expert}: {self.text[:60]}"

    def clean(self):
        if self.section_id and self.article_id and self.section.article_id != self.article_id:
            raise ValidationError({"section": "Choose a section of this article."})


@reversion.register()
class Citation(ArticleChild):
    """The article's nth reference: [n] in a section body links to it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="citations")
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="citations")

    class Meta(ArticleChild.Meta):
        constraints = [
            ArticleChild.position_constraint("citation"),
            models.UniqueConstraint(
                fields=["article", "reference"], name="citation_unique_reference"
            ),
        ]

    def __str__(self):
        return f"[{self.position}] {self.reference}"


@reversion.register()
class FAQ(ArticleChild):
    """A frequently asked question and its answer."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(max_length=300)
    answer = RichTextField()

    class Meta(ArticleChild.Meta):
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"
        constraints = [ArticleChild.position_constraint("faq")]

    def __str__(self):
        return self.question


class ReleaseQuerySet(models.QuerySet):
    def live(self, now=None):
        """Return the live releases: each article's newest release whose go-live time has
        passed, unless the article is archived. Every public route starts here."""
        now = now or timezone.now()
        newer = Release.objects.filter(
            article=OuterRef("article"), number__gt=OuterRef("number"), go_live_at__lte=now
        )
        return (
            self.filter(go_live_at__lte=now)
            .exclude(article__status=Article.Status.ARCHIVED)
            .exclude(models.Exists(newer))
        )

    def scheduled(self, now=None):
        """Return releases waiting for their go-live time (of articles not archived)."""
        return self.filter(go_live_at__gt=now or timezone.now()).exclude(
            article__status=Article.Status.ARCHIVED
        )

    def in_language(self, language=None):
        """Return releases in the given language (default: the language of this request)."""
        return self.filter(language=language or translation.get_language())

    def with_translations(self, now=None):
        """Annotate what a page says about its other languages, in the same query.

        alt_<code>: the slug of the live article in that language that this one translates,
        is translated by, or shares a source with; for a translation, the source's live
        release: source_live_number, source_live_at and source_slug, and
        translated_from_number (the source release this one was made from).
        """
        live = Release.objects.live(now)
        source = live.filter(article=OuterRef("article__translation_of"))
        related = (
            Q(article=OuterRef("article__translation_of"))
            | Q(article__translation_of=OuterRef("article"))
            | Q(article__translation_of=OuterRef("article__translation_of"))
        )
        others = {
            f"alt_{code}": models.Subquery(
                live.filter(related, language=code)
                .exclude(article=OuterRef("article"))
                .values("article__slug")[:1]
            )
            for code, _ in settings.LANGUAGES
        }
        return self.annotate(
            **others,
            source_live_number=models.Subquery(source.values("number")[:1]),
            source_live_at=models.Subquery(source.values("go_live_at")[:1]),
            source_slug=models.Subquery(source.values("article__slug")[:1]),
            translated_from_number=models.F("source_release__number"),
        )

    def featuring(self, expert):
        """Return releases the expert reviewed, wrote or is quoted in (as they stood)."""
        return self.filter(experts=expert)

    def for_listing(self):
        """Join what article cards show: the article's address and topics (in the page's language)."""
        return (
            self.select_related("article")
            .prefetch_related(
                models.Prefetch("article__topics", queryset=Topic.objects.in_language())
            )
            .defer("content", "rendered")
            .order_by("-go_live_at", "-pk")
        )

    def update(self, **kwargs):
        """Refuse to change a release: only the stored page parts (derived) may be updated."""
        if set(kwargs) - {"rendered"}:
            raise ReleaseIsImmutable("A release is never changed: publish a new one instead.")
        return super().update(**kwargs)

    def reschedule(self, go_live_at, now=None):
        """Move releases that are not live yet to a new go-live time: the one change allowed."""
        pending = self.filter(go_live_at__gt=now or timezone.now())
        count = super(ReleaseQuerySet, pending).update(go_live_at=go_live_at)
        content_changed.send(sender=Release, pks=None)
        return count

    def delete(self):
        raise ReleaseIsImmutable("A release is never deleted: archive the article instead.")

    delete.queryset_only = True


class ReleaseIsImmutable(Exception):
    """Raised on an attempt to change or delete a release."""


class Release(CleanTextMixin, models.Model):
    """An immutable, medically reviewed copy of everything patients see of an article.

    Publishing freezes the working copy (the Article and its sections, quotes, citations
    and FAQs) into a release; patients only ever see an article's live release.
    """

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="releases")
    number = models.PositiveIntegerField(help_text="1, 2, 3 … per article; printed on handouts.")
    language = models.CharField(max_length=10, default="en")
    source_release = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="translated_releases",
        help_text="For a translation: the release of the source article it was translated from.",
    )
    title = models.CharField(max_length=200)
    summary = models.TextField()
    # Sections, quotes (with the experts as they stood), citations (with the references as
    # cited), FAQs, disclaimer, reviewer and author: see articles/releases.py, snapshot().
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    reading_grade = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    word_count = models.PositiveIntegerField(default=0)
    reading_parts = models.JSONField(
        default=list, blank=True, help_text="The reading grade of each part, as published."
    )
    above_target_reason = models.TextField(
        "published above the reading target because",
        blank=True,
        help_text="The reviewer's reason for publishing text harder than the clinic's "
        "reading target (empty when it met the target).",
    )
    reviewed_by = models.ForeignKey(
        Expert,
        on_delete=models.PROTECT,
        related_name="reviewed_releases",
        verbose_name="medically reviewed by",
    )
    experts = models.ManyToManyField(
        Expert,
        related_name="featured_in_releases",
        help_text="Everyone the release shows: reviewer, author and quoted experts.",
    )
    reviewer_name = models.CharField(
        max_length=400, help_text="The reviewer's name and credentials as they stood."
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="approved_releases",
        help_text="The staff member who published it (empty for releases made by an upgrade).",
    )
    reviewed_on = models.DateField("review date")
    go_live_at = models.DateTimeField("go-live time", db_index=True)
    note = models.TextField("what changed", blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # The page parts rendered from `content`, keyed by the code version (derived, see
    # articles/rendering.py): the one column that may be written after publishing.
    rendered = models.JSONField(default=dict, blank=True, editable=False)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["article", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="release_unique_number")
        ]
        indexes = [models.Index(fields=["article", "go_live_at"], name="release_live_idx")]

    def __str__(self):
        return f"{self.title} · version {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ReleaseIsImmutable("A release is never changed: publish a new one instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("articles:detail", kwargs={"slug": self.article.slug})

    def delete(self, *args, **kwargs):
        raise ReleaseIsImmutable("A release is never deleted: archive the article instead.")

    @property
    def slug(self):
        return self.article.slug

    @property
    def reading_minutes(self):
        """Return the reading time in whole minutes at 200 words a minute."""
        return max(1, round(self.word_count / 200))

    @property
    def alternates(self):
        """Return {language: slug} of the live versions of this article in other languages.

        Needs with_translations(); empty without it.
        """
        return {
            code: slug
            for code, _ in settings.LANGUAGES
            if (slug := getattr(self, f"alt_{code}", None)) and code != self.language
        }

    @property
    def is_stale(self):
        """Say whether the source got a newer live release than this translation follows.

        Needs with_translations(); False without it.
        """
        newest = getattr(self, "source_live_number", None)
        return newest is not None and newest > (getattr(self, "translated_from_number", 0) or 0)

    @property
    def disclaimer(self):
        return self.content.get("disclaimer", "")

    @property
    def key_points(self):
        return self.content.get("key_points", [])

    @property
    def get_help(self):
        return self.content.get("get_help", "")

    @property
    def meta_description(self):
        return self.content.get("meta_description", "")


class PlainTerm(models.Model):
    """A word the clinic wants writers to avoid, with a plainer one (adds to the built-in list)."""

    term = models.CharField(
        max_length=100,
        unique=True,
        help_text="The word or phrase to avoid, e.g. “hypertension”. Plurals and -ed/-ing "
        "forms are found too.",
    )
    alternative = models.CharField(
        "plainer words",
        max_length=200,
        help_text="What to write instead, e.g. “high blood pressure”. Separate several "
        "choices with semicolons.",
    )

    class Meta:
        ordering = ["term"]
        verbose_name = "plain-language word"
        verbose_name_plural = "plain-language words"

    def __str__(self):
        return f"{self.term} → {self.alternative}"

    def clean(self):
        self.term = " ".join(self.term.split())
        if self.term and not any(char.isalnum() for char in self.term):
            raise ValidationError({"term": "Enter a word or phrase with letters in it."})


class HandoutGivenQuerySet(models.QuerySet):
    def since(self, start):
        """Return handouts given on or after this date."""
        return self.filter(given_at__date__gte=start)


class HandoutGiven(models.Model):
    """One handout printed for a patient at the front desk: what was given, never to whom.

    There is deliberately no field for the patient (no name, date of birth, record number
    or free text): the "For:" line on a handout is printed and forgotten.
    """

    class Paper(models.TextChoices):
        A4 = "a4", "A4"
        LETTER = "letter", "US Letter"

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="handouts_given")
    release = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        related_name="handouts_given",
        help_text="The reviewed version that was printed; reprint it from here.",
    )
    language = models.CharField(max_length=10, default="en")
    paper = models.CharField(max_length=10, choices=Paper.choices, default=Paper.A4)
    large_print = models.BooleanField(default=False)
    in_packet = models.BooleanField(
        "in a packet", default=False, help_text="Printed with other handouts as one packet."
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff member who printed it.",
    )
    given_at = models.DateTimeField("given", default=timezone.now, db_index=True)

    objects = HandoutGivenQuerySet.as_manager()

    class Meta:
        verbose_name = "handout given"
        verbose_name_plural = "handouts given"
        ordering = ["-given_at", "-pk"]

    def __str__(self):
        return f"{self.release} · {self.given_at:%Y-%m-%d %H:%M}"


class ShareLinkQuerySet(models.QuerySet):
    def active(self, now=None):
        """Return links that open: not revoked and not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ShareLink(models.Model):
    """A link that lets someone without an account read a draft, until it expires or is revoked.

    The address carries a signed token naming this row (articles/sharing.py); the row
    decides whether the link still opens.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="share_links")
    release = models.ForeignKey(
        Release,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version shown; empty: the working copy as it stands when opened.",
    )
    shared_with = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who the link is for, e.g. “Dr Lee, neurology”. Never a patient's details.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"Share link {self.pk} for “{self.article}”"

    def is_active(self, now=None):
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class ShareLinkOpening(models.Model):
    """One opening of a share link: when, and nothing about who (no address is kept)."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="openings")
    time = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-time", "-pk"]

    def __str__(self):
        return f"{self.link} opened {self.time:%Y-%m-%d %H:%M}"


class ReviewDigest(models.Model):
    """A weekly digest of reviews falling due, sent to one person: at most once a week."""

    week = models.CharField(max_length=8, help_text="ISO week, e.g. 2026-W49.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["week", "recipient"], name="review_digest_once_a_week")
        ]

    def __str__(self):
        return f"Review digest {self.week} to {self.recipient}"
