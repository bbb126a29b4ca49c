"""Link addresses typed by staff: only http, https and mailto ever reach a page."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

SAFE_SCHEMES = {"http", "https", "mailto"}
# Browsers ignore these anywhere in a scheme ("java\tscript:" is "javascript:").
IGNORED_CHARACTERS = dict.fromkeys(map(ord, "\t\n\r"))


def safe_url(value):
    """Return value if it is an http, https or mailto address, else ""."""
    if not value:
        return ""
    url = str(value).strip()
    try:
        scheme = urlsplit(url.translate(IGNORED_CHARACTERS)).scheme.lower()
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return ""
    return url if scheme in SAFE_SCHEMES and "\\" not in url else ""


def validate_web_url(value):
    """Refuse an address that is not http or https (e.g. javascript: or data:)."""
    if value and (not safe_url(value) or safe_url(value).lower().startswith("mailto:")):
        raise ValidationError(
            "Enter a web address starting with https:// or http://.", code="unsafe_scheme"
        )
