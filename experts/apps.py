from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = "Experts"

    def ready(self):
        from common.text import clean_on_save
        from experts.models import Expert, ExpertLink

        clean_on_save(Expert, ExpertLink)
