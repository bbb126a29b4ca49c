"""Copy each topic's comma-separated ICD-10 codes into TopicCode rows, and back on reverse.

The shape check is copied here (not imported) so that this migration keeps doing what
it did when articles/codes.py changes. A code that is not an ICD-10-CM code is left out
and named in the migration's output, so nobody loses track of it.
"""

import re

from django.db import migrations

ICD10CM = "2.16.840.1.113883.6.90"
ICD10CM_RE = re.compile(r"([A-Z][0-9][0-9A-Z])([0-9A-Z]{0,4})")


def normalize(text):
    head, dot, tail = text.strip().upper().partition(".")
    match = ICD10CM_RE.fullmatch(head + tail) if not dot or len(head) == 3 else None
    if not match or "." in tail:
        return None
    category, rest = match.groups()
    return f"{category}.{rest}" if rest else category


def copy_codes(apps, schema_editor):
    Topic = apps.get_model("articles", "Topic")
    TopicCode = apps.get_model("articles", "TopicCode")
    for topic in Topic.objects.exclude(icd10_codes=""):
        for text in dict.fromkeys(topic.icd10_codes.split(",")):
            if not text.strip():
                continue
            code = normalize(text)
            if code is None:
                print(f"\n  Topic “{topic.name}”: “{text.strip()}” is not an ICD-10-CM code; left out.")
                continue
            TopicCode.objects.get_or_create(topic=topic, system=ICD10CM, code=code)


def copy_back(apps, schema_editor):
    Topic = apps.get_model("articles", "Topic")
    for topic in Topic.objects.filter(codes__system=ICD10CM).distinct():
        codes = topic.codes.filter(system=ICD10CM).values_list("code", flat=True)
        topic.icd10_codes = ", ".join(codes)[:120]
        topic.save(update_fields=["icd10_codes"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_topic_codes")]

    operations = [migrations.RunPython(copy_codes, copy_back)]
