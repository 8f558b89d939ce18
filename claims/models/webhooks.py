"""Webhooks: other newsroom systems told of every feed item on a published dispute.

Staff manage ``WebhookEndpoint`` rows in the admin; ``claims.following.announce`` writes a
``WebhookDelivery`` per endpoint and feed item, and ``claims.webhooks`` posts them (signed)
from a worker, recording each try as a ``WebhookAttempt`` (the delivery log).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .feed_items import FeedItem


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL that receives a signed JSON POST for every feed item on a published dispute."""

    name = models.CharField(max_length=100, help_text=_("Who receives it, e.g. “CMS” or “Desk chat”."))
    url = models.URLField(
        "URL", max_length=2000, help_text=_("http(s) on a public address (or one in WEBHOOK_ALLOW_HOSTS).")
    )
    secret = models.CharField(
        max_length=100,
        default=new_webhook_secret,
        help_text=_("Signs every delivery (HMAC-SHA256); give it to the receiving system. See docs/notifications.md."),
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # A delivering thread holds this while it posts this endpoint's deliveries, one at a time
    # and in order; a dead holder's lease lapses (claims.webhooks.deliver_endpoint).
    sending_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")


class WebhookDelivery(models.Model):
    """One feed item owed to one endpoint; ``uid`` is the delivery id the receiver may dedupe on."""

    State = DeliveryState

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    feed_item = models.ForeignKey(FeedItem, on_delete=models.CASCADE, related_name="webhook_deliveries")
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField("last response", null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            # One delivery per endpoint and event, however often it is announced (a resend reuses it).
            models.UniqueConstraint(fields=["endpoint", "feed_item"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=models.Q(state__in=[s.value for s in DeliveryState]), name="webhook_delivery_state_valid"
            ),
        ]
        indexes = [
            # The delivery loop (claims.webhooks.deliver_due): pending deliveries that are due, per endpoint.
            models.Index(
                fields=["endpoint", "due_at"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_due_idx",
            ),
            # The daily purge (claims/purging.py): delivered or given-up ones, by age.
            models.Index(
                fields=["created_at"],
                condition=models.Q(state__in=["delivered", "failed"]),
                name="webhook_delivery_done_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feed_item} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One try at a delivery: the delivery log the admin shows (response code or error)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField("response", null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error[:40]} at {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
