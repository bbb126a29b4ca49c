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
from django.utils.html import format_html
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from articles import handout_log, pdf_limits, releases
from articles.citations import ama_html, link_markers
from articles.models import Article, Release, can_preview
from articles.qr import qr_svg
from articles.rendering import place_quotes
from common import addresses, structured_data
from common.richtext import render as render_rich_text
from common.structured_data import absolute_url

# CSS page sizes for the PDF; the HTML page leaves the size to the browser's printer.
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
NOTE_MAX_LENGTH = 500
FOR_MAX_LENGTH = 80


def handout_release(request, slug, number=None):
    """Return the release a handout prints: the live one, or for staff ?release=N.

    Staff who may change articles can also print any release, and the working copy of an
    article that has no live release (marked DRAFT); anyone else gets 404 for those.
    """
    number = request.GET.get("release", "") if number is None else number
    if number and request.user.has_perm("articles.view_release"):  # a reprint, e.g. the desk's
        if not number.isdigit():
            raise Http404("Ask for a version by its number, e.g. ?release=2.")
        found = Release.objects.with_translations().select_related("article")
        found = found.filter(article__slug=slug)
        return get_object_or_404(found, number=number)
    if can_preview(request.user):
        article = get_object_or_404(Article.objects.for_snapshot(), slug=slug)
        if number:
            if not number.isdigit():
                raise Http404("Ask for a version by its number, e.g. ?release=2.")
            found = article.releases.with_translations().select_related("article")
            return get_object_or_404(found, number=number)
        live = Release.objects.live().with_translations().select_related("article")
        live = live.filter(article=article).first()
        return live or releases.working_copy(article)
    if number:
        raise Http404("Only staff can print earlier versions.")
    live = Release.objects.live().with_translations().select_related("article")
    return get_object_or_404(live, article__slug=slug)


def public_url(request, release):
    """Return the article's public address, for the QR code and the printed link.

    It names the release printed (?from=v3), so the page can tell a patient holding an
    old handout that the article has changed since.
    """
    # The public address (SITE_URL or clinic settings) wins: the front desk may print
    # from an internal address that patients' phones cannot reach.
    url = absolute_url(request, release.get_absolute_url())
    return f"{url}?from=v{release.number}" if release.pk else url


def source_url(request, release):
    """Return the address of a stale translation's source, printed in its notice; else ""."""
    if not release.is_stale:  # needs with_translations(); a working copy is never stale
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("articles:detail", kwargs={"slug": release.source_slug})
    # On a line of its own, so that the address is not broken where it can be kept whole.
    return format_html('<span class="printed-url">{}</span>', absolute_url(request, path))


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
        # On paper the notice prints the English address: a link cannot be clicked.
        "source_url": source_url(request, release),
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
    """Return the PDF bytes of a handout page's html on the given paper.

    Cached, and bounded in words, time and renders at once (articles/pdf_limits.py).
    """
    base_url = request.build_absolute_uri("/")
    labels_css = page_labels_css()  # before any worker process
    return pdf_limits.bounded_render(
        request, html, paper, lambda html, paper: write_pdf(html, paper, base_url, labels_css)
    )


def write_pdf(html, paper, base_url, labels_css=""):
    """Return the PDF bytes WeasyPrint makes of html on the given paper."""
    # Imported on use so the site still runs where Pango is missing; only PDFs need it.
    from weasyprint import CSS, HTML

    page_size = CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}")
    document = HTML(string=html, base_url=base_url, url_fetcher=local_fetcher)
    return document.write_pdf(stylesheets=[page_size, CSS(string=labels_css)])


def css_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_labels_css():
    """Return the page-margin words of handout.css in each language ("Página 1 de 2").

    The margins print named strings that the packet cover and each article set in their
    own language (html[lang] .cover, .handout[lang]), so every article of a mixed packet has its
    footer in its own language, whatever the cover's.
    """
    rules = [
        # A user stylesheet: !important to win over handout.css's English words.
        "@page { @bottom-right { content: string(page-before) counter(page) "
        "string(page-between) counter(pages) string(page-after) !important; } }",
        "@page draft, large-draft { @top-center { content: string(draft-label) !important; } }",
    ]
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            page_of = gettext("Page %(page)s of %(pages)s")
            draft = gettext("DRAFT — not for patients")
        before, _, rest = page_of.partition("%(page)s")
        between, _, after = rest.partition("%(pages)s")
        strings = ", ".join(
            f"{name} {css_string(text)}"
            for name, text in [
                ("page-before", before),
                ("page-between", between),
                ("page-after", after),
                ("draft-label", draft),
            ]
        )
        # Not on html itself: WeasyPrint would count its assignment on every page.
        rules.append(
            f'html[lang="{code}"] .cover, .handout[lang="{code}"] {{ string-set: {strings}; }}'
        )
    return "\n".join(rules)


