from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from common.links import validate_web_url
from common.richtext import RichTextField
from common.slugs import ascii_slug
from common.text import CleanTextMixin
from common.translations import blank_if_empty, in_language, other_languages, shown
from common.uploads import IMAGE_VALIDATORS, GeneratedNameImageField

# What the expert pages say of an expert in words, which a translation may give.
TRANSLATED = ("role", "affiliation", "bio", "photo_alt")


class ExpertQuerySet(models.QuerySet):
    def in_language(self, language=None):
        """Annotate the expert texts in the language (see shown_role, shown_bio …)."""
        return in_language(self, TRANSLATED, language)


class Expert(CleanTextMixin, models.Model):
    """A clinician or specialist who writes, reviews or is quoted in articles."""

    honorific = models.CharField(
        max_length=20, blank=True, help_text="e.g. Dr, Prof. Leave blank if none."
    )
    name = models.CharField(
        max_length=120, help_text="Full name as it should appear, e.g. Deborah Lee."
    )
    slug = models.SlugField(
        max_length=140,
        unique=True,
        blank=True,
        help_text="Part of the web address; filled in from the name if left blank.",
    )
    credentials = models.CharField(
        max_length=120, blank=True, help_text="Letters after the name, e.g. MS, RDN, CSSD."
    )
    role = models.CharField(
        max_length=160, blank=True, help_text="e.g. Registered Dietitian Nutritionist."
    )
    affiliation = models.CharField(
        max_length=200, blank=True, help_text="Where they work, e.g. Dr Fox Online Pharmacy."
    )
    bio = RichTextField(
        help_text="A short biography for patients: training, experience, specialties."
    )
    photo = GeneratedNameImageField(
        upload_to="experts/",
        blank=True,
        validators=IMAGE_VALIDATORS,
        help_text="JPEG, PNG, GIF or WebP, 5 MB at most.",
    )
    photo_alt = models.CharField(
        "photo description",
        max_length=200,
        blank=True,
        help_text="Describe the photo for people who cannot see it, e.g. “Deborah Lee "
        "smiling, in a white coat”. Required with a photo.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.slug = ascii_slug(self, 140, self.slug, self.name, fallback="expert")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("experts:detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.photo and not self.photo_alt.strip():
            raise ValidationError({"photo_alt": "Describe the photo for people who cannot see it."})

    @property
    def display_name(self):
        """Return e.g. "Dr Deborah Lee"."""
        return f"{self.honorific} {self.name}".strip()

    @property
    def name_with_credentials(self):
        """Return e.g. "Roxana Ehsani, MS, RDN, CSSD"."""
        return ", ".join(part for part in [self.display_name, self.credentials] if part)

    # The texts in the page's language where in_language() found them, else the English.
    @property
    def shown_role(self):
        return shown(self, "role")

    @property
    def shown_affiliation(self):
        return shown(self, "affiliation")

    @property
    def shown_bio(self):
        return shown(self, "bio")

    @property
    def shown_photo_alt(self):
        return shown(self, "photo_alt")


class ExpertTranslation(CleanTextMixin, models.Model):
    """What the expert pages say of an expert, in another language; empty fields show the English.

    Names, credentials and links are the same in every language.
    """

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=10, choices=other_languages())
    role = models.CharField(
        max_length=160, blank=True, help_text="e.g. Dietista-nutricionista titulada."
    )
    affiliation = models.CharField(
        max_length=200,
        blank=True,
        help_text="Only if the place has a name in that language; empty shows the English.",
    )
    bio = RichTextField(
        help_text="The short biography, translated for patients. Left empty, the page shows "
        "the English one."
    )
    photo_alt = models.CharField(
        "photo description",
        max_length=200,
        blank=True,
        help_text="The photo's description in that language.",
    )

    class Meta:
        ordering = ["expert", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["expert", "language"], name="experttranslation_unique_language"
            )
        ]

    def __str__(self):
        return f"{self.expert} ({self.get_language_display()})"

    def save(self, *args, **kwargs):
        self.bio = blank_if_empty(self.bio)
        super().save(*args, **kwargs)

    def texts(self):
        """Return {field: text} of the fields this translation gives (the empty ones left out)."""
        return {name: value for name in TRANSLATED if (value := getattr(self, name))}


class ExpertLink(CleanTextMixin, models.Model):
    """A link about an expert: profile, social account, publication list."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="links")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(
        max_length=80, help_text="What the link is, e.g. “Professional profile”."
    )
    url = models.URLField(
        "web address", validators=[validate_web_url], help_text="Starts with https://"
    )

    class Meta:
        ordering = ["expert", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["expert", "position"], name="expertlink_unique_position"
            )
        ]

    def __str__(self):
        return self.label
