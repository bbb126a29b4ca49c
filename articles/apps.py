from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from django.db.models.signals import pre_save
        from taggit.models import Tag

        from common.slugs import ascii_slug_on_save

        # Tags are taggit's: their slugs are made ASCII by a receiver, not by a save().
        pre_save.connect(ascii_slug_on_save, sender=Tag, dispatch_uid="ascii-tag-slug")