def warm_up():
    """Lay out a small handout once, so this process's first real PDF is as quick as the rest.

    WeasyPrint loads Pango, asks fontconfig for the fonts and parses the handout
    stylesheet on first use. PDFs render in a child forked from the worker
    (articles/pdf_limits.py), so unless the worker has done this once, every render pays
    for it again. gunicorn.conf.py calls this in every worker.
    """
    from weasyprint import HTML

    html = (
        '<html lang="en"><head><link rel="stylesheet" '
        f'href="{settings.STATIC_URL}articles/handout.css"></head>'
        "<body><main><h1>Handout</h1><p>Text, <strong>bold</strong> and <em>italic</em>."
        "</p><ol><li>A reference.</li></ol></main></body></html>"
    )
    HTML(string=html, base_url="http://localhost/", url_fetcher=local_fetcher).write_pdf()


def pdf_response(pdf, filename):
    """Return the PDF shown in the browser, saved under filename."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Robots-Tag"] = "noindex"
    return response


def address_warning(user):
    """Return the warning staff see when handouts print an address patients cannot open."""
    if not user.has_perm("articles.view_article"):
        return ""
    return addresses.address_warning(structured_data.site_url())


def _page_context(request, release, large, pdf, for_line=""):
    query = {"size": "large"} if large else {}
    if release.pk is not None and request.GET.get("release"):
        query["release"] = release.number
    pdf_url = reverse("articles:handout_pdf", kwargs={"slug": release.slug})
    # Only a reviewed release can be given to a patient, never a working copy.
    can_record = (
        not pdf and release.pk is not None and request.user.has_perm("articles.add_handoutgiven")
    )
    return {
        "handout": release_parts(request, release),
        "printed_on": timezone.localdate(),
        "for_line": for_line,
        "large": large,
        "pdf": pdf,
        "address_warning": "" if pdf else address_warning(request.user),
        "record_form": RecordForm(
            initial={"release": query.get("release", ""), "large": large},
            printed_for=gettext("For:"),  # the handout's language: "Para:" on a Spanish one
        )
        if can_record
        else None,
        "record_url": reverse("articles:handout_record", kwargs={"slug": release.slug}),
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
    paper = request.GET.get("paper", "a4").lower()  # "A4", "Letter" too
    if paper not in PAPER_SIZES:
        message = gettext("Unknown paper size “%(paper)s”: use paper=a4 or paper=letter.")
        return HttpResponseBadRequest(
            message % {"paper": paper[:20]}, content_type="text/plain; charset=utf-8"
        )
    return _handout_pdf(request, release, paper, request.GET.get("size") == "large")


def _handout_pdf(request, release, paper, large, for_line=""):
    with translation.override(release.language):
        context = _page_context(request, release, large, True, for_line)
        html = render_to_string("articles/handout.html", context, request=request)
        pdf = render_pdf(request, html, paper)
    filename = (
        f"{release.slug}-v{release.number}.pdf" if release.pk else f"{release.slug}-draft.pdf"
    )
    return pdf_response(pdf, filename)


def for_help(printed_for):
    return f"Optional: printed after “{printed_for}” on the handout and never saved."


def for_field():
    return forms.CharField(
        required=False,
        max_length=FOR_MAX_LENGTH,
        strip=True,
        label="For",
        help_text=for_help("For:"),
        error_messages={
            "max_length": "The “For” line is too long: %(show_value)d characters, and at most "
            "%(limit_value)d fit. Shorten it and print again."
        },
    )


class PaperField(forms.ChoiceField):
    """A4 or US Letter, whatever the case of the name sent ("a4", "LETTER")."""

    def __init__(self, **kwargs):
        super().__init__(choices=[("a4", "A4"), ("letter", "US Letter")], label="Paper", **kwargs)

    def to_python(self, value):
        return super().to_python(value).lower()


def paper_field():
    return PaperField()


class RecordForm(forms.Form):
    """Print one handout and record that it was given (what was printed, never to whom)."""

    paper = paper_field()
    large = forms.BooleanField(required=False, widget=forms.HiddenInput)
    release = forms.CharField(required=False, widget=forms.HiddenInput)
    for_line = for_field()

    def __init__(self, *args, printed_for=None, **kwargs):
        super().__init__(*args, **kwargs)
        if printed_for:  # the words the handout prints before the line, in its language
            self.fields["for_line"].help_text = for_help(printed_for)


@never_cache
def record(request, slug):
    """Print the handout as a PDF and record one "given to a patient" row for it."""
    if not request.user.is_authenticated:
        # Staff sign in on the admin's page (there is no other), then come back here.
        return redirect_to_login(
            reverse("articles:handout", kwargs={"slug": slug}), reverse("admin:login")
        )
    if not request.user.has_perm("articles.add_handoutgiven"):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("articles:handout", slug=slug)
    form = RecordForm(request.POST)
    if not form.is_valid():
        errors = " ".join(e for field in form.errors.values() for e in field)
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    release = handout_release(request, slug, data["release"])
    if release.pk is None:
        return HttpResponseBadRequest(
            "This article has no reviewed version yet: a draft cannot be given to a patient.",
            content_type="text/plain; charset=utf-8",
        )
    handout_log.record_given(request.user, [release], data["paper"], data["large"])
    return _handout_pdf(request, release, data["paper"], data["large"], data["for_line"])


class PacketForm(forms.Form):
    """The choices the front desk makes before printing a packet of handouts.

    The articles come in the order chosen: the order of the hidden `articles` inputs,
    changed by the position typed beside each title (no JavaScript needed).
    """

    articles = forms.ModelMultipleChoiceField(
        queryset=Article.objects.all(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": "Choose at least one article on the article list, then print the packet.",
            "invalid_choice": "One of the chosen articles no longer exists; choose them again.",
            "invalid_pk_value": "One of the chosen articles no longer exists; choose them again.",
        },
    )
    for_line = for_field()
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
    paper = PaperField(initial="a4")
    large = forms.BooleanField(
        required=False, label="Large print", help_text="Bigger text for patients with low vision."
    )

    def clean(self):
        data = super().clean()
        for pk in self.data.getlist("articles"):
            typed = str(self.data.get(f"position-{pk}", "")).strip()
            if typed and not (typed.isdigit() and len(typed) < 5):
                raise forms.ValidationError(
                    "Positions are whole numbers, like 1, 2 and 3. Correct them and print again."
                )
        if "articles" in data:
            data["articles"] = in_chosen_order(data["articles"], self.data)
        return data


def in_chosen_order(articles, data):
    """Return the articles sorted by the positions typed, then the order they were chosen."""
    chosen = [str(pk) for pk in data.getlist("articles")]

    def key(article):
        pk = str(article.pk)
        default = chosen.index(pk) + 1 if pk in chosen else len(chosen) + 1
        typed = str(data.get(f"position-{pk}", "")).strip()
        return (int(typed) if typed.isdigit() and len(typed) < 5 else default, default)

    return sorted(articles, key=key)


def _packet_form_page(request, form, articles):
    context = admin.site.each_context(request) | {
        "title": "Print handout packet",
        "form": form,
        "articles": articles,
        "can_record": request.user.has_perm("articles.add_handoutgiven"),
        "opts": Article._meta,
    }
    return render(request, "articles/packet_form.html", context)


@admin.action(description="Print handout packet")
def print_handout_packet(modeladmin, request, queryset):
    """Ask for an optional note, then print the selected articles as one PDF, in tick order."""
    ticked = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
    order = {pk: index for index, pk in enumerate(ticked)}
    articles = sorted(
        queryset.with_live_flag().order_by("title"),
        key=lambda article: order.get(str(article.pk), len(order)),
    )
    form = PacketForm(initial={"articles": articles, "paper": "a4"})
    return _packet_form_page(request, form, articles)


@never_cache
def packet(request):
    """Return one PDF of the chosen articles: a cover page, then each article on a new page.

    With "Print and record", each article is also recorded as given (never to whom).
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not request.user.has_perm("articles.view_article"):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("admin:articles_article_changelist")
    recording = "record" in request.POST
    if recording and not request.user.has_perm("articles.add_handoutgiven"):
        raise PermissionDenied
    form = PacketForm(request.POST)
    if not form.is_valid():
        chosen = [article.pk for article in form.cleaned_data.get("articles", [])]
        chosen = Article.objects.filter(pk__in=chosen).with_live_flag()
        return _packet_form_page(request, form, in_chosen_order(chosen, request.POST))
    chosen = chosen_releases(request, form.cleaned_data["articles"])
    drafts = [release.title for release in chosen if release.pk is None]
    if recording and drafts:
        form.add_error(
            None,
            f"“{drafts[0]}” has no reviewed version yet: a draft cannot be recorded as given. "
            "Print without recording, or leave it out.",
        )
        chosen = [article.pk for article in form.cleaned_data["articles"]]
        chosen = Article.objects.filter(pk__in=chosen).with_live_flag()
        return _packet_form_page(request, form, in_chosen_order(chosen, request.POST))
    large, paper = form.cleaned_data["large"], form.cleaned_data["paper"]
    if recording:
        handout_log.record_given(request.user, chosen, paper, large, in_packet=True)
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
        "for_line": form.cleaned_data["for_line"],
        "large": large,
        "pdf": True,
    }
    html = render_to_string("articles/packet.html", context, request=request)
    filename = f"handout-packet-{context['printed_on']:%Y-%m-%d}.pdf"
    with translation.override(context["cover_language"]):
        pdf = render_pdf(request, html, paper)
    return pdf_response(pdf, filename)


def chosen_releases(request, ordered):
    """Return each chosen article's live release (or, for staff, its working copy), in order."""
    articles = Article.objects.for_snapshot().filter(pk__in=[a.pk for a in ordered])
    if not can_preview(request.user):  # the front desk prints only what patients may see
        articles = articles.live()
    articles = {article.pk: article for article in articles}
    # Each article's live release; staff may also print working copies, marked DRAFT.
    live = Release.objects.live().with_translations().select_related("article")
    live = live.filter(article__in=articles.values())
    live = {release.article_id: release for release in live}
    return [
        live.get(a.pk) or releases.working_copy(articles[a.pk]) for a in ordered if a.pk in articles
    ]
