"""Slugs that no other row of a model uses, made of ASCII letters, digits, - and _ only.

The URL patterns' <slug:> converter matches only those, so a slug with any other
character (an accented tag, an emoji, a slug typed in the shell) cannot be linked to.
"""

import re

from django.utils.text import slugify

ASCII_SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+\Z")


def is_ascii_slug(value):
    return bool(value) and ASCII_SLUG_RE.match(value) is not None


def unique_slug(instance, value, max_length=200, fallback="item"):
    """Return a slug from value that no other row of instance's model uses.

    Accents are dropped ("Ménière" gives "meniere"); a value with no letter or digit
    left (emoji only) gives fallback-1, fallback-2 …
    """
    base = slugify(value)[: max_length - 5]
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    if base:
        slug, n = base, 2
    else:
        base = fallback[: max_length - 5]
        slug, n = f"{base}-1", 2
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def ascii_slug(instance, max_length, *sources, fallback="item"):
    """Return instance.slug if it is an ASCII slug, else a unique one from the first source
    that has letters or digits (e.g. the slug typed, then the title)."""
    if is_ascii_slug(instance.slug):
        return instance.slug
    value = next((s for s in sources if s and slugify(s)), "")
    return unique_slug(instance, value, max_length, fallback)


def ascii_slug_on_save(sender, instance, **kwargs):
    """pre_save receiver for models whose save() is not ours (taggit's Tag): ASCII slugs."""
    max_length = sender._meta.get_field("slug").max_length
    name = sender._meta.model_name
    instance.slug = ascii_slug(instance, max_length, instance.slug, str(instance), fallback=name)
