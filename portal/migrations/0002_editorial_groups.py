"""Create the two editorial groups: Editors and Medical reviewers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# (app label, model) pairs whose rows editors add and change.
CONTENT_MODELS = [
    ("articles", "article"),
    ("articles", "section"),
    ("articles", "quote"),
    ("articles", "citation"),
    ("articles", "faq"),
    ("articles", "reference"),
    ("articles", "topic"),
    ("experts", "expert"),
    ("experts", "expertlink"),
    ("taggit", "tag"),
]
# The parts edited inline on an article or expert page, which editors may also remove.
DELETABLE_MODELS = [
    ("articles", "section"),
    ("articles", "quote"),
    ("articles", "citation"),
    ("articles", "faq"),
    ("experts", "expertlink"),
]
PUBLISH = ("articles", "publish_article")


def editor_codenames():
    codenames = [
        (app, f"{action}_{model}")
        for app, model in CONTENT_MODELS
        for action in ("add", "change", "view")
    ]
    codenames += [(app, f"delete_{model}") for app, model in DELETABLE_MODELS]
    return codenames


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(pairs):
        found = []
        for app_label, codename in pairs:
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return found

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(permissions(editor_codenames()))
    reviewers, _ = Group.objects.get_or_create(name="Medical reviewers")
    reviewers.permissions.set(permissions([*editor_codenames(), PUBLISH]))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Editors", "Medical reviewers"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("articles", "0001_initial"),
        ("experts", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
