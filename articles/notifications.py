"""Emails of the editorial workflow: review requested, published, sent back; the weekly digest.

A mail names the article and what happened, and links to the admin page that acts on
it. It never carries the article's text or a comment's (which may quote it), nor
anything about a patient. Mails go out after the transaction commits; a mail server
that is down is logged and never undoes the step.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

logger = logging.getLogger(__name__)
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"

REVIEWERS_GROUP = "Medical reviewers"


def absolute(path, request=None):
    """Return path as an absolute address: SITE_URL, else the request's host, else the path."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def admin_links(article, request=None):
    """Return the absolute addresses of the article's change form and publish screen."""
    return {
        "change": absolute(reverse("admin:articles_article_change", args=[article.pk]), request),
        "publish": absolute(reverse("admin:articles_article_publish", args=[article.pk]), request),
    }


def reviewers():
    """Return the active medical reviewers who have an email address."""
    return (
        get_user_model()
        .objects.filter(groups__name=REVIEWERS_GROUP, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def editor_of(article, actor=None):
    """Return who should hear about the article: who sent it for review, else its last editor."""
    user = article.sent_for_review_by
    if user is not None and user.is_active and user.email:
        return user if user != actor else None  # nobody needs telling what they just did
    versions = Version.objects.get_for_object(article).select_related("revision__user")
    for version in versions[:50]:
        user = version.revision.user
        if user is not None and user != actor and user.is_active and user.email:
            return user
    return None


def name_of(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def review_requested(article, request):
    actor = getattr(request, "user", None)
    links = admin_links(article, request)
    body = (
        f"{name_of(actor)} sent “{article.title}” for medical review on "
        f"{timezone.localtime():%d %B %Y at %H:%M}.\n\n"
        f"Review it and publish it, or send it back with a comment:\n{links['publish']}\n\n"
        f"The article in the admin:\n{links['change']}\n"
    )
    to = [user.email for user in reviewers() if user != actor]
    return [EmailMessage(f"Review requested: “{article.title}”", body, to=to)] if to else []


def published(article, request):
    actor = getattr(request, "user", None)
    editor = editor_of(article, actor)
    if editor is None:
        return []
    links = admin_links(article, request)
    release = article.releases.order_by("-number").first()
    when = "It is now live."
    if release is not None and release.go_live_at > timezone.now():
        when = f"It goes live on {timezone.localtime(release.go_live_at):%d %B %Y at %H:%M}."
    number = f"version {release.number} of " if release else ""
    body = (
        f"{name_of(actor)} published {number}“{article.title}”. {when}\n\n"
        f"The page patients see:\n{absolute(article.get_absolute_url(), request)}\n\n"
        f"The article in the admin:\n{links['change']}\n"
    )
    return [EmailMessage(f"Published: “{article.title}”", body, to=[editor.email])]


def sent_back(article, request):
    actor = getattr(request, "user", None)
    editor = editor_of(article, actor)
    if editor is None:
        return []
    links = admin_links(article, request)
    body = (
        f"{name_of(actor)} sent “{article.title}” back to you instead of publishing it. "
        "Their comment is at the top of the article in the admin; the article is a draft "
        "again until you send it for review.\n\n"
        f"{links['change']}\n"
    )
    return [EmailMessage(f"Sent back with a comment: “{article.title}”", body, to=[editor.email])]


BUILDERS = {"sent_to_review": review_requested, "published": published, "sent_back": sent_back}


def notify(article, action, request=None):
    """Mail the people who act next on this step, once the transaction commits."""
    build = BUILDERS.get(action)
    if build is None:
        return
    mails = build(article, request)
    if mails:
        transaction.on_commit(lambda: send(mails), robust=True)


def send(mails):
    """Send the mails over one connection; a failure is logged, never raised."""
    try:
        get_connection().send_messages(mails)
    except Exception:
        logger.exception("Could not send %d workflow email(s)", len(mails))


def digest(articles, today, site_request=None):
    """Return the subject and body of the weekly digest of reviews falling due."""
    lines = []
    for article in articles:
        state = "overdue since" if article.next_review_due < today else "due"
        link = absolute(reverse("admin:articles_article_change", args=[article.pk]), site_request)
        lines.append(f"- “{article.title}”: {state} {article.next_review_due:%d %B %Y}\n  {link}")
    count = len(lines)
    subject = f"Medical reviews falling due: {count} article{'s' if count != 1 else ''}"
    body = (
        "These articles are overdue for their medical review or due within 30 days:\n\n"
        + "\n".join(lines)
        + "\n"
    )
    return subject, body


@checks.register(checks.Tags.security, deploy=True)
def check_mail_is_sent(app_configs, **kwargs):
    """Warn in `check --deploy` when workflow mails are only printed to the log."""
    if settings.EMAIL_BACKEND != CONSOLE_BACKEND:
        return []
    return [
        checks.Warning(
            "No mail server is configured: review requests, publishing notices and the "
            "weekly review digest are printed to the log, not sent.",
            hint="Set EMAIL_URL (e.g. smtp://user:password@mail.example.org:587) or EMAIL_HOST.",
            id="articles.W001",
        )
    ]
