from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Small shared pieces that import no app: rich text, uploads, slugs, inline ordering."""

    name = "common"
    verbose_name = "Shared pieces"
