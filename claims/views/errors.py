"""Error pages that need more than a template: the database being down is a 503, not a 500;
a form too big to read is a 413 that says what the limit is."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.defaults import bad_request as default_bad_request
from django.views.defaults import server_error as default_server_error

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def _database_unreachable(exc: BaseException | None) -> bool:
    # OperationalError/InterfaceError are what a refused, dropped or timed-out connection raises;
    # other DatabaseErrors (a constraint, bad SQL) are bugs and stay 500s.
    return isinstance(exc, (OperationalError, InterfaceError)) and isinstance(exc, DatabaseError)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a 503 "temporarily unavailable" with Retry-After while the database is
    unreachable (HTML, or JSON under /api/), logged once as a warning rather than reported
    as a server error per request; anything else is Django's 500 page."""
    exc = sys.exc_info()[1]
    if not _database_unreachable(exc):
        return default_server_error(request)
    log.warning("Database unreachable, answering 503 for %s: %s", request.path, str(exc).splitlines()[0] if exc else "")
    if request.path.startswith("/api/"):
        response = HttpResponse(
            '{"detail": "Temporarily unavailable; try again shortly."}', content_type="application/json", status=503
        )
    else:
        # Rendered without the request: context processors would reach for the database again.
        response = HttpResponse(loader.render_to_string("errors/503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Django's request logger would report this as a server error (an e-mail/alert per request).
    response._has_been_logged = True  # type: ignore[attr-defined]  # read by django.utils.log
    return response


def _limits() -> dict[str, str]:
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return {
        "size": f"{size / 1024 / 1024:.1f} MB" if size else "",
        "fields": f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}" if settings.DATA_UPLOAD_MAX_NUMBER_FIELDS else "",
    }


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``: a form too big to read (more than DATA_UPLOAD_MAX_MEMORY_SIZE, or more
    fields than DATA_UPLOAD_MAX_NUMBER_FIELDS) is a 413 that says what the limit is; every
    other bad request is Django's 400 page.

    An htmx request gets the message alone, which ``static/js/site.js`` writes into the
    form's ``.request-limit`` slot (or the page's alert region when the form has none); htmx
    swaps nothing, so the form stays as typed. A plain form post gets a page that says the
    text is still in the form one step back."""
    if not isinstance(exception, (RequestDataTooBig, TooManyFieldsSent)):
        return default_bad_request(request, exception or BadRequest())
    context = {"limits": _limits(), "too_many_fields": isinstance(exception, TooManyFieldsSent)}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Request too large."}, status=413)
    htmx = bool(getattr(request, "htmx", False))
    context["fragment"] = htmx
    template = "errors/413.html#message" if htmx else "errors/413.html"
    # Without the request's context processors: the message must not depend on a session or
    # a user that reading the (unread) body would have been needed for.
    return HttpResponse(loader.render_to_string(template, context), status=413)
