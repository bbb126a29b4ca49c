from django.utils.functional import SimpleLazyObject

from portal.models import ClinicSettings


def clinic(request):
    """Make the clinic's details available to every template as `clinic` (loaded on use)."""
    return {"clinic": SimpleLazyObject(ClinicSettings.load)}
