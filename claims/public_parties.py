"""Which parties readers and visitors may see, cached for the home page's filter.

Working it out means finding, for each party, a claim or released evidence on a
published dispute; for a party whose claims are all on drafts that reads every one
of them (2 s at 100,000 disputes). The answer is the same for every reader and
changes only when a dispute, claim, evidence or party is written, so it is cached
and dropped on each of those writes by receivers in ``claims/receivers.py`` (and kept
at most ``TIMEOUT`` seconds, for writes that bypass signals, such as ``update()``).
"""

from django.core.cache import cache

KEY = "claims:public-party-ids"
TIMEOUT = 300


def public_party_ids() -> list[int]:
    ids = cache.get(KEY)
    if ids is None:
        from claims.models import Party

        ids = list(Party.objects.visible_to(None).values_list("pk", flat=True))
        cache.set(KEY, ids, TIMEOUT)
    return ids


def forget(**kwargs) -> None:
    """Receiver (connected in ``claims/receivers.py``): drop the cached list."""
    cache.delete(KEY)
