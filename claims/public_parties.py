"""Which parties readers and visitors may see, cached for the home page's filter.

Working it out means finding, for each party, a claim or released evidence on a
published dispute; for a party whose claims are all on drafts that reads every one
of them (2 s at 100,000 disputes). The answer is the same for every reader and
changes only when a dispute, claim, evidence or party is written, so it is cached
and dropped on each of those writes by receivers in ``claims/receivers.py``.

The key carries no version, so a reader can put back a list it read before a write committed:
the receiver runs inside the writing transaction, and a request between it and the commit
still reads the old rows. So the list is dropped again once the write commits, and kept at
most ``TIMEOUT`` seconds for what is left (a request that read before the commit and stores
after it; writes that bypass signals, such as ``update()``), as the copies kept under the
newest page stamp are (``selectors.NEWEST_STAMP_SECONDS``).
"""

from django.core.cache import cache
from django.db import transaction

KEY = "claims:public-party-ids"
TIMEOUT = 60


def public_party_ids() -> list[int]:
    ids = cache.get(KEY)
    if ids is None:
        from claims.models import Party

        ids = list(Party.objects.visible_to(None).values_list("pk", flat=True))
        cache.set(KEY, ids, TIMEOUT)
    return ids


def _drop() -> None:
    cache.delete(KEY)


def forget(**kwargs) -> None:
    """Receiver (connected in ``claims/receivers.py``): drop the cached list now and when the write commits."""
    _drop()
    transaction.on_commit(_drop)
