"""Let Editors and Medical reviewers add to the clinic's plain-language word list."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["Editors", "Medical reviewers"]
CODENAMES = ["add_plainterm", "change_plainterm", "view_plainterm"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="articles", codename__in=CODENAMES
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="articles", codename__in=CODENAMES
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0009_clinic_reading_target"),
        ("articles", "0011_plain_language_key_points_get_help"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
