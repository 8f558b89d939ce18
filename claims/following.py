"""Watching disputes, parties and sources, and who hears of what happens on them.

The writes (watch, unwatch, notification settings, unsubscribe) are services like those in
``claims.services``: keyword-only, atomic, the one path every page takes. ``announce`` is
called by ``claims.feed_items`` for every feed item it makes (the feed items are the event
stream): it writes the emails owed (``Notification``) and the webhook deliveries
(``claims.webhooks.announce``) in the same transaction, and wakes the workers once it commits.

Who hears of a feed item on dispute D: whoever watches D, a party with a claim on D, or
the feed item's source; never the user who made it happen; drafts only those who may see
drafts; nobody whose email is off, who has no address or whose account is inactive.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from claims import roles, wakeups, webhooks
from claims.models import Claim, Dispute, EmailMode, FeedItem, Notification, NotificationSettings, Party, Source, Watch

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)

WATCHABLE = {"dispute": Dispute, "party": Party, "source": Source}
UNSUBSCRIBE_SALT = "claims.following.unsubscribe"


def kind_of(target: models.Model) -> str:
    for kind, model in WATCHABLE.items():
        if isinstance(target, model):
            return kind
    raise TypeError(f"{type(target).__name__} cannot be watched")


# --- Reads ------------------------------------------------------------------------------


def is_watching(user: User, target: models.Model) -> bool:
    return Watch.objects.of(user).filter(**{kind_of(target): target}).exists()


def watches_of(user: User) -> dict[str, list[Watch]]:
    """What ``user`` watches and may still read, by kind, newest first (the Watching page; 1 query)."""
    grouped: dict[str, list[Watch]] = {kind: [] for kind in WATCHABLE}
    for watch in Watch.objects.of(user).visible_to(user).select_related("dispute", "party", "source"):
        grouped[watch.kind].append(watch)
    return grouped


def settings_of(user: User) -> NotificationSettings:
    """The user's notification settings, or the defaults (unsaved) if they never changed them."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found if found is not None else NotificationSettings(user=user)


# --- Writes -----------------------------------------------------------------------------


@transaction.atomic
def watch_add(*, user: User, target: models.Model) -> Watch:
    """Watch ``target`` (a dispute, party or source); watching it again changes nothing."""
    if user is None or not user.is_authenticated:
        raise PermissionError("Log in to watch.")
    field = kind_of(target)
    try:
        with transaction.atomic():
            return Watch.objects.create(user=user, **{field: target})
    except IntegrityError:
        return Watch.objects.get(user=user, **{field: target})


@transaction.atomic
def watch_remove(*, user: User, target: models.Model) -> bool:
    """Stop watching ``target``; True if there was a watch."""
    return Watch.objects.of(user).filter(**{kind_of(target): target}).delete()[0] > 0


def watch_what_was_made(*, user: User | None, dispute: Dispute) -> None:
    """An editor who creates a dispute or adds to one watches it, unless they turned that off."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return
    if not settings_of(user).watch_what_i_create:
        return
    watch_add(user=user, target=dispute)


@transaction.atomic
def notification_settings_update(*, user: User, email_mode: str, watch_what_i_create: bool) -> NotificationSettings:
    """Save the user's choices; emails already owed move to the new rhythm (now, or the next digest)."""
    if email_mode not in EmailMode.values:
        raise ValueError(f"Unknown email mode {email_mode!r}")
    prefs, _ = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    prefs.email_mode = email_mode
    prefs.watch_what_i_create = watch_what_i_create
    prefs.save(update_fields=["email_mode", "watch_what_i_create"])
    pending = Notification.objects.filter(user=user, sent_at__isnull=True)
    if email_mode == EmailMode.OFF:
        pending.update(sent_at=timezone.now(), dropped=True)
    else:
        pending.update(due_at=due_time(email_mode))
        if email_mode == EmailMode.IMMEDIATE:
            transaction.on_commit(lambda: wakeups.send_notifications([user.pk]))
    return prefs


def unsubscribe_token(user: User) -> str:
    """A token for the link in every email: it turns that user's email off, without a login."""
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_unsubscribe_token(token: str):
    """The user a token names, or None if it is not one we signed (or the account is gone)."""
    if len(token) > 200:
        return None
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    pk = data.get("u") if isinstance(data, dict) else None
    if not isinstance(pk, int):
        return None
    return get_user_model().objects.filter(pk=pk).first()


@transaction.atomic
def unsubscribe(*, user: User) -> NotificationSettings:
    """Turn the user's email off (the link in an email); what they watch stays watched."""
    prefs = settings_of(user)
    return notification_settings_update(
        user=user, email_mode=EmailMode.OFF, watch_what_i_create=prefs.watch_what_i_create
    )


# --- Who hears of what ------------------------------------------------------------------


def next_digest_at(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next daily digest time: ``NOTIFY_DIGEST_HOUR`` o'clock in ``TIME_ZONE``."""
    now = timezone.localtime(now or timezone.now())
    today = now.replace(hour=settings.NOTIFY_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return today if today > now else today + datetime.timedelta(days=1)


def due_time(mode: str, now: datetime.datetime | None = None) -> datetime.datetime:
    return next_digest_at(now) if mode == EmailMode.DAILY else (now or timezone.now())


def watcher_ids(item: FeedItem) -> set[int]:
    """Users watching the feed item's dispute, a party with a claim on it, or its source (1 query)."""
    parties = Claim.objects.filter(dispute_id=item.dispute_id).values("party_id")
    match = models.Q(dispute_id=item.dispute_id) | models.Q(party_id__in=parties)
    if item.source_id:
        match |= models.Q(source_id=item.source_id)
    return set(Watch.objects.filter(match).values_list("user_id", flat=True))


def may_read(user: User, dispute: Dispute) -> bool:
    return user.is_active and (dispute.is_published or roles.can_see_drafts(user))


def announce(items: Iterable[FeedItem]) -> None:
    """Write the emails and webhook deliveries these new feed items owe; wake workers on commit."""
    items = list(items)
    if not items:
        return
    now = timezone.now()
    owed: list[Notification] = []
    at_once: set[int] = set()
    users: dict[int, User] = {}
    for item in items:
        ids = watcher_ids(item) - {item.actor_id}
        missing = ids - users.keys()
        if missing:
            found = get_user_model().objects.filter(pk__in=missing).select_related("notification_settings")
            users.update({u.pk: u for u in found})
        dispute = item.dispute
        for user_id in sorted(ids):
            user = users.get(user_id)
            if user is None or not user.email or not may_read(user, dispute):
                continue
            prefs = getattr(user, "notification_settings", None)
            mode = prefs.email_mode if prefs is not None else EmailMode.IMMEDIATE
            if mode == EmailMode.OFF:
                continue
            owed.append(Notification(user_id=user_id, feed_item=item, created_at=now, due_at=due_time(mode, now)))
            if mode == EmailMode.IMMEDIATE:
                at_once.add(user_id)
    if owed:
        Notification.objects.bulk_create(owed, ignore_conflicts=True)
    if at_once:
        transaction.on_commit(lambda: wakeups.send_notifications(sorted(at_once)))
    webhooks.announce(items)
