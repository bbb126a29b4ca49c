"""Handouts: print-first pages and PDFs of articles, and packets of several, for the front desk."""

import mimetypes
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils._os import safe_join
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from articles import releases
from articles.citations import ama_html, link_markers
from articles.models import Article, Release, can_preview
from articles.qr import qr_svg
from articles.rendering import place_quotes
from common.richtext import render as render_rich_text
from common.structured_data import absolute_url

# CSS page sizes for the PDF; the HTML page leaves the size to the browser's printer.
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
NOTE_MAX_LENGTH = 500


def handout_release(request, slug):
    """Return the release a handout prints: the live one, or for staff ?release=N.

    Staff who may change articles can also print any release, and the working copy of an
    article that has no live release (marked DRAFT); anyone else gets 404 for those.
    """
    number = request.GET.get("release", "")
    if can_preview(request.user):
        article = get_object_or_404(Article.objects.for_snapshot(), slug=slug)
        if number:
            if not number.isdigit():
                raise Http404("Ask for a version by its number, e.g. ?release=2.")
            return get_object_or_404(article.releases.select_related("article"), number=number)
        live = Release.objects.live().select_related("article").filter(article=article).first()
        return live or releases.working_copy(article)
    if number:
        raise Http404("Only staff can print earlier versions.")
    return get_object_or_404(Release.objects.live().select_related("article"), article__slug=slug)


def public_url(request, release):
    """Return the article's public address, for the QR code and the printed link."""
    # SITE_URL wins when set: the front desk may print from an internal address that
    # patients' phones cannot reach.
    return absolute_url(request, release.get_absolute_url())


def _linked(html, numbers, anchor):
    """Return sanitised html with [n] markers linked to this handout's references."""
    html = link_markers(render_rich_text(html), numbers)
    if anchor:
        # A packet holds several articles, each with its own reference 1.
        html = mark_safe(html.replace('href="#ref-', f'href="#{anchor}ref-'))  # noqa: S308
    return html


def release_parts(request, release, anchor=""):
    """Return what a handout prints of one release, with quotes placed after their sections."""
    content = release.content
    numbers = {citation["position"] for citation in content["citations"]}
    placed, loose_quotes = place_quotes(content["sections"], content["quotes"])
    url = public_url(request, release)
    return {
        "release": release,
        "article": release.article,
        "anchor": anchor,
        "is_draft": release.pk is None,
        "sections": [
            {
                "section": section,
                "body": _linked(section["body"], numbers, anchor),
                "quotes": quotes,
            }
            for section, quotes in placed
        ],
        "loose_quotes": loose_quotes,
        "faqs": [(faq, _linked(faq["answer"], numbers, anchor)) for faq in content["faqs"]],
        "references": [
            (c["position"], ama_html(SimpleNamespace(**c["reference"])))
            for c in content["citations"]
        ],
        "url": url,
        "qr": qr_svg(
            url, gettext("QR code linking to %(title)s online") % {"title": release.title}
        ),
    }


def local_fetcher(url, *args, **kwargs):
    """Give WeasyPrint our own static and media files from disk; refuse everything else."""
    if url.startswith("data:"):
        from weasyprint import default_url_fetcher

        return default_url_fetcher(url)  # decoded in memory, no network
    path = unquote(urlsplit(url).path)
    static_prefix = urlsplit(settings.STATIC_URL).path
    media_prefix = urlsplit(settings.MEDIA_URL).path
    if path.startswith(static_prefix):
        name = path.removeprefix(static_prefix)
        return {"file_obj": open(_static_path(name), "rb"), "mime_type": _mime_type(name)}  # noqa: SIM115 - WeasyPrint closes it
    if path.startswith(media_prefix):
        name = path.removeprefix(media_prefix)
        return {"file_obj": default_storage.open(name), "mime_type": _mime_type(name)}
    raise ValueError(f"Handouts use only the portal's own files, not {url}")


def _static_path(name):
    """Return the file behind a static name: collected (hashed) files first, then the apps'."""
    if settings.STATIC_ROOT:
        collected = Path(safe_join(settings.STATIC_ROOT, name))
        if collected.is_file():
            return collected
    if found := finders.find(name):
        return found
    raise FileNotFoundError(name)


def _mime_type(name):
    return mimetypes.guess_type(name)[0]


def render_pdf(request, html, paper):
    """Return the PDF bytes of a handout page's html on the given paper."""
    # Imported on use so the site still runs where Pango is missing; only PDFs need it.
    from weasyprint import CSS, HTML

    page_size = CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}")
    document = HTML(
        string=html, base_url=request.build_absolute_uri("/"), url_fetcher=local_fetcher
    )
    return document.write_pdf(stylesheets=[page_size, CSS(string=page_labels_css())])


def css_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_labels_css():
    """Return the page-margin words of handout.css in the active language ("Página 1 de 2")."""
    counters = {"page": '" counter(page) "', "pages": '" counter(pages) "'}
    page_of = css_string(gettext("Page %(page)s of %(pages)s") % {k: f"\0{k}\1" for k in counters})
    for name, counter in counters.items():
        page_of = page_of.replace(f"\0{name}\1", counter)
    draft = css_string(gettext("DRAFT — not for patients"))
    # A user stylesheet: !important to win over handout.css's English words.
    return (
        f"@page {{ @bottom-right {{ content: {page_of} !important; }} }}\n"
        f"@page draft, large-draft {{ @top-center {{ content: {draft} !important; }} }}"
    )


