import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims import roles
from claims.fast_urls import object_url
from claims.text import NormalisedCharField, NormalisedTextField

from .checks import SourceCheck
from .claims import Claim
from .disputes import ArticleLink, Dispute
from .evidence import Evidence
from .sources import Source


class FeedItemQuerySet(models.QuerySet):
    def published(self) -> "FeedItemQuerySet":
        """What the public may read: items on published disputes, made since they were published."""
        return self.filter(dispute__is_published=True, made_on_draft=False)

    def visible_to(self, user) -> "FeedItemQuerySet":
        """Feed items on disputes ``user`` may read; feeds pass None (a feed goes to whoever it is shared with)."""
        return self if roles.can_see_drafts(user) else self.published()

    def on_disputed(self) -> "FeedItemQuerySet":
        """Feed items on disputes that are currently in dispute (the main feed)."""
        return self.filter(dispute__status=Dispute.Status.DISPUTED)

    def for_party(self, party) -> "FeedItemQuerySet":
        """Feed items on disputes where the party has made a claim."""
        return self.filter(dispute__in=Dispute.objects.filter(claims__party=party).values("pk"))

    def newest_first(self) -> "FeedItemQuerySet":
        return self.order_by("-created_at", "-pk")

    def for_feed(self) -> "FeedItemQuerySet":
        """Everything a feed item shows, in a fixed number of queries."""
        return self.select_related(
            "dispute",
            "claim__party",
            "claim__speaker",
            "claim__source",
            "evidence__released_by",
            "evidence__source",
            "article_link__source",
            "source",
        ).prefetch_related(
            models.Prefetch("dispute__claims", queryset=Claim.objects.select_related("party", "speaker")),
        )


class FeedItemKind(models.TextChoices):
    CLAIM = "claim", _("New claim")
    COUNTERCLAIM = "counterclaim", _("New counterclaim")
    EVIDENCE = "evidence", _("New evidence")
    ARTICLE = "article", _("New article")
    SOURCE_CHANGED = "source_changed", _("Source changed")
    SOURCE_DIED = "source_died", _("Source unreachable")
    QUOTE_MISSING = "quote_missing", _("Quote missing from source")
    STATUS = "status", _("Status changed")
    VERDICT = "verdict", _("Verdict")
    STANDING = "standing", _("Claim withdrawn, superseded or corrected")
    POSITION_SHIFT = "position_shift", _("Position changed")


class FeedItem(models.Model):
    """One thing that happened on a dispute: a feed item.

    A feed item is written once, when it happens, and never rewritten: an edit
    to an existing claim does not make a new one. ``uid`` is the feed guid.
    """

    Kind = FeedItemKind

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text=_("The feed item's guid."))
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="feed_items")
    kind = models.CharField(max_length=20, choices=Kind)
    title = NormalisedCharField(max_length=300, truncate=True, help_text=_("A headline, written when it happened."))
    summary = NormalisedTextField(blank=True, help_text=_("Plain text: what changed, written when it happened."))
    old_value = models.CharField(max_length=40, blank=True, help_text=_("Status or verdict before the change."))
    new_value = models.CharField(max_length=40, blank=True, help_text=_("Status or verdict after the change."))
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_items")
    evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_items")
    article_link = models.ForeignKey(
        ArticleLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_items"
    )
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_items")
    source_check = models.ForeignKey(
        SourceCheck, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_items"
    )
    # Who made it happen (None: the checker, or a command): nobody is emailed about their own edits.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Made while its dispute was a draft (working titles, claims deleted before publication):
    # never shown outside the newsroom, even once the dispute is published. Set when made.
    made_on_draft = models.BooleanField(default=False, editable=False)

    objects = FeedItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"
        indexes = [
            # Per-dispute feed, and the party feed's dispute subquery: a dispute's feed items, newest first.
            models.Index(fields=["dispute", "-created_at"], name="feed_item_dispute_idx"),
            # Main feed: newest feed items across disputes (filtered by the dispute's status).
            models.Index(fields=["-created_at"], name="feed_item_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in FeedItemKind]), name="feed_item_kind_valid"
            ),
            # A source check is reported once per dispute, however often the check row is saved.
            models.UniqueConstraint(
                fields=["source_check", "dispute"],
                condition=models.Q(source_check__isnull=False),
                name="feed_item_one_per_check_and_dispute",
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and not self.dispute.is_published:
            self.made_on_draft = True
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("claims:dispute-detail", self.dispute.slug)

    @property
    def guid(self) -> str:
        return f"urn:uuid:{self.uid}"
