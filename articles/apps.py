from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from django.db.models.signals import pre_save
        from taggit.models import Tag

        from articles import models
        from common.slugs import ascii_slug_on_save
        from common.text import clean_on_save

        clean_on_save(
            models.Topic,
            models.Reference,
            models.Article,
            models.Section,
            models.Quote,
            models.FAQ,
            models.Release,
            Tag,
        )
        # Tags are taggit's: their slugs are made ASCII by a receiver, not by a save().
        pre_save.connect(ascii_slug_on_save, sender=Tag, dispatch_uid="ascii-tag-slug")
