from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from taggit.models import Tag

from common.admin import PortalAdminMixin, ReadOnlyAdminMixin
from portal import audit, two_factor
from portal.models import AuditEvent, ClinicSettings

# The index lists the reviews that are due for medical reviewers (see the template).
admin.site.index_template = "admin/portal_index.html"
admin.site.site_header = "Clinic portal administration"
admin.site.site_title = "Clinic portal admin"


def has_permission(request):
    """Staff whose sign-in is complete (second factor too, when asked) may use the admin."""
    user = request.user
    return user.is_active and user.is_staff and not two_factor.needs_second_factor(request)


# Besides SecondFactorMiddleware: a half-signed-in session is refused by the admin itself.
admin.site.has_permission = has_permission


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
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        settings = ClinicSettings.objects.first()
        if settings is None:
            if not self.has_change_permission(request):
                self.message_user(request, "The clinic has no settings yet.", messages.WARNING)
                return redirect("admin:index")
            settings = ClinicSettings.load()
        return redirect("admin:portal_clinicsettings_change", settings.pk)


# taggit's own Tag admin adds a "merge tags" view that checks no permission; this plain
# one keeps the usual add/change/delete/view checks.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail: superusers read, filter and export it; nobody edits it."""

    list_display = ["time", "username", "kind", "object_repr", "message", "ip_address"]
    list_filter = ["kind", "time"]
    date_hierarchy = "time"
    search_fields = ["username", "object_repr", "message"]
    list_select_related = False
    actions = ["export_csv"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    @admin.action(description="Export selected events as CSV")
    def export_csv(self, request, queryset):
        audit.record(request, audit.Kind.EXPORT, message=f"Audit trail, {queryset.count()} events")
        return audit.csv_response(queryset.order_by("time", "pk"))
