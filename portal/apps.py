from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Clinic"

    def ready(self):
        from common.text import clean_on_save
        from portal import audit, changes, two_factor
        from portal.models import ClinicSettings

        clean_on_save(ClinicSettings)
        changes.connect()
        audit.connect()
        two_factor.connect()
