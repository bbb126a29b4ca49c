"""Create an admin account if there is none, and print its login once."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create a superuser named 'admin' if no superuser exists; print its password once."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            names = ", ".join(
                User.objects.filter(is_superuser=True).values_list("username", flat=True)
            )
            self.stdout.write(
                f"Admin account exists ({names}). Its password was printed when it was created; "
                "reset it with: .venv/bin/python manage.py changepassword admin"
            )
            return
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        given = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        password = given or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        shown = "(from DJANGO_SUPERUSER_PASSWORD)" if given else password
        self.stdout.write(self.style.SUCCESS("Created an admin account for /admin/:"))
        self.stdout.write(f"    username: {username}\n    password: {shown}")
        if not given:
            self.stdout.write("Write the password down now: it is not shown again.")
