"""Whole-page cache for anonymous visitors, emptied at once by any change patients see.

Every stored page carries the content generation it was rendered in: a random token
that a new release or a change to what pages show live (experts, topics, tags, the
clinic; see portal/changes.py) replaces after its transaction commits, and that also
ends by itself when the clock alone changes what the site shows — the next scheduled
release's go-live time, or midnight for printed dates. A page is served
only while its generation is current, so an edit shows on the very next request and
nothing needs to find and delete the pages it touched.

The generation lives in the cache when the cache is shared (Redis): one round trip
fetches it with the page. The local-memory cache belongs to one process, so there the
processes of one machine share the generation through a small stamp file instead.

Requests carrying a session cookie (staff) never read or fill the cache, and their
responses are marked private.

Pages are stored gzipped too, once, so a hit costs no compression: clients that accept
gzip get it (Content-Encoding: gzip, Vary: Accept-Encoding), others the page as it is.
BREACH, the attack on compressed HTTPS responses, needs a secret in a page that also
echoes what the attacker sends (e.g. a search); no page stored here carries a secret: only
anonymous requests (no session) are served from the cache, only responses that set no
cookie are stored, and no stored page holds a CSRF token or anything personal. Staff
pages, which do, never pass through this cache and are never compressed.
"""

import contextlib
import datetime
import functools
import gzip
import hashlib
import logging
import os
import re
import secrets
import stat
import tempfile
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost, ImproperlyConfigured, MiddlewareNotUsed
from django.core.signals import setting_changed
from django.db import DatabaseError, transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import cc_delim_re, parse_etags, patch_cache_control, patch_vary_headers

from articles.models import Release, handout_marker

logger = logging.getLogger(__name__)

CACHE_ALIAS = "default"
GENERATION_KEY = "page-cache:generation"
PAGE_KEY_PREFIX = "page-cache:page:"
# Entries outlive no generation; this only bounds how long dead ones take memory.
MAX_TIMEOUT = 24 * 60 * 60
# Browsers keep the page but ask each time; the answer is usually a 304 from the cache.
PUBLIC_CACHE_CONTROL = "max-age=0, public"
PROVISIONAL_LIFETIME = 60
MAX_QUERY_LENGTH = 512
MAX_BODY_SIZE = 2 * 1024 * 1024
# Headers a 304 repeats from the page it stands for (RFC 9110, 15.4.5).
NOT_MODIFIED_HEADERS = ("Cache-Control", "Content-Location", "ETag", "Expires", "Vary")
UNSTORABLE_DIRECTIVES = {"private", "no-cache", "no-store"}
# Pages worth compressing: text of some size (a gzip header and footer cost 20 bytes).
COMPRESSIBLE_TYPES = ("text/", "application/xml", "application/atom+xml", "application/json")
MIN_COMPRESSED_SIZE = 256
# Never follow a symlink to the stamp, nor leak its descriptor to a child process.
STAMP_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
STAMP_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC


def shared(cache):
    """Say whether every process sees the same cache (local memory is per process)."""
    return not isinstance(cache, LocMemCache)


@functools.cache
def stamp_path():
    """Return the file that holds the generation when the cache is per process."""
    if configured := getattr(settings, "PAGE_CACHE_STAMP_FILE", ""):
        return str(configured)
    # One stamp per project folder and database, so two portals on a host stay apart;
    # in a folder of this user's own, so no other account can plant or swap the file.
    site = f"{settings.BASE_DIR}|{settings.DATABASES['default']['NAME']}"
    digest = hashlib.md5(site.encode(), usedforsecurity=False).hexdigest()[:12]
    folder = os.path.join(tempfile.gettempdir(), f"portal-page-cache-{os.getuid()}")
    return os.path.join(private_folder(folder), f"stamp-{digest}")


