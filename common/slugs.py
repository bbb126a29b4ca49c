"""Slugs that no other row of a model uses."""

from django.utils.text import slugify


def unique_slug(instance, value, max_length=200):
    """Return a slug from value that no other row of instance's model uses."""
    base = slugify(value)[: max_length - 5] or "item"
    slug, n = base, 2
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
