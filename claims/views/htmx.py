"""The request type of every view: an ``HttpRequest`` that django-htmx's middleware has given
``request.htmx`` (as django-htmx's documentation advises declaring it for type checkers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class SignedInRequest(HtmxHttpRequest):
    """A request that a view's permission decorator (``claims/decorators.py``: ``require_editor``
    and the others, or ``login_required``) let in, so its user is a signed-in account."""

    user: User
