from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Clinic"

    def ready(self):
        from common import clinic
        from portal import audit, changes, two_factor
        from portal.models import ClinicSettings

        clinic.register(ClinicSettings.load)  # articles reads the reading target through it
        changes.connect()
        audit.connect()
        two_factor.connect()
