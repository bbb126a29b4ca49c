from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Clinic"

    def ready(self):
        from portal import changes

        changes.connect()
