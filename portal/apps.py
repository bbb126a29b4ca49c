from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Clinic"

    def ready(self):
        from portal import cache, search_index

        cache.connect_signals()
        search_index.connect()
