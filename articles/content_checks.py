"""Content checks: structure and wording problems in an article's rich text, as warnings.

Public function (a stable name: the admin panel and the publish gate call it):

    check_content(parts, images=()) -> list[ContentWarning]
        parts: (label, html) pairs, e.g. ("Section 3: Causes", section.body); each html
        is a body that sits under the page's own h2 heading, so it may use h3 and h4.
        images: (label, alt text) pairs, e.g. ("Hero image", article.hero_image_alt).
        Returns a warning, part by part, for each of:

        heading-order  a heading that is h1 or h2 (the page's own levels), or that skips a
                       level (h4 before any h3, h3 then h5)
        heading-empty  a heading with no text
        link-text      link text that does not say where it goes ("click here", "here",
                       "read more", "this link", a bare web address) or no text at all
        image-alt      an image without alt text, or with alt text that is a file name or a
                       word like "image" ("IMG_2034.jpg", "photo.png", "DSC0001")
        long-paragraph a paragraph over MAX_PARAGRAPH_WORDS words
        long-sentence  a sentence over MAX_SENTENCE_WORDS words

Structure is read with the standard library's HTML parser; any input, however broken,
gives a list of warnings and never an exception.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from articles.readability import plain_text, sentences, words

MAX_PARAGRAPH_WORDS = 80
MAX_SENTENCE_WORDS = 35
HEADINGS = {f"h{level}": level for level in range(1, 7)}
BLOCKS = {"p", "li", "ul", "ol", "blockquote", "div", "table", "tr", "td", "th", "dl", "dd", "dt"}
VAGUE_LINK_TEXT = {
    "click here", "here", "click", "read more", "more", "learn more", "find out more",
    "this link", "link", "this", "this page", "go", "see here", "click this link",
}  # fmt: skip
URL_RE = re.compile(r"^(?:https?://|www\.|mailto:)\S*$|^\S+\.(?:com|org|net|gov|edu|uk|io)\S*$")
FILE_NAME_RE = re.compile(
    r"^\S*\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?|heic|avif)$"
    r"|^(?:img|dsc|dscn|dscf|dcim|pxl|mvimg|screenshot|image|photo|picture|pic|graphic|untitled)"
    r"[\s_-]*\d*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ContentWarning:
    """A problem in an article's content: what kind (code), what to do (message), where."""

    code: str
    message: str
    where: str


