from django.core.validators import RegexValidator
from django.db import models

from portal.uploads import IMAGE_VALIDATORS

phone_validator = RegexValidator(
    r"^[0-9+()./\- ]{5,30}$",
    "Enter a phone number using digits, spaces and + ( ) - . / only.",
)


class ClinicSettings(models.Model):
    """The clinic's own details, shown on every page and printed on handouts (one row)."""

    name = models.CharField(
        max_length=120,
        default="Our clinic",
        help_text="Shown in the header of every page and at the top of handouts.",
    )
    phone = models.CharField(
        max_length=30,
        blank=True,
        validators=[phone_validator],
        help_text="Printed on every handout so patients can call.",
    )
    address = models.TextField(blank=True, help_text="Street address, one line per row.")
    website = models.URLField(
        blank=True, help_text="The clinic's public web address, e.g. https://clinic.example.org."
    )
    logo = models.ImageField(
        upload_to="clinic/",
        blank=True,
        validators=IMAGE_VALIDATORS,
        help_text="JPEG, PNG, GIF or WebP, 5 MB at most. Printed on handouts.",
    )
    logo_alt = models.CharField(
        "logo description",
        max_length=200,
        blank=True,
        help_text="Describe the logo for people who cannot see it, e.g. “Riverside Clinic logo”.",
    )
    handout_footer = models.TextField(
        blank=True,
        help_text="A short line printed at the foot of every handout, e.g. opening hours.",
    )
    default_disclaimer = models.TextField(
        blank=True,
        default="This article is for informational purposes only and is not meant to offer medical advice.",
        help_text="Shown under every article that has no disclaimer of its own.",
    )
    is_example = models.BooleanField(
        "example data",
        default=False,
        help_text="Ticked while these are demonstration details, not a real clinic's.",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic settings"
        verbose_name_plural = "clinic settings"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="clinic_settings_single_row")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        """Return the one settings row, creating it with defaults if missing."""
        settings, _ = cls.objects.get_or_create(pk=1)
        return settings
