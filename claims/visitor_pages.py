"""Whole pages for visitors who are not signed in, rendered once and filled with each request's own tokens.

A visitor's dispute page differs from the next visitor's in two strings only: the CSRF token
(the language switcher's form, htmx's header) and the CSP nonce (the ClaimReview script,
htmx's). Its body was already shared per page stamp, but the page around it (head, link
previews, oEmbed discovery, header, switcher, the interface's messages for scripts) was
rendered on every request: about 70 % of a demo-size page's time (docs/performance.md,
"Per-request work on the cheap paths"). The page is now rendered with a placeholder in
place of each, stored, and every request puts in its own: a token or nonce is never shared.

Only visitors: a signed-in reader's page shows their name and links, an editor's their forms.
The key holds everything else the page shows (the caller's: page stamp, query string,
language, scheme and host, path, release, the ten-minute bucket of relative times), so, as
with every fragment cached per page stamp, a write makes a new key and nothing is deleted.
"""

import hashlib

from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from claims.release import release_stamp

# Control characters never reach a page from typed text (claims/text.py, QueryStringMiddleware),
# so these cannot be forged by a dispute's content.
CSRF_PLACEHOLDER = "\x00visitor-csrf\x00"
NONCE_PLACEHOLDER = "\x00visitor-nonce\x00"

# Rendered with these in the context instead of the context processors' values.
PLACEHOLDERS = {"csrf_token": CSRF_PLACEHOLDER, "csp_nonce": NONCE_PLACEHOLDER}


def key(kind: str, version, request, bucket: int) -> str:
    """The stored page's key: what the view says its content depends on (``version``), and what
    every visitor page shows of the request: path and query string (the log-in link and the
    language switcher come back to it), language, scheme and host (absolute URLs), the release
    and the bucket of relative times."""
    parts = (
        version,
        request.get_full_path(),
        get_language(),
        request.scheme,
        request.get_host(),
        release_stamp(),
        bucket,
    )
    return f"visitor-page:{kind}:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def for_visitor(request) -> bool:
    """Whether this request may get a stored page: a visitor, not signed in."""
    return not request.user.is_authenticated


def fill(request, page: str) -> str:
    """``page`` with this request's CSRF token and CSP nonce (each made, and sent, only if the page has one)."""
    if CSRF_PLACEHOLDER in page:
        page = page.replace(CSRF_PLACEHOLDER, get_token(request))
    if NONCE_PLACEHOLDER in page:
        # Evaluating the nonce is what puts it in the Content-Security-Policy header (a LazyNonce
        # is false until then, so no ``or``).
        nonce = get_nonce(request)
        page = page.replace(NONCE_PLACEHOLDER, "" if nonce is None else str(nonce))
    return page
