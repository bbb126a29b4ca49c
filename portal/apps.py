from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Clinic"

    def ready(self):
        from common import clinic
        from portal import audit, changes, two_factor
        from portal.models import ClinicSettings

        # The layers below read the reading target and the public address through it.
        clinic.register(ClinicSettings.load)
        changes.connect()
        audit.connect()
        two_factor.connect()
