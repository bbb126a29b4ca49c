from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal import audit, two_factor


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and recovery codes, so they set up two-factor "
        "sign-in again at their next sign-in (for a lost or replaced phone)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist as error:
            raise CommandError(f"No user named {username!r}.") from error
        removed = two_factor.reset_devices(user)
        audit.record(
            None,
            audit.Kind.SECOND_FACTOR_RESET,
            user,
            f"{removed} device(s) removed by manage.py reset_2fa",
        )
        self.stdout.write(
            f"Removed {removed} two-factor device(s) of {username}. They set up an "
            "authenticator app again at their next sign-in."
        )
