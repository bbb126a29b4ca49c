"""Citations: AMA-style reference formatting and the [n] markers in section bodies."""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from common.links import safe_url

MARKER_RE = re.compile(r"\[(\d{1,3}(?:\s*[,\u2013\-]\s*\d{1,3})*)\]")
TAG_SPLIT_RE = re.compile(r"(<[^>]*>)")


def _expand(group):
    """Return the numbers in a marker's text: "1, 3-5" -> [1, 3, 4, 5]."""
    numbers = []
    for part in re.split(r"\s*,\s*", group):
        bounds = [int(n) for n in re.split(r"\s*[\u2013\-]\s*", part)]
        if len(bounds) == 2 and bounds[0] < bounds[1] <= bounds[0] + 50:
            numbers += range(bounds[0], bounds[1] + 1)
        else:
            numbers += bounds
    return numbers


def _text_chunks(html):
    """Yield (is_text, chunk) pairs so markers are only read outside tags."""
    for chunk in TAG_SPLIT_RE.split(html or ""):
        yield not chunk.startswith("<"), chunk


def marker_numbers(html):
    """Return the reference numbers cited by [n] markers in html, in order of appearance."""
    found = []
    for is_text, chunk in _text_chunks(html):
        if is_text:
            for match in MARKER_RE.finditer(chunk):
                found += [n for n in _expand(match.group(1)) if n not in found]
    return found


def missing_markers(html, available):
    """Return the marker numbers in html that have no citation among available numbers."""
    return [n for n in marker_numbers(html) if n not in set(available)]


def reference_label(number):
    """Return the screen readers' name of citation marker n, in the active language."""
    return escape(gettext("Reference %(number)s") % {"number": number})


def link_markers(html, available=None):
    """Return html with each [n] turned into a link to reference n on the same page.

    Numbers not in available (when given) are left as plain text.
    """

    def replace(match):
        numbers = _expand(match.group(1))
        if available is not None and any(n not in available for n in numbers):
            return match.group(0)
        links = ", ".join(
            f'<a href="#ref-{n}" class="cite" aria-label="{reference_label(n)}">{n}</a>'
            for n in numbers
        )
        return f'<sup class="citation">[{links}]</sup>'

    out = []
    for is_text, chunk in _text_chunks(html):
        out.append(MARKER_RE.sub(replace, chunk) if is_text else chunk)
    return mark_safe("".join(out))  # noqa: S308 - input is sanitised HTML; we add fixed markup


def _source_details(ref):
    """Return the "2019;48(2):101218" part of an AMA citation."""
    details = str(ref.year or "")
    if ref.volume:
        details += f";{ref.volume}"
        if ref.issue:
            details += f"({ref.issue})"
    elif ref.issue:
        details += f";({ref.issue})"
    if ref.pages:
        details += f":{ref.pages}"
    return details


def _end(text):
    """Return text ending with a full stop (or its own ? or !)."""
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def ama(ref):
    """Return the reference in AMA style as plain text."""
    parts = [_end(ref.authors), _end(ref.title)]
    if ref.journal:
        parts.append(_end(ref.journal))
    if details := _source_details(ref):
        parts.append(_end(details))
    parts.append(_identifier(ref))
    return " ".join(part for part in parts if part)


def _identifier(ref):
    if ref.doi:
        return f"doi:{ref.doi}"
    if ref.pmid:
        return f"PMID: {ref.pmid}"
    return ref.url


def ama_html(ref):
    """Return the reference in AMA style as HTML: journal in italics, DOI and PubMed linked."""
    parts = [escape(_end(ref.authors)), escape(_end(ref.title))]
    if ref.journal:
        parts.append(format_html("<em>{}</em>", _end(ref.journal)))
    if details := _source_details(ref):
        parts.append(escape(_end(details)))
    if ref.doi:
        parts.append(format_html('<a href="https://doi.org/{}">doi:{}</a>', ref.doi, ref.doi))
    if ref.pmid:
        url = f"https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/"
        parts.append(format_html('<a href="{}">PubMed {}</a>', url, ref.pmid))
    if safe_url(ref.url) and not (ref.doi or ref.pmid):
        parts.append(format_html('<a href="{}">{}</a>', safe_url(ref.url), ref.url))
    return mark_safe(" ".join(str(part) for part in parts if part))  # noqa: S308 - every part escaped
