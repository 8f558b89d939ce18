from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims import roles
from claims.fast_urls import object_url
from claims.models.base import choice_display
from claims.text import NormalisedTextField

from .base import StaysOnItsDispute, Versioned
from .sources import Source


class Stance(models.TextChoices):
    """A claim's position on a dispute's proposition."""

    AFFIRMS = "affirms", _("Affirms")
    DENIES = "denies", _("Denies")
    QUALIFIED = "qualified", _("Qualified")


class DisputeQuerySet(models.QuerySet):
    def published(self) -> "DisputeQuerySet":
        return self.filter(is_published=True)

    def visible_to(self, user) -> "DisputeQuerySet":
        """What ``user`` may read: drafts only for those who may see them (``roles.can_see_drafts``)."""
        return self if roles.can_see_drafts(user) else self.published()

    def recently_active(self) -> "DisputeQuerySet":
        return self.order_by("-last_activity_at", "-pk")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("No claims yet")
    SINGLE_SIDED = "single_sided", _("Single-sided")
    DISPUTED = "disputed", _("Disputed")
    SETTLED = "settled", _("Settled")
    UNRESOLVED = "unresolved", _("Unresolved")


class DisputeVerdict(models.TextChoices):
    TRUE = "true", _("True")
    MOSTLY_TRUE = "mostly_true", _("Mostly true")
    MIXED = "mixed", _("Mixed")
    MOSTLY_FALSE = "mostly_false", _("Mostly false")
    FALSE = "false", _("False")
    UNPROVEN = "unproven", _("Unproven")


