from django.contrib import admin
from django.shortcuts import redirect

from common.admin import PortalAdminMixin
from portal.models import ClinicSettings

# The index lists the reviews that are due for medical reviewers (see the template).
admin.site.index_template = "admin/portal_index.html"
admin.site.site_header = "Clinic portal administration"
admin.site.site_title = "Clinic portal admin"


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(PortalAdminMixin, admin.ModelAdmin):
    fieldsets = [
        ("Clinic", {"fields": ["name", "phone", "address", "website"]}),
        ("Logo", {"fields": ["logo", "logo_alt"]}),
        ("Handouts and articles", {"fields": ["handout_footer", "default_disclaimer"]}),
        (None, {"fields": ["is_example"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ClinicSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """Go straight to the one settings row: there is never a list to choose from."""
        settings = ClinicSettings.load()
        return redirect("admin:portal_clinicsettings_change", settings.pk)
