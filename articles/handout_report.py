"""The "handouts given" report in the admin: counts per article, topic and month, and CSV.

The export of the content audit (an action on the article list) lives here too: both
are front-desk and editorial read-outs, written as CSV by common/csv.py.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone

from articles import content_audit, handout_log
from articles.models import HandoutGiven
from common import csv
from common.signals import exported


class PeriodForm(forms.Form):
    """The dates a report covers (both included); the last 12 months unless chosen."""

    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The first date must come before the last one.")
        return data

    def period(self):
        """Return (start, end) chosen, or the last 12 months for what is left blank or wrong."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or handout_log.last_year(today)
        end = data.get("end") or today
        return start, end


def given_in(start, end):
    return HandoutGiven.objects.filter(given_at__date__gte=start, given_at__date__lte=end)


def summary_view(modeladmin, request):
    """Show how many handouts were given per article, topic and month in a period."""
    if not modeladmin.has_view_permission(request):
        raise PermissionDenied
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    context = modeladmin.admin_site.each_context(request) | {
        "title": "Handouts given: summary",
        "opts": HandoutGiven._meta,
        "form": form,
        "start": start,
        "end": end,
        "summary": handout_log.summary(given_in(start, end)),
        "csv_query": f"start={start:%Y-%m-%d}&end={end:%Y-%m-%d}",
    }
    return TemplateResponse(request, "admin/articles/handoutgiven/summary.html", context)


def summary_csv_view(modeladmin, request):
    """Return the handouts given per month and article in a period, as CSV."""
    if not modeladmin.has_view_permission(request):
        raise PermissionDenied
    start, end = PeriodForm(request.GET or None).period()
    given = given_in(start, end)
    exported.send(
        HandoutGiven,
        request=request,
        user=request.user,
        message=f"Handouts given, {start:%Y-%m-%d} to {end:%Y-%m-%d}",
    )
    rows = handout_log.csv_rows(given)
    return csv.response(handout_log.CSV_HEADER, rows, f"handouts-given-{start}-{end}.csv")


@admin.action(description="Export content audit (CSV)", permissions=["change"])
def export_content_audit(modeladmin, request, queryset):
    """Write one CSV row per selected article: status, versions, reviews, grade, citations."""
    today = timezone.localdate()
    count = queryset.count()
    exported.send(
        queryset.model,
        request=request,
        user=request.user,
        message=f"Content audit, {count} articles",
    )
    rows = list(content_audit.rows(queryset, today, request))
    return csv.response(content_audit.HEADER, rows, f"content-audit-{today}.csv")
