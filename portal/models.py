import logging

from django.conf import settings
from django.core.cache import caches
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from common.links import validate_web_url
from common.uploads import IMAGE_VALIDATORS, GeneratedNameImageField
from portal import cache as page_cache

logger = logging.getLogger(__name__)
CACHE_KEY = "clinic-settings"

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
        blank=True,
        validators=[validate_web_url],
        help_text="The clinic's public web address, e.g. https://clinic.example.org.",
    )
    logo = GeneratedNameImageField(
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
        """Return the one settings row, creating it with defaults if missing.

        Every page shows it, so a copy is kept in the cache, tagged with the page cache's
        content generation: any content save (these settings included) replaces the
        generation in every process, and a copy from an older one is read again.
        """
        cache = caches[page_cache.CACHE_ALIAS]
        generation, stored = cached_settings(cache)
        if stored is not None and stored[0] == generation:
            return stored[1]
        settings, created = cls.objects.get_or_create(pk=1)
        if created:  # saving the new row started a new generation
            generation, _ = cached_settings(cache)
        if generation:
            try:
                cache.set(CACHE_KEY, (generation, settings), page_cache.MAX_TIMEOUT)
            except Exception:
                logger.exception("Clinic settings: cache store failed")
        return settings


def cached_settings(cache):
    """Return the current generation and the cached (generation, settings), if any."""
    try:
        return page_cache.lookup(cache, CACHE_KEY)
    except Exception:  # a cache that is down must not take the site with it
        logger.exception("Clinic settings: cache lookup failed")
        return "", None


class AuditEvent(models.Model):
    """One staff action that matters to the clinic's security officer (read-only record)."""

    class Kind(models.TextChoices):
        LOGIN = "login", "signed in with password"
        LOGIN_FAILED = "login_failed", "sign-in failed"
        LOGOUT = "logout", "signed out"
        SECOND_FACTOR_PASSED = "2fa_passed", "second factor passed"
        SECOND_FACTOR_FAILED = "2fa_failed", "second factor failed"
        SECOND_FACTOR_ENROLLED = "2fa_enrolled", "second factor set up"
        SECOND_FACTOR_RESET = "2fa_reset", "second factor reset"
        ROLE_CHANGED = "role_changed", "role changed"
        SETTINGS_CHANGED = "settings_changed", "clinic settings changed"
        EXPORT = "export", "exported"
        PUBLISH = "publish", "published"
        ARCHIVE = "archive", "archived"
        SHARE_LINK = "share_link", "share link created"

    time = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who did it (empty for failed sign-ins and changes made outside the portal).",
    )
    username = models.CharField(max_length=150, blank=True, help_text="The name as typed or held.")
    kind = models.CharField(max_length=32, choices=Kind.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("object", max_length=200, blank=True)
    message = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)

    class Meta:
        verbose_name = "audit event"
        verbose_name_plural = "audit trail"
        ordering = ["-time", "-pk"]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.username or '-'} {self.get_kind_display()}"
