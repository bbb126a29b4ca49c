from django.db import models
from django.urls import reverse

from common.links import validate_web_url
from common.richtext import RichTextField
from common.slugs import unique_slug
from common.uploads import IMAGE_VALIDATORS, GeneratedNameImageField


class Expert(models.Model):
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
        help_text="Describe the photo for people who cannot see it.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, 140)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("experts:detail", kwargs={"slug": self.slug})

    @property
    def display_name(self):
        """Return e.g. "Dr Deborah Lee"."""
        return f"{self.honorific} {self.name}".strip()

    @property
    def name_with_credentials(self):
        """Return e.g. "Roxana Ehsani, MS, RDN, CSSD"."""
        return ", ".join(part for part in [self.display_name, self.credentials] if part)


class ExpertLink(models.Model):
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
