"""URLs of the objects a page lists by the hundred, without a ``reverse()`` for each one.

``reverse()`` walks the URL patterns on every call (about 40 µs here); a big dispute page
links each card's party and source, the home page each dispute. Each route is reversed
once with a placeholder argument (per script prefix and URLconf, as ``reverse()`` depends
on both) and later URLs are the placeholder replaced. Only arguments that the route's
converter takes as they are qualify (digits for ``int``, ASCII letters, digits, ``-`` and
``_`` for ``slug``); anything else goes through ``reverse()`` as before.
"""

import functools
import re

from django.urls import get_script_prefix, get_urlconf, reverse

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_INT_PLACEHOLDER = "9081726354"
_SLUG_PLACEHOLDER = "fast-url-placeholder"


@functools.lru_cache(maxsize=64)
def _around(name: str, placeholder: str, prefix: str, urlconf) -> tuple[str, str] | None:
    url = reverse(name, args=[placeholder], urlconf=urlconf)
    before, found, after = url.partition(placeholder)
    if not found or placeholder in after:
        return None
    return before, after


def object_url(name: str, value: int | str) -> str:
    """``reverse(name, args=[value])`` for a route with one ``int`` or ``slug`` argument."""
    text = str(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        placeholder = _INT_PLACEHOLDER
    elif isinstance(value, str) and _SLUG.fullmatch(value):
        placeholder = _SLUG_PLACEHOLDER
    else:
        return reverse(name, args=[value])
    parts = _around(name, placeholder, get_script_prefix(), get_urlconf())
    if parts is None:
        return reverse(name, args=[value])
    return parts[0] + text + parts[1]
