"""The editorial workflow: send to review, send back with a comment, publish, archive, share.

Each step is recorded on the article where the next person needs it (who sent it for
review and when, the reviewer's comment), announced through `workflow_event` for the
audit trail, and mailed to the people who act next once the transaction commits.
"""

from django.db import transaction
from django.utils import timezone

from articles import notifications
from articles.models import Article
from articles.signals import workflow_event

SENT_TO_REVIEW = "sent_to_review"
SENT_BACK = "sent_back"
PUBLISHED = "published"
ARCHIVED = "archived"
SHARED = "shared"
SHARE_REVOKED = "share_revoked"

WORKFLOW_FIELDS = [
    "status",
    "sent_for_review_by",
    "sent_for_review_at",
    "sent_back_comment",
    "sent_back_by",
    "sent_back_at",
    "updated",
]


def mark_sent_to_review(article, user, now=None):
    """Put the article in review by this user (unsaved); the last comment is answered."""
    article.status = Article.Status.IN_REVIEW
    article.sent_for_review_by = user
    article.sent_for_review_at = now or timezone.now()
    article.sent_back_comment = ""
    article.sent_back_by = None
    article.sent_back_at = None


def is_sending_to_review(form):
    """Say whether a saved article form moves the article into review."""
    return "status" in form.changed_data and form.instance.status == Article.Status.IN_REVIEW


def send_to_review(article, request):
    """Send one article to medical review and tell the reviewers."""
    mark_sent_to_review(article, request.user)
    article.save(update_fields=WORKFLOW_FIELDS)
    announce(article, SENT_TO_REVIEW, request)


def send_back(article, request, comment):
    """Return an article in review to its editor as a draft, with the reviewer's comment."""
    with transaction.atomic():
        article = Article.objects.select_for_update(of=("self",)).get(pk=article.pk)
        article.status = Article.Status.DRAFT
        article.sent_back_comment = comment.strip()
        article.sent_back_by = request.user
        article.sent_back_at = timezone.now()
        article.save(update_fields=WORKFLOW_FIELDS)
        announce(article, SENT_BACK, request, "Sent back to the editor with a comment.")
    return article


def archive(article, request):
    """Take an article off the site."""
    article.status = Article.Status.ARCHIVED
    article.save(update_fields=["status", "updated"])
    announce(article, ARCHIVED, request, "Archived from the article list.")


def announce(article, action, request, message="", obj=None):
    """Record the step in the audit trail and mail the people who act next."""
    user = getattr(request, "user", None)
    workflow_event.send(
        sender=Article,
        article=article,
        action=action,
        request=request,
        user=user,
        obj=obj,
        message=message,
    )
    notifications.notify(article, action, request)