class _Structure(HTMLParser):
    """Collect the headings, links, images and paragraphs of one body of rich text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings, self.links, self.images, self.paragraphs = [], [], [], []
        self._heading = self._link = self._paragraph = None
        self._loose = []  # text outside any block: a paragraph of its own

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in HEADINGS:
            self._end_heading()
            self._end_loose()
            self._heading = (HEADINGS[tag], [])
        elif tag == "a":
            self._end_link()
            self._link = (attrs.get("href") or "", [])
        elif tag == "img":
            self.images.append(attrs.get("alt"))
            if self._link and attrs.get("alt"):
                self._link[1].append(attrs["alt"])
        elif tag == "p":
            self._end_paragraph()
            self._end_loose()
            self._paragraph = []
        elif tag in BLOCKS:
            self._end_paragraph()
            self._end_loose()
        elif tag == "br":
            self.handle_data(" ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in HEADINGS:
            self._end_heading()
        elif tag == "a":
            self._end_link()
        elif tag == "p" or tag in BLOCKS:
            self._end_paragraph()
            self._end_loose()

    def handle_data(self, data):
        if self._heading:
            self._heading[1].append(data)
        if self._link:
            self._link[1].append(data)
        if self._paragraph is not None:
            self._paragraph.append(data)
        elif not self._heading:
            self._loose.append(data)

    def close(self):
        super().close()
        self._end_heading()
        self._end_link()
        self._end_paragraph()
        self._end_loose()

    def _end_heading(self):
        if self._heading:
            self.headings.append((self._heading[0], "".join(self._heading[1]).strip()))
            self._heading = None

    def _end_link(self):
        if self._link:
            self.links.append((self._link[0], " ".join("".join(self._link[1]).split())))
            self._link = None

    def _end_paragraph(self):
        if self._paragraph is not None:
            self.paragraphs.append("".join(self._paragraph))
            self._paragraph = None

    def _end_loose(self):
        if "".join(self._loose).strip():
            self.paragraphs.append("".join(self._loose))
        self._loose = []


def check_content(parts, images=()):
    """Return warnings about headings, links, images, paragraphs and sentences in parts."""
    warnings = []
    for label, markup in parts:
        structure = _Structure()
        structure.feed(markup or "")
        structure.close()
        label = str(label)
        warnings += _heading_warnings(structure.headings, label)
        warnings += _link_warnings(structure.links, label)
        warnings += [_alt_warning(alt, label) for alt in structure.images]
        warnings += _length_warnings(structure.paragraphs, markup, label)
    warnings += [_alt_warning(alt, str(label)) for label, alt in images]
    return [warning for warning in warnings if warning]


def _heading_warnings(headings, label):
    previous = 2  # the section's own heading on the page
    for level, text in headings:
        if not text:
            yield ContentWarning(
                "heading-empty",
                f"An empty h{level} heading: give it words or remove it.",
                label,
            )
        if level <= 2:
            yield ContentWarning(
                "heading-order",
                f"The heading “{_excerpt(text)}” is h{level}, a level the page itself uses: "
                "use h3 for a sub-heading and h4 below it.",
                label,
            )
        elif level > previous + 1:
            after = f"after an h{previous}" if previous > 2 else f"before any h{previous + 1}"
            yield ContentWarning(
                "heading-order",
                f"The heading “{_excerpt(text)}” is h{level} but comes {after}: "
                f"make it h{previous + 1}, so screen readers can follow the outline.",
                label,
            )
        previous = max(level, 2)


def _link_warnings(links, label):
    for href, text in links:
        plain = text.strip(" .:;,!?()[]“”\"'").lower()
        if not plain:
            yield ContentWarning(
                "link-text",
                f"A link to {_excerpt(href) or 'nowhere'} has no text: "
                "write words that say where it goes.",
                label,
            )
        elif plain in VAGUE_LINK_TEXT or URL_RE.match(plain) or plain == href.lower():
            yield ContentWarning(
                "link-text",
                f"The link text “{_excerpt(text)}” does not say where the link goes: "
                "name the page or document instead (for example “the sleep diary form”).",
                label,
            )


def _alt_warning(alt, label):
    alt = " ".join((alt or "").split())
    if not alt:
        return ContentWarning(
            "image-alt",
            "An image has no alt text: describe what it shows for people who cannot see it.",
            label,
        )
    if FILE_NAME_RE.match(alt):
        return ContentWarning(
            "image-alt",
            f"The alt text “{_excerpt(alt)}” looks like a file name: "
            "describe what the image shows instead.",
            label,
        )
    return None


def _length_warnings(paragraphs, markup, label):
    for paragraph in paragraphs:
        if (count := len(words(paragraph))) > MAX_PARAGRAPH_WORDS:
            yield ContentWarning(
                "long-paragraph",
                f"A paragraph of {count} words (“{_excerpt(paragraph)}”): "
                f"split it into paragraphs of {MAX_PARAGRAPH_WORDS} words or fewer.",
                label,
            )
    for sentence in sentences(plain_text(markup)):
        if (count := len(words(sentence))) > MAX_SENTENCE_WORDS:
            yield ContentWarning(
                "long-sentence",
                f"A sentence of {count} words (“{_excerpt(sentence)}”): "
                f"split it into sentences of {MAX_SENTENCE_WORDS} words or fewer.",
                label,
            )


def _excerpt(text, length=8):
    """Return the first few words of text, with an ellipsis if there are more."""
    found = text.split()
    return " ".join(found[:length]) + (" …" if len(found) > length else "")
