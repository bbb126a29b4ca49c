"""QR codes for handouts, drawn by segno as inline SVG (no images, no network)."""

import segno
from django.utils.html import escape
from django.utils.safestring import mark_safe


def qr_svg(url, label="QR code"):
    """Return an inline SVG QR code for url, sized by CSS (viewBox only, no style attribute)."""
    # Error level M survives a crease or a smudge; a 4-module quiet zone is what
    # phone scanners expect around the code.
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr-code", title=label)
    return mark_safe(  # noqa: S308 - segno builds the markup; only the escaped label is ours
        svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    )
