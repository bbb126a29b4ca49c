"""Template tags for the admin's own pages."""

from django import template
from django.utils import timezone

from articles import queue

register = template.Library()


@register.inclusion_tag("admin/portal/review_queue.html", takes_context=True)
def review_queue(context):
    """Show this user what waits for them: reviews to do, drafts sent back, reviews due."""
    return queue.for_user(context["request"].user) | {"today": timezone.localdate()}
