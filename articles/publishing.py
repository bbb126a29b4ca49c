"""The reviewer's admin screens: publish a working copy, list and compare releases, reschedule.

ArticleAdmin routes to these views (get_urls); each checks its permission itself.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from articles import plain_panel, releases, translations, workflow
from articles.forms import SendBackForm
from articles.models import Article, Release
from experts.models import Expert

PUBLISH_PERMISSION = "articles.publish_article"


def can_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


class PublishForm(forms.Form):
    """What a reviewer records when publishing: who reviewed, when, when it goes live, why."""

    reviewed_by = forms.ModelChoiceField(
        queryset=Expert.objects.all(),
        label="Medically reviewed by",
        error_messages={"required": "Choose the medical reviewer who approved this text."},
    )
    reviewed_on = forms.DateField(
        label="Review date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date of the medical review."},
    )
    go_live_at = forms.DateTimeField(
        label="Go-live time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave blank to publish now. A future time schedules it: the current "
        "version stays live until then.",
    )
    note = forms.CharField(
        label="What changed",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="A sentence or two for the record, e.g. “Updated the dose advice after "
        "the 2026 guideline.” Required from the second version on.",
    )

    publish_above_target = forms.BooleanField(
        label="Publish above the reading target",
        required=False,
        help_text="Tick to publish this text although it is harder to read than the "
        "clinic's target.",
    )
    above_target_reason = forms.CharField(
        label="Why publish it above the target",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept with this version and shown in the versions list, e.g. “Medical "
        "terms the patient needs to know; explained in the text.”",
    )

    def __init__(self, *args, first_release, reading_grade=None, reading_target=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.first_release = first_release
        self.reading_grade, self.reading_target = reading_grade, reading_target
        if not first_release:
            self.fields["note"].required = True
            self.fields["note"].error_messages["required"] = (
                "Say in a few words what changed since the last version."
            )
        if not releases.above_target(reading_grade, reading_target):
            del self.fields["publish_above_target"]  # at or below the target: nothing extra
            del self.fields["above_target_reason"]

    def clean(self):
        cleaned_data = super().clean()
        if "publish_above_target" not in self.fields:
            return cleaned_data
        above = (
            f"The text needs US school grade {self.reading_grade}, above the clinic's "
            f"reading target of {self.reading_target}."
        )
        if not cleaned_data.get("publish_above_target"):
            self.add_error(
                "publish_above_target",
                f"{above} Make it plainer, or tick this box to publish it as it is.",
            )
        if not cleaned_data.get("above_target_reason", "").strip():
            self.add_error(
                "above_target_reason",
                f"{above} Say why it should be published as it is.",
            )
        return cleaned_data

    def clean_reviewed_on(self):
        reviewed_on = self.cleaned_data["reviewed_on"]
        if reviewed_on > timezone.localdate():
            raise forms.ValidationError("The review date cannot be in the future.")
        return reviewed_on


def _article(model_admin, request, object_id):
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404("No such article.")
    return article


def _context(model_admin, request, article, title, **extra):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "original": article,
        "title": title,
        **extra,
    }


def publish_view(model_admin, request, object_id):
    """Show what patients would see change, and publish the working copy as a new release."""
    if not can_publish(request.user):
        raise PermissionDenied
    article = _article(model_admin, request, object_id)
    article = Article.objects.for_snapshot().get(pk=article.pk)
    live = Release.objects.live().filter(article=article).first()
    latest = article.releases.order_by("-number").first()
    working = releases.working_copy(article)
    target = plain_panel.reading_target()
    initial = {
        "reviewed_by": article.reviewed_by_id,
        "reviewed_on": timezone.localdate(),
    }
    form = PublishForm(
        request.POST or None,
        initial=initial,
        first_release=latest is None,
        reading_grade=working.reading_grade,
        reading_target=target,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            release = releases.publish(
                article,
                user=request.user,
                reviewer=data["reviewed_by"],
                reviewed_on=data["reviewed_on"],
                go_live_at=data["go_live_at"],
                note=data["note"],
                reading_target=target,
                above_target_reason=data.get("above_target_reason", ""),
            )
        except releases.PublishError as error:
            form.add_error(None, str(error))
        else:
            workflow.announce(
                article, workflow.PUBLISHED, request, f"Version {release.number}.", release
            )
            when = (
                "now live"
                if release.go_live_at <= timezone.now()
                else (f"scheduled for {timezone.localtime(release.go_live_at):%Y-%m-%d %H:%M}")
            )
            model_admin.message_user(
                request, f"Published version {release.number} of “{release.title}”: {when}."
            )
            return redirect("admin:articles_article_releases", article.pk)
    compared = latest or live
    context = _context(
        model_admin,
        request,
        article,
        f"Publish “{article.title}”",
        form=form,
        working=working,
        compared=compared,
        changes=releases.compare(compared.content if compared else None, working.content),
        send_back_form=SendBackForm(),
        reading_target=target,
        plain_language=plain_panel.render_panel(article, working.content),
        source_update=translations.changes_to_publish(article, live),
    )
    return TemplateResponse(request, "admin/articles/article/publish.html", context)


def releases_view(model_admin, request, object_id):
    """List an article's releases: number, go-live, reviewer, approver and note."""
    article = _article(model_admin, request, object_id)
    if not model_admin.has_view_or_change_permission(request, article):
        raise PermissionDenied
    all_releases = list(
        article.releases.select_related("approved_by").defer("content", "rendered", "reading_parts")
    )
    live = Release.objects.live().filter(article=article).values_list("pk", flat=True).first()
    context = _context(
        model_admin,
        request,
        article,
        f"Versions of “{article.title}”",
        releases=all_releases,
        live_pk=live,
        now=timezone.now(),
        can_publish=can_publish(request.user),
        stage=releases.STAGES[releases.stage(article)],
    )
    return TemplateResponse(request, "admin/articles/article/releases.html", context)


