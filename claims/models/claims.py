import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims import languages, roles
from claims.fast_urls import object_url
from claims.models.base import choice_display
from claims.text import NormalisedCharField, NormalisedTextField

from .base import StaysOnItsDispute, Versioned
from .disputes import Dispute, Stance
from .parties import Party, Speaker
from .sources import Source


class DatePrecision(models.TextChoices):
    """How much of a date is known: a statement reported only as “in March” is month precision."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


def format_partial_date(value: datetime.date | None, precision: str) -> str:
    """The date as far as it is known, in the active language: "15 March 2023", "March 2023", "2023"."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return date_format(value, "YEAR_MONTH_FORMAT")
    return date_format(value, "DATE_FORMAT")


def _period_start(value: datetime.date, precision: str) -> datetime.date:
    """The first day a partial date may mean: a claim said "in March 2023" may have been said on 1 March."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


class TranslationOrigin(models.TextChoices):
    """Who translated a quote: readers weigh an editor's translation and a machine's differently."""

    EDITOR = "editor", _("An editor")
    MACHINE = "machine", _("Machine translation")


class ClaimStanding(models.TextChoices):
    """Where a claim stands now: parties withdraw and replace what they said, reporters misquote them."""

    CURRENT = "current", _("Current")
    WITHDRAWN = "withdrawn", _("Withdrawn by its speaker")
    SUPERSEDED = "superseded", _("Superseded by a later claim")
    CORRECTED = "corrected", _("Corrected (misreported wording)")


# What a dispute's status is worked out from: a withdrawn or superseded claim is no longer
# the party's position (``Dispute.computed_status``). A corrected claim still stands, in its
# corrected wording.
STANDING_COUNTS = (ClaimStanding.CURRENT, ClaimStanding.CORRECTED)
# Set apart on the pages: kept, greyed and struck through, with the reason.
STANDING_SET_APART = (ClaimStanding.WITHDRAWN, ClaimStanding.SUPERSEDED)


@dataclass
class SeenIn:
    """One appearance of a claim as the card shows it: the source, whether the latest check there
    found the quote (None: not checked there yet), and whether it is the first appearance (the
    claim's own source) or a further one (``appearance``, the ``Appearance`` row)."""

    source: Source
    quote_found: bool | None
    first: bool = False
    appearance: Any = None


class ClaimQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ClaimQuerySet":
        """Claims on disputes ``user`` may read."""
        return self if roles.can_see_drafts(user) else self.filter(dispute__is_published=True)


class Claim(StaysOnItsDispute, Versioned):
    """One party's assertion on a dispute, kept verbatim with where it came from."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="claims")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="claims")
    speaker = models.ForeignKey(Speaker, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    stance = models.CharField(max_length=20, choices=Stance)
    get_stance_display = choice_display("stance", Stance)
    # The original wording, verbatim in the language it was said in: what the checker looks
    # for in the source. The translation is for readers only (docs/languages.md).
    quote = NormalisedTextField(
        "original quote", max_length=10_000, blank=True, help_text=_("Verbatim, in the language it was said in.")
    )
    quote_language = models.CharField(
        "language of the quote",
        max_length=35,
        blank=True,
        help_text=_("A BCP 47 tag (en, ru, ar, zh-Hant…). Empty when not known."),
    )
    # A wording rebuilt from a report in another language (a back-translation) is not verbatim:
    # shown as reconstructed, a paraphrase, and never looked for in the source by the checker.
    quote_reconstructed = models.BooleanField(
        "reconstructed wording",
        default=False,
        help_text=_("Not verbatim: rebuilt from a report in another language. Shown as a paraphrase; not checked."),
    )
    translation = NormalisedTextField(
        max_length=10_000, blank=True, help_text=_("The quote in the site’s language, when it was said in another.")
    )
    translation_language = models.CharField(max_length=35, blank=True)
    translation_origin = models.CharField(
        "translated by", max_length=10, choices=TranslationOrigin, blank=True, help_text=_("An editor, or a machine.")
    )
    translator = NormalisedCharField(
        max_length=200, blank=True, help_text=_("The editor who translated it (or the machine translation used).")
    )
    paraphrase = NormalisedTextField(
        max_length=5000, blank=True, help_text=_("A neutral summary, when there is no quote or it needs one.")
    )
    said_on = models.DateField(null=True, blank=True)
    said_on_precision = models.CharField(max_length=10, choices=DatePrecision, default=DatePrecision.DAY)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    # Where the quote sits in the source, as a text-quote selector (exact text with context).
    quote_exact = models.TextField(blank=True)
    quote_prefix = models.CharField(max_length=200, blank=True)
    quote_suffix = models.CharField(max_length=200, blank=True)
    # Standing over time (docs/languages.md, "Claims over time"). Nothing is deleted: a withdrawn
    # or superseded claim stays on the page, set apart, and out of the dispute's status.
    standing = models.CharField(max_length=12, choices=ClaimStanding, default=ClaimStanding.CURRENT)
    withdrawn_on = models.DateField("withdrawn on", null=True, blank=True, help_text=_("When the speaker withdrew it."))
    withdrawn_url = models.URLField(
        "withdrawn where",
        max_length=2000,
        blank=True,
        help_text=_("The address of the statement, article or post in which it was withdrawn."),
    )
    # A superseding claim is not deleted while a claim names it (services.claim_delete says so);
    # a whole dispute's delete removes them together, the superseding ones first.
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
        verbose_name=_("superseded by"),
        help_text=_("The same party’s later claim on this dispute that replaces this one."),
    )
    misreported_quote = NormalisedTextField(
        "misreported wording",
        max_length=10_000,
        blank=True,
        help_text=_("The wording first reported, kept beside the corrected quote."),
    )
    standing_note = NormalisedTextField(
        "reason",
        max_length=1000,
        blank=True,
        help_text=_("Why it was withdrawn, superseded or corrected, in a sentence."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["said_on", "pk"]
        indexes = [
            # Dispute page: claims of a dispute in columns by stance.
            models.Index(fields=["dispute", "stance"], name="claim_dispute_stance_idx"),
            # Party page: a party's claims, newest first.
            models.Index(fields=["party", "-said_on"], name="claim_party_said_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(stance__in=[s.value for s in Stance]), name="claim_stance_valid"),
            models.CheckConstraint(
                condition=~models.Q(quote="") | ~models.Q(paraphrase=""), name="claim_has_quote_or_paraphrase"
            ),
            models.CheckConstraint(
                condition=models.Q(said_on_precision__in=[p.value for p in DatePrecision]),
                name="claim_date_precision_valid",
            ),
            # A translation translates something, and says who made it.
            models.CheckConstraint(
                condition=models.Q(translation="") | (~models.Q(quote="") & ~models.Q(translation_origin="")),
                name="claim_translation_has_original_and_origin",
            ),
            models.CheckConstraint(
                condition=models.Q(standing__in=[s.value for s in ClaimStanding]), name="claim_standing_valid"
            ),
            # A withdrawal says when; a correction keeps the wording it corrects.
            models.CheckConstraint(
                condition=~models.Q(standing=ClaimStanding.WITHDRAWN) | models.Q(withdrawn_on__isnull=False),
                name="claim_withdrawal_dated",
            ),
            models.CheckConstraint(
                condition=~models.Q(standing=ClaimStanding.CORRECTED) | ~models.Q(misreported_quote=""),
                name="claim_correction_keeps_old_wording",
            ),
        ]

    def __str__(self) -> str:
        text = (self.quote or self.paraphrase).strip().replace("\n", " ")
        if len(text) > 70:
            text = text[:69] + "…"
        who = self.speaker.name if self.speaker_id else self.party.name
        return f"{who} {self.get_stance_display().lower()}: “{text}”"

    def get_absolute_url(self) -> str:
        return object_url("claims:dispute-detail", self.dispute.slug) + f"#claim-{self.pk}"

    @property
    def said_on_display(self) -> str:
        return format_partial_date(self.said_on, self.said_on_precision)

    @property
    def quote_dir(self) -> str:
        return languages.direction(self.quote_language)

    @property
    def quote_language_name(self) -> str:
        return languages.language_name(self.quote_language)

    @property
    def quote_is_foreign(self) -> bool:
        """Said in a language other than the site's (so readers are told which)."""
        return bool(self.quote_language) and not languages.same_language(self.quote_language, languages.site_language())

    @property
    def translation_credit(self) -> str:
        """ "Translation by Jane Doe", "Machine translation" or "Machine translation (DeepL)"."""
        if not self.translation:
            return ""
        if self.translation_origin == TranslationOrigin.MACHINE:
            if self.translator:
                return gettext("Machine translation (%(translator)s)") % {"translator": self.translator}
            return gettext("Machine translation")
        if self.translator:
            return gettext("Translation by %(translator)s") % {"translator": self.translator}
        return gettext("Translation by an editor")

    @property
    def superseded_by_url(self) -> str:
        """Where the later claim is: on this dispute's page (a claim is superseded only on its own dispute)."""
        if self.superseded_by_id is None:
            return ""
        return object_url("claims:dispute-detail", self.dispute.slug) + f"#claim-{self.superseded_by_id}"

    @property
    def is_set_apart(self) -> bool:
        """Withdrawn or superseded: shown greyed and struck through, out of the dispute's status."""
        return self.standing in STANDING_SET_APART

    @property
    def standing_summary(self) -> str:
        """ "Withdrawn on 3 April 2023", "Superseded", "Corrected": the card's label."""
        if self.standing == ClaimStanding.WITHDRAWN and self.withdrawn_on:
            return gettext("Withdrawn by its speaker on %(date)s") % {
                "date": format_partial_date(self.withdrawn_on, DatePrecision.DAY)
            }
        if self.standing == ClaimStanding.SUPERSEDED:
            return gettext("Superseded by a later claim")
        if self.standing == ClaimStanding.CORRECTED:
            return gettext("Corrected: the quote was first misreported")
        return str(self.get_standing_display())

    @property
    def quote_is_checked(self) -> bool:
        """Whether the checker looks for this claim's wording in its sources (a verbatim quote)."""
        return bool(self.quote) and not self.quote_reconstructed

    @cached_property
    def seen_in(self) -> list["SeenIn"]:
        """Every appearance of the claim: its source first (the first appearance), then the
        others (``appearances``, prefetched by the pages with ``quote_found`` and
        ``source_check_live``; see ``claims.selectors.with_appearances``)."""
        seen = []
        if self.source_id is not None and self.source is not None:
            seen.append(SeenIn(source=self.source, quote_found=getattr(self, "quote_found", None), first=True))
        for appearance in self.appearances.all():
            if hasattr(appearance, "source_check_live"):
                appearance.source.check_live = appearance.source_check_live
            seen.append(
                SeenIn(
                    source=appearance.source,
                    quote_found=getattr(appearance, "quote_found", None),
                    appearance=appearance,
                )
            )
        return seen

    @property
    def quote_checked_anywhere(self) -> bool:
        """Whether any of its sources has been checked for the quote (else there is nothing to count)."""
        return any(seen.quote_found is not None for seen in self.seen_in)

    @property
    def quote_found_count(self) -> int:
        """In how many of its appearances the latest check found the quote."""
        return sum(1 for seen in self.seen_in if seen.quote_found)

    def clean(self) -> None:
        errors = self.dispute_move_errors()
        if not (self.quote or "").strip() and not (self.paraphrase or "").strip():
            errors["quote"] = gettext("Give the verbatim quote, a paraphrase, or both.")
        errors.update(self._language_errors())
        errors.update(self._standing_errors())
        if self.speaker_id and self.party_id and self.speaker.party_id != self.party_id:
            errors["speaker"] = gettext("%(speaker)s speaks for %(own)s, not for %(party)s.") % {
                "speaker": self.speaker.display_name,
                "own": self.speaker.party.display_name,
                "party": self.party.display_name,
            }
        self._follow_quote_with_selector()
        if errors:
            raise ValidationError(errors)

    def _language_errors(self) -> dict[str, str]:
        """The quote's language tag, its translation and its credit, checked together."""
        errors = {}
        try:
            self.quote_language = languages.normalise_tag(self.quote_language)
        except ValidationError as error:
            # Reported, and not looked at again below: a tag that names no language says nothing.
            errors["quote_language"] = error.messages[0]
            return errors
        quote, translation = (self.quote or "").strip(), (self.translation or "").strip()
        if self.quote_language and "quote_language" not in errors:
            if not quote:
                errors["quote_language"] = gettext(
                    "There is no quote to give a language to (paraphrases are in the site’s)."
                )
            elif mismatch := languages.script_mismatch(quote, self.quote_language):
                errors["quote_language"] = mismatch
        if self.quote_reconstructed and not quote:
            errors["quote_reconstructed"] = gettext("There is no wording to mark as reconstructed.")
        if not translation:
            if self.translation_origin or (self.translator or "").strip():
                errors["translation"] = gettext("Give the translation, or clear who made it.")
            return errors
        self.translation_language = self.translation_language or languages.site_language()
        if not quote:
            errors["translation"] = gettext("A translation needs the original: give the quote as it was said.")
        elif not self.quote_language:
            errors.setdefault("quote_language", gettext("Say which language the quote was said in."))
        elif languages.same_language(self.quote_language, self.translation_language):
            errors["translation"] = gettext(
                "The quote is already in %(language)s: a translation is for quotes said in another language."
            ) % {"language": languages.language_name(self.quote_language)}
        elif mismatch := languages.script_mismatch(translation, self.translation_language):
            errors["translation"] = mismatch
        # An editor's translation without a name is credited to whoever saves it (services).
        if not self.translation_origin:
            errors["translation_origin"] = gettext("Say who translated it: an editor, or a machine.")
        return errors

    def _standing_errors(self) -> dict[str, str]:
        """A standing and what it needs, checked together; what another standing needs is cleared.

        Nothing is lost by the clearing: the history keeps every earlier version.
        """
        errors: dict[str, str] = {}
        standing = self.standing or ClaimStanding.CURRENT
        if standing != ClaimStanding.WITHDRAWN:
            self.withdrawn_on, self.withdrawn_url = None, ""
        if standing != ClaimStanding.SUPERSEDED:
            self.superseded_by = None
        if standing != ClaimStanding.CORRECTED:
            self.misreported_quote = ""
        if standing == ClaimStanding.CURRENT:
            self.standing_note = ""
        if standing == ClaimStanding.WITHDRAWN:
            if self.withdrawn_on is None:
                errors["withdrawn_on"] = gettext("Say when the speaker withdrew it.")
            elif self.said_on is not None and self.withdrawn_on < _period_start(self.said_on, self.said_on_precision):
                errors["withdrawn_on"] = gettext(
                    "It was said on %(date)s: it cannot have been withdrawn before that."
                ) % {"date": self.said_on_display}
            if not (self.withdrawn_url or "").strip():
                errors["withdrawn_url"] = gettext(
                    "Paste the address of the statement or article in which it was withdrawn."
                )
        elif standing == ClaimStanding.SUPERSEDED:
            if message := self._supersession_error():
                errors["superseded_by"] = message
        elif standing == ClaimStanding.CORRECTED:
            old, new = (self.misreported_quote or "").strip(), (self.quote or "").strip()
            if not new:
                errors["quote"] = gettext("Give the corrected quote.")
            if not old:
                errors["misreported_quote"] = gettext(
                    "Give the wording that was first reported, so readers can compare."
                )
            elif old == new:
                errors["misreported_quote"] = gettext(
                    "This is the quote as it stands: give the wording that was misreported."
                )
        return errors

    def _supersession_error(self) -> str:
        later = self.superseded_by
        if later is None:
            return gettext("Choose the later claim that replaces this one.")
        if self.pk is not None and later.pk == self.pk:
            return gettext("A claim cannot supersede itself: choose the party’s later claim.")
        if later.dispute_id != self.dispute_id:
            return gettext("Choose a claim on this dispute.")
        if later.party_id != self.party_id:
            return gettext("That is %(party)s’s claim: a claim is superseded only by its own party’s later claim.") % {
                "party": later.party.display_name
            }
        if later.said_on and self.said_on and later.said_on < self.said_on:
            return gettext("That claim was made on %(date)s, before this one: choose a later claim.") % {
                "date": later.said_on_display
            }
        # Follow the chain of supersessions from the later claim: coming back here is a cycle.
        seen, step = {later.pk}, later
        while step.superseded_by_id is not None:
            if self.pk is not None and step.superseded_by_id == self.pk:
                return gettext(
                    "That claim is itself superseded by this one (directly or through others): that is a cycle."
                )
            if step.superseded_by_id in seen:
                break
            seen.add(step.superseded_by_id)
            step = Claim.objects.only("pk", "superseded_by").get(pk=step.superseded_by_id)
        return ""

    def _follow_quote_with_selector(self) -> None:
        """A corrected quote makes the old position in the source stale: the selector restarts from the quote."""
        quote = (self.quote or "").strip()
        if self.quote_exact and quote and self.quote_exact not in quote and quote not in self.quote_exact:
            self.quote_exact, self.quote_prefix, self.quote_suffix = quote, "", ""

    def save(self, *args, **kwargs) -> None:
        self.quote = (self.quote or "").strip()
        self.paraphrase = (self.paraphrase or "").strip()
        self._follow_quote_with_selector()
        super().save(*args, **kwargs)
        self.dispute.refresh_status()

    def delete(self, *args, **kwargs):
        dispute = self.dispute
        result = super().delete(*args, **kwargs)
        dispute.refresh_status()
        return result
