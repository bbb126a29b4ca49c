"""HTTP rules for the routes other systems call: /api/ and /infobutton/.

One middleware, placed before the page cache so that it sees every request, hits too:

- Rate limit (API only): at most API_RATE_LIMIT requests ("120/60": 120 per 60 seconds)
  per client address in each fixed window, counted in the Django cache; more answer 429
  with Retry-After. Answers from the page cache count as well: the limit protects the
  service from one client, and a cached answer is still a request.
- Caching: responses carry an ETag and Cache-Control like the pages, and If-None-Match
  gets a 304, also when the page cache is off (PAGE_CACHE=0).
- CORS: off unless API_CORS_ORIGINS names origins; then those origins (only) may read
  the responses from a browser, with GET, HEAD and OPTIONS.
- Errors under /api/ are JSON, also Django's own 404 for an address with no route.
"""

import hashlib
import json
import logging
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from portal.cache import PUBLIC_CACHE_CONTROL, etag_matches, not_modified

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
SYSTEM_PREFIXES = (API_PREFIX, "/infobutton/")
RATE_KEY_PREFIX = "api-rate:"
CORS_METHODS = "GET, HEAD, OPTIONS"
CORS_HEADERS = "If-None-Match"
CORS_EXPOSED = "ETag, Retry-After"
PREFLIGHT_MAX_AGE = 24 * 60 * 60


def parse_rate(text):
    """Return (requests, seconds) from "120/60"; (0, 0) turns the limit off."""
    if not text or text.strip() in ("0", "off"):
        return 0, 0
    count, _, seconds = text.partition("/")
    try:
        count, seconds = int(count), int(seconds or 60)
    except ValueError:
        raise ValueError(f"API_RATE_LIMIT {text!r}: write requests/seconds, e.g. 120/60.") from None
    if count < 1 or seconds < 1:
        raise ValueError(f"API_RATE_LIMIT {text!r}: both numbers must be 1 or more.")
    return count, seconds


def client_address(request):
    """Return the client's address: REMOTE_ADDR, or the one PROXY_COUNT proxies forwarded."""
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [address.strip() for address in forwarded if address.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def retry_after(request, now=None):
    """Count the request; return the seconds to wait if it is over the limit, else 0."""
    limit, window = parse_rate(settings.API_RATE_LIMIT)
    if not limit:
        return 0
    now = time.time() if now is None else now
    start = int(now // window) * window
    address = hashlib.md5(client_address(request).encode(), usedforsecurity=False).hexdigest()
    key = f"{RATE_KEY_PREFIX}{window}:{start}:{address}"
    cache = caches["default"]
    try:
        count = 1 if cache.add(key, 1, window + 1) else cache.incr(key)
    except ValueError:  # the count expired between add and incr: a new window
        count = 1
    except Exception:  # a cache that is down must not take the API with it
        logger.exception("API rate limit: the cache failed; request let through")
        return 0
    return max(1, math.ceil(start + window - now)) if count > limit else 0


def allowed_origin(request):
    """Return the value for Access-Control-Allow-Origin, or None (CORS off for it)."""
    origin = request.headers.get("Origin")
    origins = settings.API_CORS_ORIGINS
    if not origin or not origins:
        return None
    if "*" in origins:
        return "*"
    return origin if origin in origins else None


def json_error(status, message, **headers):
    response = HttpResponse(
        json.dumps({"detail": message}), status=status, content_type="application/json"
    )
    for name, value in headers.items():
        response.headers[name] = value
    return response


class SystemRoutesMiddleware:
    """Apply the rate limit, caching headers and CORS to /api/ and /infobutton/."""

    def __init__(self, get_response):
        try:
            parse_rate(settings.API_RATE_LIMIT)  # a setting that cannot be read stops startup
        except ValueError as error:
            raise ImproperlyConfigured(str(error)) from error
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(SYSTEM_PREFIXES):
            return self.get_response(request)
        origin = allowed_origin(request)
        if request.method == "OPTIONS" and origin:
            return self.cors(HttpResponse(status=204), origin, preflight=True)
        response = self.respond(request)
        return self.cors(response, origin) if origin else response

    def respond(self, request):
        api = request.path_info.startswith(API_PREFIX)
        if api and (wait := retry_after(request)):
            return json_error(
                429,
                f"Too many requests from your address: try again in {wait} seconds.",
                **{"Retry-After": str(wait)},
            )
        head = request.method == "HEAD"
        if head:  # the views answer GET; HEAD gets the same headers without the body
            request.method = "GET"
        response = self.get_response(request)
        if api:
            response = self.json_errors(response)
        if request.method == "GET" and response.status_code == 200 and not response.streaming:
            self.add_validators(response)
            if etag_matches(request, response.headers["ETag"]):
                response = not_modified(response.headers)
        if head and not response.streaming:
            length = len(response.content)
            response.content = b""
            if response.status_code != 304:
                response.headers["Content-Length"] = str(length)
        return response

    def add_validators(self, response):
        """Give a response the ETag and Cache-Control the page cache gives stored pages."""
        if not response.has_header("ETag"):
            digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
            response.headers["ETag"] = f'"{digest}"'
        if not response.has_header("Cache-Control"):
            response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL

    def json_errors(self, response):
        """Answer under /api/ in JSON, also where Django's own error pages would answer."""
        if "json" in response.get("Content-Type", "") or response.status_code not in (400, 404):
            return response
        if response.status_code == 404:
            return json_error(404, "There is nothing at this address.")
        # e.g. portal.middleware's refusal of a NUL character in the address, as plain text
        text = (
            response.content.decode(errors="replace").strip()
            if response.get("Content-Type", "").startswith("text/plain")
            else ""
        )
        return json_error(400, text or "Bad request.")

    def cors(self, response, origin, preflight=False):
        """Let the allowed origin's pages read the response (headers added, never stored)."""
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
        if preflight:
            response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
            response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        if origin != "*":
            patch_vary_headers(response, ["Origin"])
        return response
