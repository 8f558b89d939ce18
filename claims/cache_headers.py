"""Who may keep a response that is the same for everyone: the one rule for shared caches.

The feeds, the embed card, its oEmbed answer and the share image read the same whoever asks,
so on an open site a proxy or CDN may keep them. On a private site (``SITE_PRIVATE``) what
they show is the newsroom's own: only the reader's browser may keep them.
"""

from django.conf import settings
from django.http import HttpResponseBase
from django.utils.cache import patch_cache_control


def cache_for_everyone[R: HttpResponseBase](response: R, max_age: int) -> R:
    """``public`` on an open site, ``private`` on a private one, for ``max_age`` seconds."""
    if settings.SITE_PRIVATE:
        patch_cache_control(response, private=True, max_age=max_age)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    return response
