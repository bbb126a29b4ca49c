"""Handouts: print-first pages and PDFs of articles, and packets of several, for the front desk."""

import mimetypes
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils._os import safe_join
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from articles.citations import ama_html, link_markers
from articles.models import Article
from articles.qr import qr_svg
from common.richtext import render as render_rich_text

# CSS page sizes for the PDF; the HTML page leaves the size to the browser's printer.
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
NOTE_MAX_LENGTH = 500


def handout_articles(request):
    """Return the articles this visitor may print: all for staff, published ones for others."""
    return Article.objects.all() if request.user.is_staff else Article.objects.published()


def public_url(request, article):
    """Return the article's public address, for the QR code and the printed link."""
    # SITE_URL wins when set: the front desk may print from an internal address that
    # patients' phones cannot reach.
    if settings.SITE_URL:
        return settings.SITE_URL + article.get_absolute_url()
    return request.build_absolute_uri(article.get_absolute_url())


def _linked(html, numbers, anchor):
    """Return sanitised html with [n] markers linked to this handout's references."""
    html = link_markers(render_rich_text(html), numbers)
    if anchor:
        # A packet holds several articles, each with its own reference 1.
        html = mark_safe(html.replace('href="#ref-', f'href="#{anchor}ref-'))  # noqa: S308
    return html


def article_parts(request, article, anchor=""):
    """Return what a handout prints of one article, with quotes placed after their sections."""
    sections = list(article.sections.all())
    numbers = {citation.position for citation in article.citations.all()}
    section_ids = {section.pk for section in sections}
    last = sections[-1].pk if sections else None
    quotes_after = defaultdict(list)
    for quote in article.quotes.all():
        quotes_after[quote.section_id if quote.section_id in section_ids else last].append(quote)
    url = public_url(request, article)
    return {
        "article": article,
        "anchor": anchor,
        "is_draft": not article.is_published,
        "sections": [
            {
                "section": section,
                "body": _linked(section.body, numbers, anchor),
                "quotes": quotes_after[section.pk],
            }
            for section in sections
        ],
        "loose_quotes": quotes_after[None],
        "faqs": [(faq, _linked(faq.answer, numbers, anchor)) for faq in article.faqs.all()],
        "references": [(c.position, ama_html(c.reference)) for c in article.citations.all()],
        "url": url,
        "qr": qr_svg(url, f"QR code linking to {article.title} online"),
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
    return document.write_pdf(stylesheets=[page_size])


def pdf_response(pdf, filename):
    """Return the PDF shown in the browser, saved under filename."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Robots-Tag"] = "noindex"
    return response


def _page_context(request, article, large, pdf):
    query = {"size": "large"} if large else {}
    pdf_url = reverse("articles:handout_pdf", kwargs={"slug": article.slug})
    return {
        "handout": article_parts(request, article),
        "printed_on": timezone.localdate(),
        "large": large,
        "pdf": pdf,
        "normal_url": reverse("articles:handout", kwargs={"slug": article.slug}),
        "pdf_a4_url": f"{pdf_url}?{urlencode(query | {'paper': 'a4'})}",
        "pdf_letter_url": f"{pdf_url}?{urlencode(query | {'paper': 'letter'})}",
    }


def handout(request, slug):
    """Show the print-first handout page of an article."""
    article = get_object_or_404(handout_articles(request).for_detail(), slug=slug)
    large = request.GET.get("size") == "large"
    return render(request, "articles/handout.html", _page_context(request, article, large, False))


def handout_pdf(request, slug):
    """Return the handout of an article as a PDF."""
    article = get_object_or_404(handout_articles(request).for_detail(), slug=slug)
    paper = request.GET.get("paper", "a4")
    if paper not in PAPER_SIZES:
        return HttpResponseBadRequest(
            f"Unknown paper size “{paper[:20]}”: use paper=a4 or paper=letter.",
            content_type="text/plain; charset=utf-8",
        )
    context = _page_context(request, article, request.GET.get("size") == "large", True)
    html = render_to_string("articles/handout.html", context, request=request)
    return pdf_response(render_pdf(request, html, paper), f"{article.slug}.pdf")


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
    articles = queryset.order_by("title")
    form = PacketForm(initial={"articles": articles, "paper": "a4"})
    return _packet_form_page(request, form, articles)


@never_cache
@staff_member_required
@permission_required("articles.view_article", raise_exception=True)  # not is_staff alone
def packet(request):
    """Return one PDF of the chosen articles: a cover page, then each article on a new page."""
    if request.method != "POST":
        return redirect("admin:articles_article_changelist")
    form = PacketForm(request.POST)
    if not form.is_valid():
        chosen = form.cleaned_data.get("articles", Article.objects.none())
        return _packet_form_page(request, form, chosen.order_by("title"))
    articles = form.cleaned_data["articles"].for_detail().order_by("title")
    large = form.cleaned_data["large"]
    context = {
        "handouts": [article_parts(request, a, anchor=f"a{a.pk}-") for a in articles],
        "printed_on": timezone.localdate(),
        "note": form.cleaned_data["note"],
        "large": large,
        "pdf": True,
    }
    html = render_to_string("articles/packet.html", context, request=request)
    filename = f"handout-packet-{context['printed_on']:%Y-%m-%d}.pdf"
    return pdf_response(render_pdf(request, html, form.cleaned_data["paper"]), filename)