class Dispute(Versioned):
    """One proposition that parties disagree on, phrased so a claim can affirm or deny it."""

    Status = DisputeStatus
    # Path words under /disputes/ that a slug would shadow (/disputes/new/ is the create form).
    RESERVED_SLUGS = frozenset({"new"})
    Verdict = DisputeVerdict
    proposition = NormalisedTextField(
        max_length=1000,
        help_text=_(
            "Phrased so a claim can affirm or deny it: "
            "“A Russian Su-27 made physical contact with the US MQ-9 on 14 March 2023.”"
        ),
    )
    slug = models.SlugField(max_length=120, unique=True)
    summary = NormalisedTextField(max_length=10_000, blank=True, help_text=_("Background for readers; optional."))
    occurred_on = models.DateField(null=True, blank=True, help_text=_("When the disputed event took place."))
    status = models.CharField(max_length=20, choices=Status, default=Status.OPEN, editable=False)
    verdict = models.CharField(max_length=20, choices=Verdict, blank=True)
    verdict_reasoning = NormalisedTextField(max_length=10_000, blank=True)
    verdict_at = models.DateTimeField(null=True, blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When anything on the dispute last moved (a claim, evidence, an article, a verdict).
    last_activity_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    articles = models.ManyToManyField(Source, through="ArticleLink", related_name="article_disputes", blank=True)

    history = HistoricalRecords(excluded_fields=["last_activity_at", "updated_at"])
    objects = DisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-last_activity_at"]
        permissions = [
            ("publish_dispute", "Can publish and unpublish disputes"),
            ("settle_dispute", "Can set a verdict on disputes"),
        ]
        indexes = [
            # Home page: published disputes, most recently active first.
            models.Index(fields=["is_published", "-last_activity_at"], name="dispute_published_activity_idx"),
            # Editors' home page and search (drafts included): every dispute in the list's order,
            # so a search walks it and stops (a full scan and sort read every search document:
            # 0.8–2 s for a common word at 100,000 disputes; docs/performance.md).
            models.Index(fields=["-last_activity_at", "-id"], name="dispute_activity_idx"),
            # Home page status filter and the disputed-claims feed.
            models.Index(fields=["status", "-last_activity_at"], name="dispute_status_activity_idx"),
            # Home page date-range filter on when the disputed event took place.
            models.Index(fields=["occurred_on"], name="dispute_occurred_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(proposition=""), name="dispute_proposition_not_empty"),
            models.CheckConstraint(condition=~models.Q(slug=""), name="dispute_slug_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(slug__in=["new"]),
                name="dispute_slug_not_reserved",
                violation_error_message="“new” is reserved for the page that creates disputes; choose another slug.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in DisputeStatus]), name="dispute_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(verdict="") | models.Q(verdict__in=[v.value for v in DisputeVerdict]),
                name="dispute_verdict_valid",
            ),
            # A published dispute says when it was published (the feeds need it).
            models.CheckConstraint(
                condition=models.Q(is_published=False) | models.Q(published_at__isnull=False),
                name="dispute_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        text = self.proposition.strip().replace("\n", " ")
        return text if len(text) <= 90 else text[:89] + "…"

    def get_absolute_url(self) -> str:
        return object_url("claims:dispute-detail", self.slug)

    @staticmethod
    def derive_status(stances: Iterable[str], verdict: str = "") -> str:
        """The one place a dispute's status is worked out.

        An editor's verdict settles it (or, if unproven, leaves it unresolved);
        otherwise opposite stances make it disputed, one side alone single-sided.
        """
        if verdict:
            return Dispute.Status.UNRESOLVED if verdict == Dispute.Verdict.UNPROVEN else Dispute.Status.SETTLED
        present = set(stances)
        if not present:
            return Dispute.Status.OPEN
        if Stance.AFFIRMS in present and Stance.DENIES in present:
            return Dispute.Status.DISPUTED
        return Dispute.Status.SINGLE_SIDED

    def computed_status(self) -> str:
        """The status from the claims that still stand: withdrawn and superseded ones do not count."""
        from .claims import STANDING_COUNTS

        if not self.pk:
            return self.derive_status([], self.verdict)
        stances = self.claims.filter(standing__in=STANDING_COUNTS).values_list("stance", flat=True).distinct()
        return self.derive_status(stances, self.verdict)

    def refresh_status(self, *, touch: bool = True) -> None:
        """Recompute the stored status; mark the dispute as recently active.

        Claim, evidence and article saves call this; the feed item for a status change is
        the service's to make (``claims.services``), from the status it locked before.
        """
        fields = {}
        status = self.computed_status()
        if status != self.status:
            fields["status"] = status
        if touch:
            fields["last_activity_at"] = timezone.now()
        if fields:
            Dispute.objects.filter(pk=self.pk).update(**fields)
            for name, value in fields.items():
                setattr(self, name, value)

    def save(self, *args, **kwargs) -> None:
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()
        self.status = self.computed_status()
        super().save(*args, **kwargs)


class ArticleLinkRelation(models.TextChoices):
    REPORTS = "reports", _("Reports")
    CORROBORATES = "corroborates", _("Corroborates")
    CONTRADICTS = "contradicts", _("Contradicts")
    UPDATES = "updates", _("Updates")
    RETRACTS = "retracts", _("Retracts")


class ArticleLinkQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ArticleLinkQuerySet":
        """Links on disputes ``user`` may read."""
        return self if roles.can_see_drafts(user) else self.filter(dispute__is_published=True)


class ArticleLink(StaysOnItsDispute, Versioned):
    """A later article linked to a dispute, and how it bears on it."""

    Relation = ArticleLinkRelation
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="article_links")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="article_links")
    relation = models.CharField(max_length=20, choices=Relation, default=Relation.REPORTS)
    get_relation_display = choice_display("relation", Relation)
    note = NormalisedTextField(max_length=2000, blank=True)
    linked_on = models.DateField(default=timezone.localdate, help_text=_("When the article bore on the dispute."))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    objects = ArticleLinkQuerySet.as_manager()

    class Meta:
        ordering = ["linked_on", "pk"]
        constraints = [
            # An article is linked to a dispute once; its relation can change.
            models.UniqueConstraint(fields=["dispute", "source"], name="article_link_unique"),
            models.CheckConstraint(
                condition=models.Q(relation__in=[r.value for r in ArticleLinkRelation]),
                name="article_link_relation_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_relation_display().lower()} “{self.dispute}”"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.dispute.refresh_status()


class DisputeSlugRedirect(models.Model):
    """An address a dispute had before it was published under a new one (``services.dispute_publish``).

    A draft's slug comes from its first working title; published under another proposition it
    takes a slug from that, and the old address answers 301 to the new one for whoever may see
    the dispute (``claims.middleware.DisputeSlugRedirectMiddleware``).
    """

    old_slug = models.SlugField(max_length=120, unique=True)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.dispute.slug}"
