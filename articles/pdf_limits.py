"""Bounds on handout PDFs, so that no visitor can tie up the web server's workers.

A PDF costs about a third of a second of CPU per thousand words (WeasyPrint, measured
on the bench machine), against milliseconds for a cached page. So:

- query parameters that change nothing (``?v=<random>``) are redirected away before any
  work, so every handout and PDF has a handful of addresses the page cache can hold;
- a PDF is rendered once per distinct handout (its HTML, paper and code version) and its
  bytes kept in the cache, so staff (who bypass the page cache) reprint for free too;
- a handout over PDF_MAX_WORDS words gets a page offering the HTML print view instead;
- a render runs in a child process killed after PDF_RENDER_TIMEOUT seconds, below the
  gunicorn worker timeout (WeasyPrint itself has no timeout);
- at most PDF_RENDERS_AT_ONCE renders run at once on a machine (a lock file per slot,
  freed by the system even when a process dies); beyond that the answer is 503 with
  Retry-After, so pages and /healthz keep their workers.

Only GET renders are cached: a packet (POST) prints a note for one patient that is never
stored.
"""

import contextlib
import fcntl
import functools
import hashlib
import multiprocessing
import os
import re
import stat
import tempfile
from importlib import metadata

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from articles import rendering
from common.richtext import TAG_RE

# Parameters a handout address may carry, and the values that change what it shows.
KNOWN_PARAMETERS = {
    "size": lambda value: value == "large",
    "paper": lambda value: True,  # an unknown paper is a cheap, clear 400 from the view
    "release": lambda value: True,  # staff only; others get a cheap 404
}
CACHE_PREFIX = "handout-pdf:"
CACHE_TIMEOUT = 24 * 60 * 60  # handouts print the date, so their HTML changes daily anyway
WORD_RE = re.compile(r"\w+")
RETRY_AFTER = 10  # seconds


class PdfRefused(Exception):
    """A PDF that is not rendered; the page to show instead is described by the subclass."""

    status = 503
    template = "articles/pdf_refused.html"
    title = ""
    message = ""


class TooLong(PdfRefused):
    status = 200  # nothing failed: this handout is printed from the browser instead
    title = "This handout is too long for one PDF"
    message = (
        "Print it from the handout page with your browser's Print command instead: it "
        "gives the same pages."
    )


class Busy(PdfRefused):
    title = "Many handouts are being printed right now"
    message = "Try again in a few seconds, or print the handout page from your browser."


class TooSlow(PdfRefused):
    title = "This handout took too long to turn into a PDF"
    message = "Print it from the handout page with your browser's Print command instead."


def setting(name, default):
    return getattr(settings, name, default)


# Addresses ------------------------------------------------------------------------------


def canonical_query(query_dict):
    """Return the query string with only known parameters, once each, in their order."""
    kept = {}
    for name, value in query_dict.items():
        check = KNOWN_PARAMETERS.get(name)
        if check and name not in kept and check(value):
            kept[name] = value
    return urlencode(kept)


def known_parameters_only(view):
    """Redirect a handout address carrying other parameters to the one without them."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        query = canonical_query(request.GET)
        if query != request.META.get("QUERY_STRING", ""):
            return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
        return view(request, *args, **kwargs)

    return wrapper


def refusals_as_pages(view):
    """Answer a PDF that is not rendered with a page saying why and what to do instead."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PdfRefused as refused:
            return refusal_page(request, refused, kwargs.get("slug"))

    return wrapper


def refusal_page(request, refused, slug):
    if slug:
        link = reverse("articles:handout", kwargs={"slug": slug})
        size = "?size=large" if request.GET.get("size") == "large" else ""
        link, label = link + size, "Open the handout page"
    else:  # a packet: back to the list to choose fewer articles
        link, label = reverse("admin:articles_article_changelist"), "Back to the article list"
    context = {"refused": refused, "link": link, "label": label}
    response = render(request, refused.template, context, status=refused.status)
    if isinstance(refused, Busy):
        response["Retry-After"] = str(RETRY_AFTER)
    response["X-Robots-Tag"] = "noindex"
    return response


# Rendering ------------------------------------------------------------------------------


def words(html):
    """Return the number of words in a page's html (tags left out)."""
    return sum(1 for _ in WORD_RE.finditer(TAG_RE.sub(" ", html)))


def cache_key(html, paper):
    digest = hashlib.sha256(html.encode())
    for part in (paper, rendering.version(), metadata.version("weasyprint")):
        digest.update(b"\0" + part.encode())
    return CACHE_PREFIX + digest.hexdigest()


def bounded_render(request, html, paper, write_pdf):
    """Return write_pdf(html, paper)'s bytes: from the cache, or rendered within the limits."""
    if words(html) > setting("PDF_MAX_WORDS", 20_000):
        raise TooLong
    cache = caches["default"] if request.method == "GET" else None
    key = cache_key(html, paper) if cache else None
    if cache and (pdf := cache.get(key)) is not None:
        return pdf
    with render_slot():
        pdf = within_time(write_pdf, html, paper)
    if cache:
        cache.set(key, pdf, CACHE_TIMEOUT)
    return pdf


@contextlib.contextmanager
def render_slot():
    """Hold one of the machine's PDF_RENDERS_AT_ONCE render slots, or raise Busy."""
    folder = slots_folder()
    for slot in range(max(1, setting("PDF_RENDERS_AT_ONCE", 1))):
        fd = os.open(os.path.join(folder, f"slot-{slot}"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield
        finally:
            os.close(fd)  # closing releases the lock; so does the process dying
        return
    raise Busy


def slots_folder():
    """Return the lock files' folder: this user's own, so no other account can hold a slot."""
    path = setting("PDF_SLOTS_FOLDER", "") or os.path.join(
        tempfile.gettempdir(), f"portal-pdf-slots-{os.getuid()}"
    )
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{path} is not a private folder of this user (mode 0700)")
    return path


def within_time(function, *args):
    """Return function(*args) run in a child process, or raise TooSlow after the timeout.

    PDF_RENDER_TIMEOUT = 0 runs it in this process, with no limit.
    """
    timeout = setting("PDF_RENDER_TIMEOUT", 20)
    if not timeout:
        return function(*args)
    context = multiprocessing.get_context("fork")  # the child has the code loaded already
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(writer, function, args), daemon=True)
    child.start()
    writer.close()
    try:
        if not reader.poll(timeout):
            raise TooSlow
        ok, value = reader.recv()
    except EOFError:
        raise RuntimeError(f"The PDF process ended without an answer ({child.exitcode})") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        reader.close()
    if not ok:
        raise RuntimeError(f"The PDF could not be rendered: {value}")
    return value


def _child(writer, function, args):
    try:
        writer.send((True, function(*args)))
    except Exception as error:  # the parent raises it; the child only reports it
        writer.send((False, f"{type(error).__name__}: {error}"))
    finally:
        writer.close()
