"""Signals the ledger sends that are not model saves.

``dispute_status_changed`` is sent by ``Dispute.refresh_status`` when a claim,
evidence or article changes the stored status through ``QuerySet.update`` (which
sends no ``post_save``); ``claims.feed_items`` records it as a feed item.
"""

from django.dispatch import Signal

# Sent with dispute=<Dispute>, old=<str>, new=<str>.
dispute_status_changed = Signal()
