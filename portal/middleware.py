"""Answer 400, never 500, when a NUL character would reach the database.

PostgreSQL cannot store or compare text holding NUL (psycopg refuses it with an
exception, a 500 page), and SQLite stores it silently. No person types one, so a
request carrying one is refused with a plain message:

- anything posted (form data is saved), and the admin's query strings (its list
  filters, search and autocomplete put them straight into database lookups), are
  checked before any view runs;
- public pages read their query strings themselves (search drops control characters),
  so for them a guard on the database connections refuses a query that would carry a
  NUL, wherever it comes from.
"""

import contextlib

from django.core.exceptions import SuspiciousOperation
from django.db import connections
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from portal.languages import path_language

MESSAGE = gettext_lazy(
    "Bad request: the address or the form contains a NUL character (%00), which the "
    "portal does not accept. Remove it and try again."
)


class NulCharacterError(SuspiciousOperation):
    """A database query would have carried a NUL character."""


def contains_nul(value):
    return isinstance(value, str) and "\x00" in value


def query_data_has_nul(data):
    """Return whether any key or value of a QueryDict contains NUL."""
    return any(contains_nul(key) or any(map(contains_nul, values)) for key, values in data.lists())


def reject_nul_parameters(execute, sql, params, many, context):
    """Database execute wrapper: refuse parameters holding NUL before the driver sees them."""
    rows = params if many else [params]
    for row in rows or ():
        values = row.values() if isinstance(row, dict) else (row or ())
        if any(contains_nul(value) for value in values):
            raise NulCharacterError("A database query would have carried a NUL character.")
    return execute(sql, params, many, context)


def bad_request(request):
    """Refuse the request, in the language of its address (/es/… in Spanish)."""
    language = path_language(request.path_info)
    with translation.override(language):
        response = HttpResponseBadRequest(f"{MESSAGE}\n", content_type="text/plain; charset=utf-8")
    response.headers["Content-Language"] = language
    return response


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.carries_nul(request):
            return bad_request(request)
        with contextlib.ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(reject_nul_parameters))
            return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NulCharacterError):
            return bad_request(request)
        return None

    def carries_nul(self, request):
        if "\x00" in request.path:
            return True
        if request.method == "POST" and query_data_has_nul(request.POST):
            return True
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        return request.path.startswith(self.admin_prefix) and query_data_has_nul(request.GET)
