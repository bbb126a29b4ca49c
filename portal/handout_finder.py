"""The admin's "Find handouts by code" box: the live articles for a diagnosis code, to print.

Front desk staff and clinicians type the code from the health record (G25.81, or a
SNOMED CT number); the same matching as the Infobutton (portal/lookup.py) finds the
articles. It needs the permission to view articles, not merely staff status.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.template.response import TemplateResponse

from articles import codes
from portal import lookup

GUESS = ""


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Diagnosis code",
        max_length=codes.MAX_LENGTH,
        help_text="As in the health record, e.g. G25.81 (ICD-10-CM) or 32914008 (SNOMED CT).",
    )
    system = forms.ChoiceField(
        label="Code system",
        required=False,
        choices=[(GUESS, "Tell from the code"), *codes.SYSTEM_NAMES.items()],
    )

    def clean(self):
        data = super().clean()
        if "code" in data:
            system = data.get("system") or codes.guess_system(data["code"])
            try:
                data["code"] = codes.normalize(system, data["code"])
            except codes.InvalidCode as error:
                self.add_error("code", str(error))
            data["system"] = system
        return data


@admin.site.admin_view
@permission_required("articles.view_article", raise_exception=True)
def find_handouts(request):
    """Show the form, and the live articles with Print buttons for the code typed in."""
    form = CodeForm(request.GET or None)
    found = None
    if form.is_valid():
        found = lookup.find(form.cleaned_data["system"], form.cleaned_data["code"])
    context = {
        **admin.site.each_context(request),
        "title": "Find handouts by code",
        "form": form,
        "found": found,
    }
    return TemplateResponse(request, "admin/portal/find_handouts.html", context)
