from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Clinic"

    def ready(self):
        from portal import audit, changes, public_address, two_factor

        changes.connect()
        public_address.connect()
        audit.connect()
        two_factor.connect()