def compare_releases_view(model_admin, request, object_id):
    """Show what changed between two releases, or between a release and the working copy."""
    article = _article(model_admin, request, object_id)
    if not model_admin.has_view_or_change_permission(request, article):
        raise PermissionDenied
    numbers = [request.GET.get("from", ""), request.GET.get("to", "")]
    if not numbers[0].isdigit() or not (numbers[1].isdigit() or numbers[1] in ("", "working")):
        raise Http404("Name two versions by number, e.g. ?from=1&to=2.")
    old = get_object_or_404(article.releases, number=int(numbers[0]))
    if numbers[1].isdigit():
        new = get_object_or_404(article.releases, number=int(numbers[1]))
    else:
        new = releases.working_copy(Article.objects.for_snapshot().get(pk=article.pk))
    context = _context(
        model_admin,
        request,
        article,
        f"Changes to “{article.title}”",
        old=old,
        new=new,
        changes=releases.compare(old.content, new.content),
    )
    return TemplateResponse(request, "admin/articles/article/compare_releases.html", context)


class RescheduleForm(forms.Form):
    go_live_at = forms.DateTimeField(
        label="New go-live time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


def reschedule_view(model_admin, request, object_id, number):
    """Move a scheduled release's go-live time: publishing too, so reviewers only, recorded."""
    if not can_publish(request.user):
        raise PermissionDenied
    article = _article(model_admin, request, object_id)
    release = get_object_or_404(article.releases, number=number)
    form = RescheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_time = form.cleaned_data["go_live_at"]
        try:
            releases.reschedule(release, new_time)
        except releases.PublishError as error:
            model_admin.message_user(request, str(error), messages.ERROR)
        else:
            message = (
                f"Moved the go-live time of version {release.number} from "
                f"{timezone.localtime(release.go_live_at):%Y-%m-%d %H:%M} to "
                f"{timezone.localtime(new_time):%Y-%m-%d %H:%M}."
            )
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=[article],
                action_flag=CHANGE,
                change_message=message,
                single_object=True,
            )
            model_admin.message_user(request, message)
        return redirect("admin:articles_article_releases", article.pk)
    context = _context(
        model_admin,
        request,
        article,
        f"Reschedule version {release.number} of “{article.title}”",
        form=form,
        release=release,
    )
    return TemplateResponse(request, "admin/articles/article/reschedule.html", context)


def restore_needs_reviewer(version, current):
    """Say whether restoring a saved version (history) would publish, archive, bring back
    the article, or change its review details: a reviewer's decisions."""
    fields = version.field_dict
    reviewer_only = (Article.Status.PUBLISHED, Article.Status.ARCHIVED)
    if current is None:
        return fields.get("status") in reviewer_only
    if fields.get("status") != current.status and (
        fields.get("status") in reviewer_only or current.status in reviewer_only
    ):
        return True
    review = [Article._meta.get_field(name).attname for name in Article.REVIEW_FIELDS]
    return any(fields.get(name) != getattr(current, name) for name in review)
