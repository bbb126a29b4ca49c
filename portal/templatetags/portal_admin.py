"""Template tags for the admin's own pages."""

from django import template
from django.utils import timezone

from articles import queue
from portal import public_address

register = template.Library()


@register.inclusion_tag("admin/portal/review_queue.html", takes_context=True)
def review_queue(context):
    """Show this user what waits for them: reviews to do, drafts sent back, reviews due."""
    return queue.for_user(context["request"].user) | {"today": timezone.localdate()}


@register.inclusion_tag("admin/portal/public_address_warning.html")
def public_address_warning():
    """Warn staff when handouts would send patients to an address their phones cannot open."""
    return {"warning": public_address.warning()}
