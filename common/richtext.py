"""Rich text: one allow-list, enforced with nh3 on every save and on render."""

import html
import re

import nh3
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {"h3", "h4", "p", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

HREF_RE = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
BLOCK_TAG_RE = re.compile(
    r"<(?:/?(?:p|li|ul|ol|dl|dt|dd|h[1-6]|blockquote|div|section|table|tr|td|th|caption"
    r"|figcaption|pre|hr)\b[^>]*|br\b[^>]*)>",
    re.IGNORECASE,
)
TAG_RE = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
BREAKS_RE = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v]*\n\s*")
SCHEME_RE = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")


def sanitize(html):
    """Return html reduced to the allowed tags, attributes and link schemes."""
    if not html:
        return ""
    return nh3.clean(
        str(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def plain_text(markup):
    """Return the text of rich-text markup, block ends turned into sentence breaks."""
    text = BLOCK_TAG_RE.sub("\n\n", markup or "")
    text = html.unescape(TAG_RE.sub(" ", text))
    return BREAKS_RE.sub("\n\n", text).strip()


def render(html):
    """Return sanitised html marked safe for a template."""
    return mark_safe(sanitize(html))  # noqa: S308 - sanitised just above


def validate_link_schemes(html):
    """Refuse links that are not http, https or mailto, naming the bad link."""
    for match in HREF_RE.finditer(html or ""):
        href = next(group for group in match.groups() if group is not None)
        # Browsers ignore control characters and entity-encoded letters in schemes.
        cleaned = re.sub(r"[\x00-\x20]|&#?\w+;?", "", href)
        scheme = SCHEME_RE.match(cleaned)
        if scheme and scheme.group(1).lower() not in ALLOWED_SCHEMES:
            raise ValidationError(
                "The link “%(href)s” is not allowed: links must start with http://, "
                "https:// or mailto:.",
                code="link_scheme",
                params={"href": href[:80]},
            )


class RichTextField(models.TextField):
    """A TextField whose HTML is sanitised whatever path the data takes.

    pre_save cleans model saves; get_prep_value also cleans fixtures (raw saves),
    bulk_create and QuerySet.update().
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)
        if validate_link_schemes not in self.validators:
            self.validators.append(validate_link_schemes)

    def pre_save(self, model_instance, add):
        value = sanitize(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return sanitize(value) if value else value

    def formfield(self, **kwargs):
        from django_prose_editor.widgets import AdminProseEditorWidget

        kwargs.setdefault(
            "widget", AdminProseEditorWidget(config=EDITOR_CONFIG, preset="configurable")
        )
        return super().formfield(**kwargs)


# django-prose-editor toolbar limited to what the sanitiser keeps.
EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Heading": {"levels": [3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HardBreak": True,
        "Link": {"protocols": ["http", "https", "mailto"]},
        "History": True,
    }
}