def pdf_response(pdf, filename):
    """Return the PDF shown in the browser, saved under filename."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Robots-Tag"] = "noindex"
    return response


def _page_context(request, release, large, pdf):
    query = {"size": "large"} if large else {}
    if release.pk is not None and request.GET.get("release"):
        query["release"] = release.number
    pdf_url = reverse("articles:handout_pdf", kwargs={"slug": release.slug})
    return {
        "handout": release_parts(request, release),
        "printed_on": timezone.localdate(),
        "large": large,
        "pdf": pdf,
        "normal_url": reverse("articles:handout", kwargs={"slug": release.slug}),
        "pdf_a4_url": f"{pdf_url}?{urlencode(query | {'paper': 'a4'})}",
        "pdf_letter_url": f"{pdf_url}?{urlencode(query | {'paper': 'letter'})}",
    }


def handout(request, slug):
    """Show the print-first handout page of an article."""
    release = handout_release(request, slug)
    large = request.GET.get("size") == "large"
    with translation.override(release.language):  # a Spanish article's handout is all Spanish
        context = _page_context(request, release, large, False)
        return render(request, "articles/handout.html", context)


def handout_pdf(request, slug):
    """Return the handout of an article as a PDF."""
    release = handout_release(request, slug)
    paper = request.GET.get("paper", "a4")
    if paper not in PAPER_SIZES:
        return HttpResponseBadRequest(
            f"Unknown paper size “{paper[:20]}”: use paper=a4 or paper=letter.",
            content_type="text/plain; charset=utf-8",
        )
    with translation.override(release.language):
        context = _page_context(request, release, request.GET.get("size") == "large", True)
        html = render_to_string("articles/handout.html", context, request=request)
        pdf = render_pdf(request, html, paper)
    filename = (
        f"{release.slug}-v{release.number}.pdf" if release.pk else f"{release.slug}-draft.pdf"
    )
    return pdf_response(pdf, filename)


class PacketForm(forms.Form):
    """The choices the front desk makes before printing a packet of handouts."""

    articles = forms.ModelMultipleChoiceField(
        queryset=Article.objects.all(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": "Choose at least one article on the article list, then print the packet.",
            "invalid_choice": "One of the chosen articles no longer exists; choose them again.",
            "invalid_pk_value": "One of the chosen articles no longer exists; choose them again.",
        },
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        label="Note for the patient",
        help_text=f"Optional, up to {NOTE_MAX_LENGTH} characters. Printed on the cover page and never saved.",
        error_messages={
            "max_length": "The note is too long: %(show_value)d characters, and at most "
            "%(limit_value)d fit on the cover. Shorten it and print again."
        },
    )
    paper = forms.ChoiceField(
        choices=[("a4", "A4"), ("letter", "US Letter")],
        initial="a4",
        label="Paper",
    )
    large = forms.BooleanField(
        required=False, label="Large print", help_text="Bigger text for patients with low vision."
    )


def _packet_form_page(request, form, articles):
    context = admin.site.each_context(request) | {
        "title": "Print handout packet",
        "form": form,
        "articles": articles,
        "opts": Article._meta,
    }
    return render(request, "articles/packet_form.html", context)


@admin.action(description="Print handout packet")
def print_handout_packet(modeladmin, request, queryset):
    """Ask for an optional note, then print the selected articles as one PDF."""
    articles = queryset.with_live_flag().order_by("title")
    form = PacketForm(initial={"articles": articles, "paper": "a4"})
    return _packet_form_page(request, form, articles)


@never_cache
def packet(request):
    """Return one PDF of the chosen articles: a cover page, then each article on a new page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not request.user.has_perm("articles.view_article"):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("admin:articles_article_changelist")
    form = PacketForm(request.POST)
    if not form.is_valid():
        chosen = form.cleaned_data.get("articles", Article.objects.none())
        return _packet_form_page(request, form, chosen.with_live_flag().order_by("title"))
    articles = form.cleaned_data["articles"].for_snapshot().order_by("title")
    if not can_preview(request.user):  # the front desk prints only what patients may see
        articles = articles.live()
    # Each article's live release; staff may also print working copies, marked DRAFT.
    live = Release.objects.live().select_related("article").filter(article__in=articles)
    live = {release.article_id: release for release in live}
    chosen = [live.get(a.pk) or releases.working_copy(a) for a in articles]
    large = form.cleaned_data["large"]
    handouts = []
    for release in chosen:
        with translation.override(release.language):
            handouts.append(release_parts(request, release, anchor=f"a{release.article_id}-"))
    # The cover speaks the articles' language when they share one (each article always
    # prints in its own); a mixed packet has an English cover.
    spoken = {release.language for release in chosen}
    context = {
        "handouts": handouts,
        "cover_language": spoken.pop() if len(spoken) == 1 else settings.LANGUAGE_CODE,
        "printed_on": timezone.localdate(),
        "note": form.cleaned_data["note"],
        "large": large,
        "pdf": True,
    }
    html = render_to_string("articles/packet.html", context, request=request)
    filename = f"handout-packet-{context['printed_on']:%Y-%m-%d}.pdf"
    with translation.override(context["cover_language"]):
        pdf = render_pdf(request, html, form.cleaned_data["paper"])
    return pdf_response(pdf, filename)
