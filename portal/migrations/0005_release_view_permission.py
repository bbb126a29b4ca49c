"""Let every editorial group see an article's versions (releases): the approval record.

Releases are made only by publishing (the publish_article permission), and nobody may
change or delete one, so "view" is the only release permission a group holds.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["Editors", "Medical reviewers", "Front desk"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="articles", codename="view_release")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(view)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.filter(content_type__app_label="articles", codename="view_release")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*view)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_front_desk_group"),
        ("articles", "0005_releases"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
