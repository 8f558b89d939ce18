"""Email notifications: the feed items a user is owed (``Notification`` rows), sent as one mail.

``send_pending(user_id)`` sends everything due for one user in one message — a single
change, a burst of changes, or the daily digest (rows of a digest user fall due at
``NOTIFY_DIGEST_HOUR``) — through Django's email framework (``MAILERS``, from ``EMAIL_URL``). The rows are
marked sent only after the SMTP server took the message; a failure leaves them due again
after a backoff, so nothing is lost while the server is down (a crash between the two may
send a mail twice: at least once, never never). A per-user lease keeps two workers from
sending the same rows at once. Tasks in ``claims.tasks`` only call these functions.

Each mail is built at send time from the feed items, so it says what the item says now, and
only what the user may read now (a dispute unpublished since is dropped for readers).
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from claims import following
from claims.languages import in_site_language
from claims.models import EmailMode, FeedItem, Notification, NotificationSettings

log = logging.getLogger(__name__)

# The most feed items one mail carries; the rest go in the next one, straight after.
MAX_ITEMS_PER_MAIL = 100
# How long a sender may hold a user's mail before another may take it over (a dead worker).
LEASE_SECONDS = 120
# The longest wait between two attempts at a mail that could not be sent.
MAX_RETRY_SECONDS = 6 * 3600
# How long one sweep may spend sending before it leaves the rest to the next one.
SWEEP_SECONDS = 60
SOURCE_KINDS = {FeedItem.Kind.SOURCE_CHANGED, FeedItem.Kind.SOURCE_DIED, FeedItem.Kind.QUOTE_MISSING}


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def item_link(item: FeedItem) -> str:
    """Where a feed item is seen on the site: its card on the dispute page, or the source's page."""
    page = reverse("claims:dispute-detail", args=[item.dispute.slug])
    if item.claim_id:
        return absolute(f"{page}#claim-{item.claim_id}")
    if item.evidence_id:
        return absolute(f"{page}#evidence-{item.evidence_id}")
    if item.article_link_id:
        return absolute(f"{page}#article-{item.article_link_id}")
    if item.kind in SOURCE_KINDS and item.source_id:
        return absolute(reverse("claims:source-detail", args=[item.source_id]))
    return absolute(page)


@dataclass
class DisputeGroup:
    dispute: object
    url: str
    items: list[FeedItem] = field(default_factory=list)


@in_site_language
def build_message(user, items: list[FeedItem], *, digest: bool) -> EmailMultiAlternatives:
    """One mail telling ``user`` what moved: grouped by dispute, each item with its link."""
    groups: dict[int, DisputeGroup] = {}
    for item in items:
        item.link = item_link(item)
        group = groups.get(item.dispute_id)
        if group is None:
            url = absolute(item.dispute.get_absolute_url())
            group = groups[item.dispute_id] = DisputeGroup(dispute=item.dispute, url=url)
        group.items.append(item)
    if digest:
        subject = ngettext(
            "Daily digest: %(count)d update on what you watch",
            "Daily digest: %(count)d updates on what you watch",
            len(items),
        ) % {"count": len(items)}
    elif len(items) == 1:
        subject = items[0].title
    else:
        subject = ngettext("%(count)d update on what you watch", "%(count)d updates on what you watch", len(items)) % {
            "count": len(items)
        }
    unsubscribe_url = absolute(reverse("claims:unsubscribe", args=[following.unsubscribe_token(user)]))
    context = {
        "user": user,
        "groups": list(groups.values()),
        "digest": digest,
        "SITE_NAME": settings.SITE_NAME,
        "site_url": absolute("/"),
        "watching_url": absolute(reverse("claims:watching")),
        "account_url": absolute(reverse("claims:account")),
        "unsubscribe_url": unsubscribe_url,
    }
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}"[:250],
        body=render_to_string("claims/email/notification.txt", context),
        to=[user.email],
        headers={
            # RFC 8058 one-click unsubscribe: mail clients POST to the link (claims.views.following.unsubscribe).
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("claims/email/notification.html", context), "text/html")
    return message


def retry_delay(attempts: int) -> datetime.timedelta:
    seconds = min(settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    return datetime.timedelta(seconds=seconds)


def _take_lease(user_id: int, now: datetime.datetime) -> bool:
    NotificationSettings.objects.get_or_create(user_id=user_id)
    free = models.Q(sending_until__isnull=True) | models.Q(sending_until__lt=now)
    taken = NotificationSettings.objects.filter(free, user_id=user_id).update(
        sending_until=now + datetime.timedelta(seconds=LEASE_SECONDS)
    )
    return taken == 1


def send_pending(user_id: int, *, now: datetime.datetime | None = None) -> str:
    """Send one mail with everything due for this user; returns what happened.

    ``sent``, ``nothing`` (nothing due), ``busy`` (another worker is sending it),
    ``dropped`` (nothing left the user may read), or ``failed`` (left due for a retry).
    """
    now = now or timezone.now()
    if not _take_lease(user_id, now):
        return "busy"
    try:
        return _send(user_id, now)
    finally:
        NotificationSettings.objects.filter(user_id=user_id).update(sending_until=None)


def _send(user_id: int, now: datetime.datetime) -> str:
    due = list(
        Notification.objects.filter(user_id=user_id, sent_at__isnull=True, due_at__lte=now)
        .select_related("feed_item__dispute")
        .order_by("created_at", "pk")[:MAX_ITEMS_PER_MAIL]
    )
    if not due:
        return "nothing"
    user = get_user_model().objects.select_related("notification_settings").get(pk=user_id)
    mode = user.notification_settings.email_mode
    keep = [n for n in due if mode != EmailMode.OFF and user.email and following.may_read(user, n.feed_item.dispute)]
    gone = [n.pk for n in due if n not in keep]
    if gone:
        Notification.objects.filter(pk__in=gone).update(sent_at=now, dropped=True)
    if not keep:
        return "dropped"
    ids = [n.pk for n in keep]
    message = build_message(user, [n.feed_item for n in keep], digest=mode == EmailMode.DAILY)
    try:
        message.send()  # the default mailer (MAILERS, from EMAIL_URL), its timeout bounding a hung server
    except (smtplib.SMTPException, OSError) as error:
        attempts = max(n.attempts for n in keep) + 1
        Notification.objects.filter(pk__in=ids).update(
            attempts=models.F("attempts") + 1,
            last_error=f"{error.__class__.__name__}: {error}"[:1000],
            due_at=now + retry_delay(attempts),
        )
        log.warning("notification mail to user %s failed (attempt %d): %s; tried again later", user_id, attempts, error)
        return "failed"
    Notification.objects.filter(pk__in=ids).update(sent_at=timezone.now(), last_error="")
    log.info("notification mail to user %s: %d item(s)%s", user_id, len(ids), " (digest)" if mode == "daily" else "")
    return "sent"


def send_for_users(user_ids: list[int]) -> dict[str, int]:
    """Send each user's due mail (a wake-up after a write); returns counts by outcome."""
    counts: dict[str, int] = {}
    for user_id in user_ids:
        outcome = send_pending(user_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send every user's due mail: digests at their hour, retries, wake-ups that did not go out (beat)."""
    now = now or timezone.now()
    stop = time.monotonic() + SWEEP_SECONDS
    user_ids = list(
        Notification.objects.filter(sent_at__isnull=True, due_at__lte=now)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()[:1000]
    )
    counts: dict[str, int] = {}
    for user_id in user_ids:
        if time.monotonic() > stop:
            counts["left for the next sweep"] = counts.get("left for the next sweep", 0) + 1
            continue
        outcome = send_pending(user_id, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
