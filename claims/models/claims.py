import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from claims import languages, roles
from claims.fast_urls import object_url
from claims.models.base import choice_display
from claims.text import NormalisedCharField, NormalisedTextField

from .base import Versioned
from .disputes import Dispute, Stance
from .parties import Party, Speaker
from .sources import Source


class DatePrecision(models.TextChoices):
    """How much of a date is known: a statement reported only as “in March” is month precision."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def format_partial_date(value: datetime.date | None, precision: str) -> str:
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return value.strftime("%Y")
    if precision == DatePrecision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


class TranslationOrigin(models.TextChoices):
    """Who translated a quote: readers weigh an editor's translation and a machine's differently."""

    EDITOR = "editor", "An editor"
    MACHINE = "machine", "Machine translation"


class ClaimQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ClaimQuerySet":
        """Claims on disputes ``user`` may read."""
        return self if roles.can_see_drafts(user) else self.filter(dispute__is_published=True)


class Claim(Versioned):
    """One party's assertion on a dispute, kept verbatim with where it came from."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="claims")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="claims")
    speaker = models.ForeignKey(Speaker, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    stance = models.CharField(max_length=20, choices=Stance)
    get_stance_display = choice_display("stance", Stance)
    # The original wording, verbatim in the language it was said in: what the checker looks
    # for in the source. The translation is for readers only (docs/languages.md).
    quote = NormalisedTextField(
        "original quote", max_length=10_000, blank=True, help_text="Verbatim, in the language it was said in."
    )
    quote_language = models.CharField(
        "language of the quote",
        max_length=35,
        blank=True,
        help_text="A BCP 47 tag (en, ru, ar, zh-Hant…). Empty when not known.",
    )
    translation = NormalisedTextField(
        max_length=10_000, blank=True, help_text="The quote in the site’s language, when it was said in another."
    )
    translation_language = models.CharField(max_length=35, blank=True)
    translation_origin = models.CharField(
        "translated by", max_length=10, choices=TranslationOrigin, blank=True, help_text="An editor, or a machine."
    )
    translator = NormalisedCharField(
        max_length=200, blank=True, help_text="The editor who translated it (or the machine translation used)."
    )
    paraphrase = NormalisedTextField(
        max_length=5000, blank=True, help_text="A neutral summary, when there is no quote or it needs one."
    )
    said_on = models.DateField(null=True, blank=True)
    said_on_precision = models.CharField(max_length=10, choices=DatePrecision, default=DatePrecision.DAY)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    # Where the quote sits in the source, as a text-quote selector (exact text with context).
    quote_exact = models.TextField(blank=True)
    quote_prefix = models.CharField(max_length=200, blank=True)
    quote_suffix = models.CharField(max_length=200, blank=True)
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
            return f"Machine translation ({self.translator})" if self.translator else "Machine translation"
        return f"Translation by {self.translator}" if self.translator else "Translation by an editor"

    def clean(self) -> None:
        errors = {}
        if not (self.quote or "").strip() and not (self.paraphrase or "").strip():
            errors["quote"] = "Give the verbatim quote, a paraphrase, or both."
        errors.update(self._language_errors())
        if self.speaker_id and self.party_id and self.speaker.party_id != self.party_id:
            errors["speaker"] = f"{self.speaker.name} speaks for {self.speaker.party}, not for {self.party}."
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
                errors["quote_language"] = "There is no quote to give a language to (paraphrases are in the site’s)."
            elif mismatch := languages.script_mismatch(quote, self.quote_language):
                errors["quote_language"] = mismatch
        if not translation:
            if self.translation_origin or (self.translator or "").strip():
                errors["translation"] = "Give the translation, or clear who made it."
            return errors
        self.translation_language = self.translation_language or languages.site_language()
        if not quote:
            errors["translation"] = "A translation needs the original: give the quote as it was said."
        elif not self.quote_language:
            errors.setdefault("quote_language", "Say which language the quote was said in.")
        elif languages.same_language(self.quote_language, self.translation_language):
            errors["translation"] = (
                f"The quote is already in {languages.language_name(self.quote_language)}: "
                "a translation is for quotes said in another language."
            )
        elif mismatch := languages.script_mismatch(translation, self.translation_language):
            errors["translation"] = mismatch
        # An editor's translation without a name is credited to whoever saves it (services).
        if not self.translation_origin:
            errors["translation_origin"] = "Say who translated it: an editor, or a machine."
        return errors

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
