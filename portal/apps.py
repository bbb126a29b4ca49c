from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Clinic"

    def ready(self):
        from portal import audit, changes, two_factor

        changes.connect()
        audit.connect()
        two_factor.connect()