def private_folder(path):
    """Create path as a folder only this process's user can enter, or check that it is one."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    info = os.lstat(path)  # lstat: a symlink planted at this name is refused, not followed
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ImproperlyConfigured(
            f"The page cache's folder {path} is not a private folder of this user (mode 0700). "
            "Remove it, or set PAGE_CACHE_STAMP_FILE to a file in a folder of your own."
        )
    return path


def content_expiry(now):
    """Return the time (epoch seconds) the clock alone next changes the public pages."""
    midnight = datetime.datetime.combine(
        timezone.localdate(now) + datetime.timedelta(days=1),
        datetime.time(),
        tzinfo=timezone.get_current_timezone(),
    )
    try:
        scheduled = (
            Release.objects.scheduled(now)
            .order_by("go_live_at")
            .values_list("go_live_at", flat=True)
            .first()
        )
    except DatabaseError:  # e.g. during migrate, before the table exists
        logger.warning("Page cache: cannot read scheduled articles; expiring in a minute")
        return now.timestamp() + 60
    return min(midnight, scheduled or midnight).timestamp()


def new_generation(expiry=None):
    """Start a new content generation; return it as "token expiry"."""
    cache = caches[CACHE_ALIAS]
    if isinstance(cache, DummyCache):  # nothing is cached, so nothing to invalidate
        return ""
    if expiry is None:
        expiry = content_expiry(timezone.now())
    generation = f"{secrets.token_hex(8)} {expiry!r}"  # repr: the exact float, not rounded up
    if shared(cache):
        cache.set(GENERATION_KEY, generation, None)
    else:
        write_stamp(generation)
    return generation


def write_stamp(generation):
    """Write the generation to the stamp file in one write (readers tolerate a torn one)."""
    try:
        fd = os.open(stamp_path(), STAMP_WRITE_FLAGS, 0o600)
        try:
            os.write(fd, generation.encode())
        finally:
            os.close(fd)
    except OSError:
        logger.exception("Page cache: cannot write the stamp file %s", stamp_path())


def read_stamp(path):
    """Return the generation in the stamp file, or None if it is missing or unreadable."""
    try:  # os.open, not open(): this runs on every request and is three times faster
        fd = os.open(path, STAMP_READ_FLAGS)
        try:
            return os.read(fd, 128).decode("ascii")
        finally:
            os.close(fd)
    except (OSError, UnicodeDecodeError):
        return None


def current(generation):
    """Return generation if it is still in force, else None (a new one is needed)."""
    if generation:
        _, _, expiry = generation.partition(" ")
        try:
            if time.time() < float(expiry):
                return generation
        except ValueError:  # a torn write: any new token is safe
            pass
    return None


def invalidate(using=None):
    """Empty the page cache: now, and again when the current transaction commits."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        new_generation()
        return
    # Until the commit, other connections still read the old rows and may store them,
    # so the generation that counts starts at commit. A provisional one now lets this
    # connection's next request see the change (tests run inside one transaction); it
    # lasts a minute at most, in case the transaction rolls back.
    new_generation(expiry=time.time() + PROVISIONAL_LIFETIME)
    if not any(func is new_generation for _, func, _ in connection.run_on_commit):
        transaction.on_commit(new_generation, using=using, robust=True)


def lookup(cache, key):
    """Return the current generation and what key holds (or None) in one round trip."""
    if shared(cache):
        found = cache.get_many([GENERATION_KEY, key])
        generation, value = found.get(GENERATION_KEY), found.get(key)
    else:
        generation, value = read_stamp(stamp_path()), cache.get(key)
    if current(generation) is None:
        generation, value = new_generation(), None
    return generation, value


# Everything Django reads to tell the host and port, which pages print in absolute links.
HOST_KEYS = ("HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT", "HTTP_HOST", "SERVER_NAME")
ARTICLE_PAGE = re.compile(r"(?:/es)?/articles/[^/]+/")  # English and Spanish article pages


def cache_query(path, query):
    """Return the part of the query string that can change the page at path.

    An article page reads only a handout's ?from=v3 (and redirects it unless an older
    release than the live one): any other query string is the same page as none.
    """
    if ARTICLE_PAGE.fullmatch(path):
        return query if handout_marker(query) is not None else ""
    return query


def page_key(request):
    """Return the cache key of the page at this scheme, host, path and query."""
    # The host headers go in unchecked (checking costs more than the rest of a hit):
    # a page is only stored for a host that storable() found in ALLOWED_HOSTS.
    meta = request.META
    hosts = "|".join([meta.get(name, "") for name in HOST_KEYS])
    url = f"{request.scheme}://{hosts}:{meta.get('SERVER_PORT')}{request.path}?{cache_query(request.path, meta.get('QUERY_STRING', ''))}"
    return PAGE_KEY_PREFIX + hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()


def etag_matches(request, etag):
    """Say whether the request's If-None-Match names this ETag (weak comparison)."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    etags = parse_etags(header)
    return "*" in etags or etag.removeprefix("W/") in {e.removeprefix("W/") for e in etags}


def not_modified(headers):
    """Return a 304 carrying the headers the full page would have had."""
    response = HttpResponseNotModified()
    for name in NOT_MODIFIED_HEADERS:
        if name in headers:
            response.headers[name] = headers[name]
    return response


def accepts_gzip(request):
    """Say whether the request's Accept-Encoding takes gzip (and not with q=0)."""
    header = request.META.get("HTTP_ACCEPT_ENCODING", "").lower()
    if "gzip" not in header:
        return False
    for coding in header.split(","):
        name, _, params = coding.partition(";")
        if name.strip() in ("gzip", "x-gzip"):
            quality = params.strip().removeprefix("q=") or "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


def compressible(response, body):
    """Say whether a page is text long enough to gain from gzip (which adds 20 bytes)."""
    content_type = response.get("Content-Type", "")
    return len(body) >= MIN_COMPRESSED_SIZE and content_type.startswith(COMPRESSIBLE_TYPES)


