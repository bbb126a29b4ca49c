"""Give every tag, article, topic and expert an ASCII slug (issue 17).

Rows saved before slugs were made ASCII on save (an accented or emoji tag, a slug typed
in the shell) could not be linked by the <slug:> URL patterns and made pages 500.
"""

import re

from django.db import migrations
from django.utils.text import slugify

ASCII_SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+\Z")
MODELS = [
    ("taggit", "Tag", "name", "tag"),
    ("articles", "Article", "title", "article"),
    ("articles", "Topic", "name", "topic"),
    ("experts", "Expert", "name", "expert"),
]


def new_slug(model, row, source, fallback):
    max_length = model._meta.get_field("slug").max_length
    value = next((v for v in (row.slug, getattr(row, source)) if v and slugify(v)), "")
    base = slugify(value)[: max_length - 5]
    slug, n = (base, 2) if base else (f"{fallback}-1", 2)
    base = base or fallback
    taken = model.objects.exclude(pk=row.pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def make_slugs_ascii(apps, schema_editor):
    for app_label, model_name, source, fallback in MODELS:
        model = apps.get_model(app_label, model_name)
        for row in model.objects.order_by("pk"):
            if not (row.slug and ASCII_SLUG_RE.match(row.slug)):
                slug = new_slug(model, row, source, fallback)
                model.objects.filter(pk=row.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_plain_language_key_points_get_help"),
        ("experts", "0003_expert_photo_alt_help"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(make_slugs_ascii, migrations.RunPython.noop)]
