"""Rows that only matter for a while, deleted once they are old: one table, one daily task.

Each kind of row says which of its rows are done with (a form key past its resends, an email
sent or dropped, a webhook delivery delivered or given up) and how many days they are kept
(a setting each). Pending rows (an email still owed, a delivery still retried) are never
purged, however old. Deletes go in batches of primary keys, so a big backlog never holds one
long transaction or one huge lock. Run daily by beat (``claims.tasks.purge_old_rows``);
``docs/operations.md`` lists the settings.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from claims.models import FormSubmission, Notification, WebhookDelivery

BATCH = 5_000


@dataclass(frozen=True)
class Purge:
    label: str
    keep_days: Callable[[], int]  # read from settings when the purge runs (tests change them)
    done_before: Callable[[datetime.datetime], QuerySet]


PURGES = (
    # The double-submit guard (services.submit_once): a key only has to outlive the resends of
    # its form (a double click, a retry after a lost answer: seconds to minutes).
    Purge(
        "form submission keys",
        lambda: settings.FORM_SUBMISSION_KEEP_DAYS,
        lambda cutoff: FormSubmission.objects.filter(created_at__lt=cutoff),
    ),
    # The email outbox (claims.notifications): sent or dropped ones are history; unsent ones
    # are still owed (SMTP down for a while) and stay.
    Purge(
        "notifications sent or dropped",
        lambda: settings.NOTIFICATION_KEEP_DAYS,
        lambda cutoff: Notification.objects.filter(created_at__lt=cutoff, sent_at__isnull=False),
    ),
    # The webhook delivery log in the admin (claims.webhooks); attempts go with their delivery.
    Purge(
        "webhook deliveries delivered or given up",
        lambda: settings.WEBHOOK_LOG_KEEP_DAYS,
        lambda cutoff: WebhookDelivery.objects.filter(
            created_at__lt=cutoff, state__in=[WebhookDelivery.State.DELIVERED, WebhookDelivery.State.FAILED]
        ),
    ),
)


def delete_in_batches(rows: QuerySet) -> int:
    """Delete ``rows`` a batch of primary keys at a time; returns how many rows of the model went."""
    model = rows.model
    deleted = 0
    while True:
        batch = list(rows.values_list("pk", flat=True)[:BATCH])
        if not batch:
            return deleted
        model.objects.filter(pk__in=batch).delete()
        deleted += len(batch)


def purge_old_rows(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete what each purge says is done with and older than its keep period; returns counts by label."""
    now = now or timezone.now()
    counts = {}
    for purge in PURGES:
        cutoff = now - datetime.timedelta(days=purge.keep_days())
        counts[purge.label] = delete_in_batches(purge.done_before(cutoff))
    return counts
