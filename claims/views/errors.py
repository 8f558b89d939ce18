"""Error pages that need more than a template: the database being down is a 503, not a 500."""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
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
    response._has_been_logged = True
    return response
