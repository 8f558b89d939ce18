"""Webhooks: a signed JSON POST to each active endpoint for every feed item on a published dispute.

``announce`` (called by ``claims.following.announce`` in the transaction that made the feed
items) writes one ``WebhookDelivery`` per endpoint and item; a worker posts them
(``deliver_due``), each endpoint in its own thread and its deliveries one at a time, so a
slow or dead endpoint holds up only itself — never a page, never another endpoint. A failed
try is retried with exponential backoff up to ``WEBHOOK_MAX_ATTEMPTS``; every try is kept
(``WebhookAttempt``), and staff can resend from the admin.

Every POST goes through the checker's safe fetcher (``claims.checking.fetch.post``): the
same URL rules, address pinning and refusal of non-public addresses as source checks, with
``WEBHOOK_ALLOW_HOSTS`` as the allowlist for internal hosts.

Signature (docs/notifications.md): ``X-Tracker-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"<X-Tracker-Timestamp>.<body>"`` under the endpoint's secret; receivers reject a timestamp
outside ``WEBHOOK_REPLAY_WINDOW_SECONDS`` and may dedupe on ``X-Tracker-Delivery``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import random
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.utils import timezone

from claims import wakeups
from claims.checking import fetch
from claims.languages import in_site_language
from claims.models import FeedItem
from claims.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tracker-Signature"
TIMESTAMP_HEADER = "X-Tracker-Timestamp"
DELIVERY_HEADER = "X-Tracker-Delivery"
EVENT_HEADER = "X-Tracker-Event"
MAX_RETRY_SECONDS = 6 * 3600


# --- Signing -----------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (Unix seconds, as a string)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, timestamp: str, signature: str, *, now: float | None = None) -> bool:
    """What a receiver does: the signature matches and the timestamp is within the replay window."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - sent) > settings.WEBHOOK_REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


# --- Endpoints (services: the admin writes through these) -----------------------------------


def url_problem(url: str) -> str:
    """Why a webhook URL would be refused by the fetcher's rules, without a DNS lookup ("" if none).

    Host names are resolved (and refused if any address is not public) at each delivery.
    """
    allow = tuple(settings.WEBHOOK_ALLOW_HOSTS)
    try:
        target = fetch.parse_target(url, allow=allow)
    except fetch.FetchRefused as refused:
        return refused.message
    except ValueError:
        return "The URL is not valid."
    try:
        ipaddress.ip_address(target.host)
    except ValueError:
        return ""  # a name: checked when it is resolved
    if not fetch.is_public_address(target.host) and not fetch._allowlisted(target.host, target.port, allow):
        return (
            f"{target.host} is not a public address; webhooks are only sent to public hosts (or WEBHOOK_ALLOW_HOSTS)."
        )
    return ""


@transaction.atomic
def endpoint_save(*, endpoint: WebhookEndpoint, user) -> WebhookEndpoint:
    """Create or change an endpoint; a URL the fetcher would refuse is a ValidationError."""
    problem = url_problem(endpoint.url)
    if problem:
        raise ValidationError({"url": problem})
    if endpoint.pk is None and endpoint.created_by_id is None and user is not None and user.is_authenticated:
        endpoint.created_by = user
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, user) -> None:
    endpoint.delete()


@transaction.atomic
def deliveries_resend(*, deliveries: Iterable[WebhookDelivery], user) -> int:
    """Send these deliveries again now (the admin's "Resend"), with a fresh set of attempts."""
    ids = [d.pk for d in deliveries]
    count = WebhookDelivery.objects.filter(pk__in=ids).update(
        state=WebhookDelivery.State.PENDING, due_at=timezone.now(), attempts=0
    )
    if count:
        transaction.on_commit(wakeups.deliver_webhooks)
    return count


# --- Announcing ---------------------------------------------------------------------------


def announce(items: list[FeedItem]) -> None:
    """One delivery per active endpoint and feed item on a published dispute (drafts never leave)."""
    public = [item for item in items if item.dispute.is_published]
    if not public:
        return
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True).values_list("pk", flat=True))
    if not endpoints:
        return
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint_id=endpoint, feed_item=item, created_at=now, due_at=now)
            for endpoint in endpoints
            for item in public
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(wakeups.deliver_webhooks)


# --- Delivering ---------------------------------------------------------------------------


