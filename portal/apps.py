from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Clinic"

    def ready(self):
        from portal import audit, cache, search_index, two_factor

        cache.connect_signals()
        search_index.connect()
        audit.connect()
        two_factor.connect()