def gzipped(response, body):
    """Return the headers and body of the gzipped page."""
    zipped = gzip.compress(body, compresslevel=6, mtime=0)  # mtime=0: the same bytes each time
    headers = dict(header_store(response))
    # A strong ETag names one representation (RFC 9110, 8.8.3): the gzipped one has its own.
    headers["ETag"] = headers["ETag"].removesuffix('"') + '-gzip"'
    headers["Content-Encoding"] = "gzip"
    headers["Content-Length"] = str(len(zipped))
    return tuple(headers.items()), zipped


def header_store(response):
    """Return the response's headers as stored in the cache: a tuple of (name, value) pairs."""
    return tuple(response.items())


class PageCacheMiddleware:
    """Serve anonymous GET and HEAD requests from the page cache, and fill it."""

    def __init__(self, get_response):
        if not settings.PAGE_CACHE or isinstance(caches[CACHE_ALIAS], DummyCache):
            raise MiddlewareNotUsed("the page cache is off (PAGE_CACHE=0 or CACHE_URL=dummy://)")
        self.get_response = get_response
        self.session_cookie = settings.SESSION_COOKIE_NAME
        if not shared(caches[CACHE_ALIAS]):
            stamp_path()  # a folder that is not private stops the start, not a request

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        cookies = request.COOKIES
        # A session (staff) or a flash message waiting in its cookie makes a page personal.
        if self.session_cookie in cookies or "messages" in cookies:
            return self.private(self.get_response(request))
        cache = caches[CACHE_ALIAS]
        key = page_key(request)
        try:
            generation, page = self.lookup(cache, key)
        except Exception:  # a cache that is down must not take the site with it
            logger.exception("Page cache: lookup failed")
            return self.get_response(request)
        if page is not None and page[0] == generation:
            return self.respond(request, page)
        response = self.get_response(request)
        if request.method == "GET" and self.storable(request, response):
            page = self.store(cache, key, generation, response)
            if page[3] is not None and accepts_gzip(request):
                return self.respond(request, page)
            if etag_matches(request, response.headers["ETag"]):
                return not_modified(response.headers)
        elif getattr(request, "user", None) and request.user.is_authenticated:
            self.private(response)
        return response

    def lookup(self, cache, key):
        """Return the current generation and the stored page (or None) in one round trip."""
        return lookup(cache, key)

    def respond(self, request, page):
        """Build the response to a hit: the page (gzipped if the client takes it), its
        headers only (HEAD), or a 304."""
        _, store, body, *compressed = page
        if compressed and compressed[0] is not None and accepts_gzip(request):
            store, body = compressed
        response = HttpResponse(body if request.method == "GET" else b"", headers=dict(store))
        if etag_matches(request, response.headers["ETag"]):
            return not_modified(response.headers)
        return response

    def storable(self, request, response):
        """Say whether the response is a public page every anonymous visitor may share."""
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or response.has_header("Content-Encoding")
            or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH
            or len(response.content) > MAX_BODY_SIZE
            # A nonce must differ on every response; a shared copy would repeat it.
            or "'nonce-" in response.get("Content-Security-Policy", "")
        ):
            return False
        directives = {
            d.split("=")[0].strip().lower()
            for d in cc_delim_re.split(response.get("Cache-Control", ""))
        }
        if directives & UNSTORABLE_DIRECTIVES:
            return False
        # The key holds no other request header: the page may vary on nothing but cookies.
        vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
        if vary - {"cookie"}:
            return False
        user = getattr(request, "user", None)
        if user and user.is_authenticated:
            return False
        try:
            request.get_host()
        except DisallowedHost:
            return False
        return True

    def store(self, cache, key, generation, response):
        """Add validators and caching headers to the response, store it with its gzipped
        copy, and return what was stored."""
        body = response.content
        if not response.has_header("ETag"):
            response.headers["ETag"] = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
        if not response.has_header("Cache-Control"):
            response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
        response.headers["Content-Length"] = str(len(body))
        patch_vary_headers(response, ["Cookie"])
        compressed = (None, None)
        if compressible(response, body):
            patch_vary_headers(response, ["Accept-Encoding"])  # on both copies
            compressed = gzipped(response, body)
        page = (generation, header_store(response), body, *compressed)
        expiry = float(generation.partition(" ")[2])
        timeout = max(1, min(MAX_TIMEOUT, int(expiry - time.time())))
        try:
            cache.set(key, page, timeout)
        except Exception:
            logger.exception("Page cache: store failed")
        return page

    def private(self, response):
        """Mark a response for a signed-in user as theirs alone."""
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Cookie"])
        return response


def forget_stamp_path(setting, **kwargs):
    """Find the stamp file again when tests change the settings it depends on."""
    if setting in ("PAGE_CACHE_STAMP_FILE", "DATABASES"):
        stamp_path.cache_clear()


setting_changed.connect(forget_stamp_path)
