"""Template tags for the admin's own pages."""

from django import template
from django.utils import timezone

from articles.models import Article
from portal import public_address

register = template.Library()


@register.inclusion_tag("admin/portal/reviews_due.html", takes_context=True)
def reviews_due(context):
    """Show medical reviewers the articles whose review is overdue or due within 30 days."""
    user = context["request"].user
    if not user.has_perm("articles.publish_article"):
        return {"show": False}
    articles = (
        Article.objects.review_due(within_days=30)
        .select_related("reviewed_by")
        .order_by("next_review_due", "title")
    )
    return {"show": True, "articles": articles, "today": timezone.localdate()}


@register.inclusion_tag("admin/portal/public_address_warning.html")
def public_address_warning():
    """Warn staff when handouts would send patients to an address their phones cannot open."""
    return {"warning": public_address.warning()}
