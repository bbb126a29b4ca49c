"""Share a draft with an outside clinician: a signed link to a read-only preview, no account.

Staff who may change articles make a link to the working copy (or a chosen version)
that expires after a few days and can be revoked at once. The address carries a
signed token naming a ShareLink row; the row decides whether the link still opens, so
revoking works at once. The preview is the article page itself, never cached, kept out
of search engines, under a banner naming the clinic and the expiry. Each opening is
logged (time and link only: no address, nothing about the reader).
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control

from articles import notifications, releases, rendering, workflow
from articles.models import Article, ShareLink, ShareLinkOpening

SALT = "articles.share-link"
DEFAULT_DAYS = 7
MAX_DAYS = 30


def token_for(link):
    """Return the signed token of a share link's address."""
    return signing.dumps({"link": link.pk}, salt=SALT)


def url_for(link, request=None):
    """Return the absolute address of a share link."""
    path = reverse("articles:shared_preview", kwargs={"token": token_for(link)})
    return notifications.absolute(path, request)


def link_from(token, now=None):
    """Return the active share link a token names, or None (tampered, expired, revoked)."""
    try:
        pk = signing.loads(token, salt=SALT)["link"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    if not isinstance(pk, int):
        return None
    return ShareLink.objects.active(now).select_related("release").filter(pk=pk).first()


class ShareLinkForm(forms.Form):
    """What staff choose when making a share link."""

    days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        help_text=f"From 1 to {MAX_DAYS} days. You can revoke the link sooner.",
        error_messages={
            "required": "Say after how many days the link stops working (1 to 30).",
            "min_value": "A link works for at least 1 day.",
            "max_value": f"A link works for {MAX_DAYS} days at most.",
        },
    )
    version = forms.ChoiceField(
        label="Show",
        required=False,
        help_text="The working copy shows the latest edits whenever the link is opened.",
    )
    shared_with = forms.CharField(
        label="Shared with",
        required=False,
        max_length=200,
        help_text="Optional, for your records: who the link is for, e.g. “Dr Lee, neurology”. "
        "Never a patient's details.",
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        numbers = article.releases.order_by("-number").values_list("number", flat=True)
        self.fields["version"].choices = [("", "The working copy")] + [
            (str(n), f"Version {n}") for n in numbers
        ]

    def save(self, user):
        data = self.cleaned_data
        release = None
        if data["version"]:
            release = self.article.releases.get(number=int(data["version"]))
        return ShareLink.objects.create(
            article=self.article,
            release=release,
            shared_with=data["shared_with"].strip(),
            created_by=user,
            expires_at=timezone.now() + datetime.timedelta(days=data["days"]),
        )


def _article_for_change(model_admin, request, object_id):
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404("No such article.")
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    return article


def share_links_view(model_admin, request, object_id):
    """List an article's share links with revoke buttons, and make a new one."""
    article = _article_for_change(model_admin, request, object_id)
    form = ShareLinkForm(request.POST or None, article=article)
    if request.method == "POST" and form.is_valid():
        link = form.save(request.user)
        expiry = f"{timezone.localtime(link.expires_at):%d %B %Y at %H:%M}"
        workflow.announce(
            article, workflow.SHARED, request, f"Link {link.pk}, expires {expiry}.", link
        )
        model_admin.message_user(
            request,
            f"Made a share link that works until {expiry}: {url_for(link, request)}",
            messages.SUCCESS,
        )
        return redirect("admin:articles_article_share", article.pk)
    now = timezone.now()
    links = [
        {"link": link, "active": link.is_active(now), "url": url_for(link, request)}
        for link in article.share_links.select_related("release", "created_by").annotate(
            opened=Count("openings")
        )
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "original": article,
        "title": f"Share “{article.title}” for review",
        "form": form,
        "links": links,
    }
    return TemplateResponse(request, "admin/articles/article/share_links.html", context)


def revoke_view(model_admin, request, object_id, link_id):
    """Revoke a share link at once: it answers 404 from the next request on."""
    article = _article_for_change(model_admin, request, object_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    link = get_object_or_404(article.share_links, pk=link_id)
    if link.revoked_at is None:
        ShareLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
        workflow.announce(article, workflow.SHARE_REVOKED, request, f"Link {link.pk}.", link)
        model_admin.message_user(request, "Revoked the link: it no longer opens.")
    return redirect("admin:articles_article_share", article.pk)


def never_cached(response):
    """Mark a response as nobody's to keep: not browsers, proxies nor the page cache."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    response["X-Robots-Tag"] = "noindex"
    return response


def shared_preview(request, token):
    """Show the shared version of an article to anyone holding a valid link."""
    link = link_from(token)
    if link is None:
        response = render(request, "articles/share_gone.html", status=404)
        return never_cached(response)
    ShareLinkOpening.objects.create(link=link)
    article = Article.objects.for_snapshot().get(pk=link.article_id)
    release = link.release or releases.working_copy(article)
    release.article = article
    context = {
        "release": release,
        "article": article,
        "live": None,
        "preview": False,
        "stage": "",
        "parts": rendering.page_parts(release),
        "topics": [],
        "tags": [],
        "related": [],
        "share": link,
    }
    return never_cached(render(request, "articles/shared_preview.html", context))
