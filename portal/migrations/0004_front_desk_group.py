"""Create the Front desk group: find articles and topics, and print handouts and packets."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Viewing articles is what lets the front desk print them (handout pages and packets).
FRONT_DESK_PERMISSIONS = [
    ("articles", "view_article"),
    ("articles", "view_topic"),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    front_desk, _ = Group.objects.get_or_create(name="Front desk")
    front_desk.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in FRONT_DESK_PERMISSIONS
        ]
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Front desk").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_audit_safe_uploads_and_links"),
        ("portal", "0002_editorial_groups"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
