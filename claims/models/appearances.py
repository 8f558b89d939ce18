"""Where else a claim appeared: the same statement quoted by other outlets, or repeated.

A claim's own ``source`` (with its quote selector) is its **first appearance**; each
``Appearance`` row is one more source with a selector of its own. The checker looks for the
quote in every one of them (``claims.checking.reading.record_quotes``), and the claim card
counts how many still carry it (docs/appearances.md).
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from claims import roles

from .claims import Claim
from .sources import Source


class AppearanceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AppearanceQuerySet":
        """Appearances of claims on disputes ``user`` may read."""
        return self if roles.can_see_drafts(user) else self.filter(claim__dispute__is_published=True)


class Appearance(models.Model):
    """One more source in which a claim appeared, with where the quote sits in it."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="appearances")
    # PROTECT, as Claim.source: a source cited as an appearance is not deleted from under it.
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="appearances")
    # The text-quote selector, as on Claim: empty ``quote_exact`` means "look for the claim's quote".
    quote_exact = models.TextField("quote as it appears there", blank=True)
    quote_prefix = models.CharField("text just before the quote", max_length=200, blank=True)
    quote_suffix = models.CharField("text just after the quote", max_length=200, blank=True)
    appeared_on = models.DateField("appeared on", null=True, blank=True, help_text="When it ran there, if known.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AppearanceQuerySet.as_manager()

    class Meta:
        ordering = ["appeared_on", "pk"]
        constraints = [
            # A source is one appearance of a claim (the checker keeps one quote result per claim per check).
            models.UniqueConstraint(fields=["claim", "source"], name="appearance_one_per_claim_source"),
        ]
        # The foreign keys' own indexes serve the pages (a claim's appearances) and the checker
        # (the appearances at a source).

    def __str__(self) -> str:
        return f"{self.claim} — also in {self.source.url}"

    def get_absolute_url(self) -> str:
        return self.claim.get_absolute_url()

    @property
    def looked_for(self) -> str:
        """What the checker looks for at this source: the selector's exact text, else the quote."""
        return self.quote_exact or self.claim.quote
