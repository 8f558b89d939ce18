from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims import roles
from claims.models.base import choice_display
from claims.text import NormalisedCharField, NormalisedTextField

from .base import StaysOnItsDispute, Versioned
from .claims import Claim, DatePrecision, format_partial_date
from .disputes import Dispute, Stance
from .parties import Party
from .sources import Source


class EvidenceKind(models.TextChoices):
    FOOTAGE = "footage", _("Footage")
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")
    DATA = "data", _("Data")
    TESTIMONY = "testimony", _("Testimony")
    OTHER = "other", _("Other")


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EvidenceQuerySet":
        """Evidence on disputes ``user`` may read."""
        return self if roles.can_see_drafts(user) else self.filter(dispute__is_published=True)


class Evidence(StaysOnItsDispute, Versioned):
    """Material bearing on a dispute: footage, photos, documents, data, testimony."""

    Kind = EvidenceKind
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=Kind)
    get_kind_display = choice_display("kind", Kind)
    title = NormalisedCharField(max_length=300)
    description = NormalisedTextField(max_length=10_000, blank=True)
    released_by = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="released_evidence"
    )
    released_on = models.DateField(null=True, blank=True)
    released_on_precision = models.CharField(max_length=10, choices=DatePrecision, default=DatePrecision.DAY)
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
        help_text=_("Where the evidence can be seen."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["released_on", "pk"]
        verbose_name_plural = _("evidence")
        indexes = [
            # Dispute page and timeline: a dispute's evidence by release date.
            models.Index(fields=["dispute", "released_on"], name="evidence_dispute_released_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="evidence_title_not_empty"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in EvidenceKind]), name="evidence_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        who = gettext(", released by %(party)s") % {"party": self.released_by} if self.released_by_id else ""
        return f"{self.title} ({self.get_kind_display().lower()}{who})"

    @property
    def released_on_display(self) -> str:
        return format_partial_date(self.released_on, self.released_on_precision)

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.dispute.refresh_status()


class EvidenceLinkEffect(models.TextChoices):
    SUPPORTS = "supports", _("Supports")
    CONTRADICTS = "contradicts", _("Contradicts")


class EvidenceLinkStrength(models.TextChoices):
    WEAK = "weak", _("Weak")
    MODERATE = "moderate", _("Moderate")
    STRONG = "strong", _("Strong")


# Strength and effect as one phrase ("Strongly supports"), whole, so each language can word it.
_EFFECT_PHRASES = {
    ("weak", "supports"): gettext_noop("Weakly supports"),
    ("moderate", "supports"): gettext_noop("Moderately supports"),
    ("strong", "supports"): gettext_noop("Strongly supports"),
    ("weak", "contradicts"): gettext_noop("Weakly contradicts"),
    ("moderate", "contradicts"): gettext_noop("Moderately contradicts"),
    ("strong", "contradicts"): gettext_noop("Strongly contradicts"),
}


class EvidenceLinkQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EvidenceLinkQuerySet":
        """Links of evidence on disputes ``user`` may read."""
        return self if roles.can_see_drafts(user) else self.filter(evidence__dispute__is_published=True)


class EvidenceLink(models.Model):
    """What a piece of evidence bears on — one claim, or a whole stance — and how strongly."""

    Effect = EvidenceLinkEffect
    Strength = EvidenceLinkStrength
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence_links")
    stance = models.CharField(max_length=20, choices=Stance, blank=True)
    effect = models.CharField(max_length=20, choices=Effect)
    strength = models.CharField(max_length=20, choices=Strength, default=Strength.MODERATE)
    note = NormalisedTextField(max_length=2000, blank=True)

    history = HistoricalRecords()
    objects = EvidenceLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            # A link points at exactly one claim or one stance, never both or neither.
            models.CheckConstraint(
                condition=(models.Q(claim__isnull=False) & models.Q(stance=""))
                | (models.Q(claim__isnull=True) & models.Q(stance__in=[s.value for s in Stance])),
                name="evidence_link_claim_xor_stance",
            ),
            models.CheckConstraint(
                condition=models.Q(effect__in=[e.value for e in EvidenceLinkEffect]), name="evidence_link_effect_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(strength__in=[s.value for s in EvidenceLinkStrength]),
                name="evidence_link_strength_valid",
            ),
        ]

    @property
    def effect_display(self) -> str:
        """ "Strongly supports", "Weakly contradicts": how the evidence bears on its target."""
        return gettext(_EFFECT_PHRASES[(self.strength, self.effect)])

    def __str__(self) -> str:
        if self.claim_id:
            target = gettext("claim “%(claim)s”") % {"claim": self.claim}
        else:
            target = gettext("the “%(stance)s” side") % {"stance": self.get_stance_display()}
        return f"{self.effect_display} {target}"

    def clean(self) -> None:
        if bool(self.claim_id) == bool(self.stance):
            raise ValidationError(_("Link the evidence to one claim or to one stance, not both and not neither."))
        if self.claim_id and self.evidence_id and self.claim.dispute_id != self.evidence.dispute_id:
            raise ValidationError({"claim": _("That claim belongs to a different dispute.")})
