"""Following the record: what a user watches, how they want to hear of it, and the emails owed.

A ``Watch`` ties a user to one dispute, party or source. When something happens (a
``FeedItem`` is made), ``claims.following.announce`` writes a ``Notification`` row per
watcher who should hear of it; ``claims.notifications`` sends them by email, at once or
in a daily digest as ``NotificationSettings.email_mode`` says. The rows are the outbox:
a mail that could not go out stays due and is tried again, so nothing is lost.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .feed_items import FeedItem


class WatchQuerySet(models.QuerySet):
    def of(self, user) -> "WatchQuerySet":
        return self.filter(user=user) if user is not None and user.is_authenticated else self.none()

    def visible_to(self, user) -> "WatchQuerySet":
        """Watches of things ``user`` may read now (a dispute unpublished since is hidden, not deleted)."""
        from .disputes import Dispute
        from .parties import Party
        from .sources import Source

        return self.filter(
            models.Q(dispute__in=Dispute.objects.visible_to(user))
            | models.Q(party__in=Party.objects.visible_to(user))
            | models.Q(source__in=Source.objects.visible_to(user))
        )


class Watch(models.Model):
    """One user following one dispute, party or source."""

    KINDS = ("dispute", "party", "source")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    dispute = models.ForeignKey("claims.Dispute", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey("claims.Party", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey("claims.Source", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = WatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A watch is of exactly one thing.
            models.CheckConstraint(
                condition=(
                    models.Q(dispute__isnull=False, party__isnull=True, source__isnull=True)
                    | models.Q(dispute__isnull=True, party__isnull=False, source__isnull=True)
                    | models.Q(dispute__isnull=True, party__isnull=True, source__isnull=False)
                ),
                name="watch_exactly_one_target",
            ),
            # One watch per user and thing (the Watch button, claims.following.watch_add).
            models.UniqueConstraint(
                fields=["user", "dispute"], condition=models.Q(dispute__isnull=False), name="watch_once_dispute"
            ),
            models.UniqueConstraint(
                fields=["user", "party"], condition=models.Q(party__isnull=False), name="watch_once_party"
            ),
            models.UniqueConstraint(
                fields=["user", "source"], condition=models.Q(source__isnull=False), name="watch_once_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} watches {self.target}"

    @property
    def kind(self) -> str:
        return "dispute" if self.dispute_id else "party" if self.party_id else "source"

    @property
    def target(self):
        return self.dispute or self.party or self.source


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("As it happens")
    DAILY = "daily", _("Once a day, in a digest")
    OFF = "off", _("No email")


class NotificationSettings(models.Model):
    """How one user wants to hear about what they watch (their account page)."""

    EmailMode = EmailMode

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_mode = models.CharField(
        "email", max_length=10, choices=EmailMode, default=EmailMode.IMMEDIATE, help_text=_("When to send email.")
    )
    watch_what_i_create = models.BooleanField(
        default=True, help_text=_("Watch a dispute when you create it or add a claim, evidence or an article to it.")
    )
    # A sender holds this while it builds and sends the user's mail (claims.notifications),
    # so two workers never send the same notifications twice at once.
    sending_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = _("notification settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email_mode__in=[m.value for m in EmailMode]), name="notification_email_mode_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Notification settings of {self.user}"


class Notification(models.Model):
    """One feed item a user is owed an email about: the email outbox.

    Written when the feed item is made (``claims.following.announce``), due at once or at
    the next digest; ``sent_at`` is set once a mail carrying it went out (or it was dropped
    because the user may no longer read it). A failed send leaves it due later.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    feed_item = models.ForeignKey(FeedItem, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    dropped = models.BooleanField(default=False, help_text=_("Not sent: the user could no longer read it."))
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # A user hears of one event once, however often it is announced.
            models.UniqueConstraint(fields=["user", "feed_item"], name="notification_once_per_item"),
        ]
        indexes = [
            # The sweeper (claims.notifications.sweep): unsent notifications that are due.
            models.Index(fields=["due_at"], condition=models.Q(sent_at__isnull=True), name="notification_due_idx"),
            # One user's unsent notifications (claims.notifications.send_pending).
            models.Index(
                fields=["user", "due_at"], condition=models.Q(sent_at__isnull=True), name="notification_user_due_idx"
            ),
            # The daily purge (claims/purging.py): sent or dropped ones, by age.
            models.Index(
                fields=["created_at"], condition=models.Q(sent_at__isnull=False), name="notification_done_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feed_item} → {self.user}"