@in_site_language
def payload(delivery: WebhookDelivery) -> dict:
    """The JSON a delivery carries; ``text`` makes it readable by Slack-compatible chat webhooks."""
    from claims.notifications import absolute, item_link

    item = delivery.feed_item
    dispute = item.dispute
    link = item_link(item)
    data = {
        "id": str(delivery.uid),
        "event": item.kind,
        "event_label": item.get_kind_display(),
        "occurred_at": item.created_at.isoformat(),
        "title": item.title,
        "summary": item.summary,
        "url": link,
        "text": f"{item.title} {link}",
        "dispute": {
            "slug": dispute.slug,
            "proposition": dispute.proposition,
            "status": dispute.status,
            "verdict": dispute.verdict,
            "url": absolute(dispute.get_absolute_url()),
        },
        "site": settings.SITE_URL,
    }
    if item.source_id:
        source = item.source
        data["source"] = {"url": source.url, "title": source.title, "check_state": source.check_state}
    if item.old_value or item.new_value:
        data["change"] = {"from": item.old_value, "to": item.new_value}
    return data


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff with jitter: about base, 2×base, 4×base… up to 6 hours."""
    seconds = min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    return datetime.timedelta(seconds=seconds * random.uniform(1.0, 1.25))


def deliver(delivery: WebhookDelivery) -> bool:
    """Post one delivery now and record the try; True if the endpoint answered 2xx."""
    endpoint = delivery.endpoint
    now = timezone.now()
    if not delivery.feed_item.dispute.is_published:
        delivery.state = WebhookDelivery.State.FAILED
        delivery.last_error = "Not sent: the dispute is no longer published."
        delivery.save(update_fields=["state", "last_error"])
        return False
    body = json.dumps(payload(delivery), ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"{settings.SITE_NAME} webhooks (+{settings.SITE_URL})",
        "Connection": "close",
        EVENT_HEADER: delivery.feed_item.kind,
        DELIVERY_HEADER: str(delivery.uid),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
    }
    result = fetch.post(
        endpoint.url,
        body,
        headers,
        allow=tuple(settings.WEBHOOK_ALLOW_HOSTS),
        deadline_seconds=settings.WEBHOOK_TIMEOUT_SECONDS,
    )
    ok = result.ok and result.status is not None and 200 <= result.status < 300
    error = result.error if not result.ok else ("" if ok else f"The endpoint answered HTTP {result.status}.")
    WebhookAttempt.objects.create(
        delivery=delivery,
        at=now,
        status_code=result.status if result.ok else None,
        error=error,
        duration_ms=result.timings.get("total_ms", 0),
        response_excerpt=result.body[:500].decode("utf-8", errors="replace") if result.ok else "",
    )
    delivery.attempts += 1
    delivery.last_status = result.status if result.ok else None
    delivery.last_error = error
    if ok:
        delivery.state = WebhookDelivery.State.DELIVERED
        delivery.delivered_at = timezone.now()
    elif result.error_kind == fetch.UNSAFE or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.state = WebhookDelivery.State.FAILED  # an unsafe URL stays unsafe; staff can fix it and resend
    else:
        delivery.due_at = timezone.now() + retry_delay(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_status", "last_error", "state", "delivered_at", "due_at"])
    level = logging.INFO if ok else logging.WARNING
    log.log(level, "webhook %s to %s: %s", delivery.uid, endpoint.name, result.status or error)
    return ok


def _lease_seconds() -> int:
    return settings.WEBHOOK_TIMEOUT_SECONDS + 60


def deliver_endpoint(endpoint_id: int, *, stop_at: float | None = None) -> dict[str, int]:
    """Post an endpoint's due deliveries in order, one at a time, until none is due or one fails.

    After a failure the endpoint's other deliveries wait for its backoff, so a dead endpoint
    costs one timeout per retry, not one per delivery. Another thread or worker already
    delivering to it is left alone (the endpoint's lease).
    """
    stop_at = stop_at if stop_at is not None else time.monotonic() + settings.WEBHOOK_BATCH_SECONDS
    now = timezone.now()
    free = models.Q(sending_until__isnull=True) | models.Q(sending_until__lt=now)
    lease = datetime.timedelta(seconds=_lease_seconds())
    if not WebhookEndpoint.objects.filter(free, pk=endpoint_id, is_active=True).update(sending_until=now + lease):
        return {"busy": 1}
    counts = {"delivered": 0, "failed": 0}
    try:
        while time.monotonic() < stop_at:
            delivery = (
                WebhookDelivery.objects.filter(
                    endpoint_id=endpoint_id, state=WebhookDelivery.State.PENDING, due_at__lte=timezone.now()
                )
                .select_related("endpoint", "feed_item__dispute", "feed_item__source")
                .order_by("due_at", "pk")
                .first()
            )
            if delivery is None:
                break
            WebhookEndpoint.objects.filter(pk=endpoint_id).update(sending_until=timezone.now() + lease)
            if deliver(delivery):
                counts["delivered"] += 1
            else:
                counts["failed"] += 1
                break
    finally:
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(sending_until=None)
    return counts


def _in_own_thread(endpoint_id: int, stop_at: float) -> dict[str, int]:
    try:
        return deliver_endpoint(endpoint_id, stop_at=stop_at)
    finally:
        connections.close_all()  # this thread's connections; the pool's threads end with the batch


def deliver_due() -> dict[str, int]:
    """Deliver everything due, each endpoint in its own thread (a worker task, woken or by beat)."""
    endpoint_ids = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, due_at__lte=timezone.now(), endpoint__is_active=True
        )
        .order_by("endpoint_id")
        .values_list("endpoint_id", flat=True)
        .distinct()
    )
    totals: dict[str, int] = {}
    if not endpoint_ids:
        return totals
    stop_at = time.monotonic() + settings.WEBHOOK_BATCH_SECONDS
    with ThreadPoolExecutor(max_workers=max(1, min(settings.WEBHOOK_THREADS, len(endpoint_ids)))) as pool:
        for counts in pool.map(lambda pk: _in_own_thread(pk, stop_at), endpoint_ids):
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
    return totals
