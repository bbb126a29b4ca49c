"""Send back with a comment: a reviewer returns an article to its editor instead of publishing.

The publish screen carries the form; this view takes it. The comment shows on the
article's change form and in the editor's review queue until the next send-to-review.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from articles import publishing, workflow
from articles.forms import SendBackForm
from articles.models import Article


def send_back_view(model_admin, request, object_id):
    """Take the send-back form: status back to Draft, with the reviewer's comment."""
    if not publishing.can_publish(request.user):
        raise PermissionDenied
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404("No such article.")
    form = SendBackForm(request.POST or None)
    if article.status == Article.Status.ARCHIVED:
        form.add_error(None, "This article is archived: there is nothing to send back.")
    elif request.method == "POST" and form.is_valid():
        workflow.send_back(article, request, form.cleaned_data["comment"])
        model_admin.message_user(
            request,
            f"Sent “{article.title}” back to its editor with your comment.",
            messages.SUCCESS,
        )
        return redirect("admin:articles_article_change", article.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "original": article,
        "title": f"Send “{article.title}” back to its editor",
        "send_back_form": form,
    }
    return TemplateResponse(request, "admin/articles/article/send_back.html", context)
