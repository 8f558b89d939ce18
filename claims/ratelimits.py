"""Who a request comes from, and how often it may ask for heavy work.

The client address is decided here once, for django-axes (log-in lockout) and
django-ratelimit (heavy pages) alike. Behind a TLS proxy (``BEHIND_TLS_PROXY=1``) every
connection comes from the proxy, so the client is the address the trusted proxy added to
``X-Forwarded-For``; without a proxy that header is the client's own say and is ignored,
or anyone could choose the address they are counted under.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str:
    """The client's IP address: from the trusted proxies' header when behind them, else the socket."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 — a placeholder, never bound
    hops = settings.TRUSTED_PROXY_COUNT
    if not hops:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    # Each trusted proxy appends the address it saw; the rightmost ``hops`` entries are theirs,
    # anything further left was sent by the client and could be made up.
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def heavy_rate(group: str, request: HttpRequest) -> str:
    """How often one user or address may load a heavy page (a diff, a check's full text)."""
    return settings.RATELIMIT_HEAVY


def clip_landing_rate(group: str, request: HttpRequest) -> str:
    """How often one address may hand a long selection to the Clip landing (no log-in there)."""
    return settings.RATELIMIT_CLIP_LANDING


def preview_rate(group: str, request: HttpRequest) -> str:
    """How often one user may have a pasted URL fetched for its title (claims/checking/preview.py)."""
    return settings.RATELIMIT_PREVIEW


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """429 with a page that says when to come back (django-ratelimit's RATELIMIT_VIEW)."""
    retry_after = 60
    if request.path.startswith("/api/"):
        response = HttpResponse(
            '{"detail": "Too many requests; try again in a minute."}', content_type="application/json", status=429
        )
    else:
        response = render(request, "errors/429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
