"""The editors' forms. They validate; saving goes through ``claims.services``.

Forms for versioned objects carry the version they were opened at (``version``)
so a save over someone else's later change is refused, not silently applied.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F
from django.urls import reverse, reverse_lazy
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from claims import labels, languages
from claims.models import (
    ApiToken,
    ArticleLink,
    Claim,
    ClaimStanding,
    Dispute,
    Evidence,
    EvidenceLink,
    NotificationSettings,
    Party,
    Speaker,
    Stance,
    normalize_source_url,
)
from claims.text import NormalisedFormField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Typed text in any script reads in its own direction while it is typed: static/js/text-direction.js
# sets the field's dir from its first letter (not dir="auto", which stalls Chromium on a huge value).
TEXT_DIR = {"data-text-dir": ""}


class LanguageTagInput(forms.TextInput):
    """A BCP 47 tag typed freely, with the languages a newsroom meets most offered as a list."""

    template_name = "claims/widgets/language_tag.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, {"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        context["widget"]["options"] = languages.common_languages()
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}-options"
        return context


def translate_model_labels(form: forms.ModelForm) -> None:
    """Labels a ModelForm took from its model's verbose names, in the reader's language (claims/labels.py)."""
    model = form._meta.model
    for name, field in form.fields.items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.label == capfirst(getattr(model_field, "verbose_name", None)):
            field.label = labels.field_label(model, name)


class VersionedForm(forms.ModelForm):
    """Remembers the version of the object when the form was opened."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        translate_model_labels(self)
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        # An edit without the version it was opened at could overwrite someone unseen.
        if self.instance.pk is not None and cleaned.get("version") is None:
            self.add_error(
                None, _("This form did not say which version it edits; reload the page and make your change again.")
            )
        return cleaned


def clean_url_field(value: str, *, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError(_("Paste the address of the article or statement."), code="required")
        return ""
    return normalize_source_url(value)


class SourceUrlInput(forms.URLInput):
    """A source URL field that shows, under itself, what the pasted page says it is (its title,
    publisher, author and date: ``claims:source-preview``, claims/checking/preview.py)."""

    template_name = "claims/widgets/source_url.html"

    def __init__(self, attrs=None):
        preview = reverse_lazy("claims:source-preview")
        defaults = {
            "inputmode": "url",
            "placeholder": "https://",
            "hx-post": preview,
            "hx-trigger": "input changed delay:700ms, paste delay:50ms",
            "hx-target": "next .source-preview",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
        super().__init__({**defaults, **(attrs or {})})


class SourceUrlMixin:
    """A pasted URL instead of a Source select; the same URL twice is one Source."""

    source_url_required = False

    def clean_source_url(self) -> str:
        return clean_url_field(self.cleaned_data.get("source_url", ""), required=self.source_url_required)


class DisputeForm(VersionedForm):
    class Meta:
        model = Dispute
        fields = ["proposition", "summary", "occurred_on"]
        widgets = {
            "proposition": forms.Textarea(attrs={"rows": 2}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "occurred_on": DATE_WIDGET,
        }


class VerdictForm(VersionedForm):
    class Meta:
        model = Dispute
        fields = ["verdict", "verdict_reasoning"]
        labels = {"verdict_reasoning": _("Reasoning")}
        widgets = {"verdict_reasoning": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"verdict": _("Leave empty to clear the verdict; the status then follows the claims again.")}

    # The verdict rule (senior editors only; a verdict needs its reasoning) is the service's:
    # services._apply_verdict, whose errors the view puts beside the fields.


class PartyChoiceField(forms.ModelChoiceField):
    """A party named as shown on the site, with its other names, so any of them can be found in the list."""

    def label_from_instance(self, obj: Party) -> str:
        others = [n for n in obj.all_names if n != obj.display_name]
        return f"{obj.display_name} — {' / '.join(others)}" if others else obj.display_name


class SpeakerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Speaker) -> str:
        others = [n for n in obj.all_names if n != obj.display_name]
        also = f" ({' / '.join(others)})" if others else ""
        role = f", {obj.role}" if obj.role else ""
        return f"{obj.display_name}{also}{role} ({obj.party.display_name})"


class NamesInput(forms.TextInput):
    """A name typed freely, with every known name and other name offered (value: the name; label: who)."""

    template_name = "claims/widgets/language_tag.html"

    def __init__(self, *args, names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.names = names

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, {"autocomplete": "off", **(attrs or {})})
        context["widget"]["options"] = self.names
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}-options"
        return context


def known_names(rows) -> list[tuple[str, str]]:
    """Each name and other name of ``rows`` (parties or speakers) as (the name typed, whose it is)."""
    options = []
    for row in rows:
        whose = str(row) if isinstance(row, Speaker) else row.display_name
        for name in row.all_names:
            options.append((name, whose))
    return options


class LaterClaimField(forms.ModelChoiceField):
    """The dispute's claims, each named by party, date and its first words."""

    def label_from_instance(self, obj: Claim) -> str:
        words = " ".join((obj.quote or obj.paraphrase).split())
        words = words if len(words) <= 60 else words[:59] + "…"
        when = obj.said_on_display or gettext("date not known")
        return f"{obj.party.display_name}, {when} ({obj.get_stance_display().lower()}): {words}"


# The standing fields, shown on the edit form (a new claim is current); site.css shows each
# only when its standing is chosen (or when it holds an error).
STANDING_FIELDS = ["standing", "withdrawn_on", "withdrawn_url", "superseded_by", "misreported_quote", "standing_note"]


class ClaimForm(SourceUrlMixin, VersionedForm):
    source_url = forms.CharField(
        label=_("Source URL"),
        required=False,
        max_length=2000,
        help_text=_("Where the claim appeared. A URL already on record is reused."),
        widget=SourceUrlInput(),
    )
    # As long as Party.name / Speaker.name can hold: a longer name would fail the write.
    new_party = NormalisedFormField(
        label=_("Or a new party"),
        required=False,
        multiline=False,
        max_length=Party._meta.get_field("name").max_length,
        help_text=_("A government, ministry, agency, person…"),
    )
    new_speaker = NormalisedFormField(
        label=_("Or a new speaker"),
        required=False,
        multiline=False,
        max_length=Speaker._meta.get_field("name").max_length,
        help_text=_("Added to the chosen party."),
    )

    field_order = [
        "party",
        "new_party",
        "speaker",
        "new_speaker",
        "stance",
        "quote",
        "quote_language",
        "quote_reconstructed",
        "translation",
        "translation_origin",
        "translator",
        "paraphrase",
        "said_on",
        "said_on_precision",
        "source_url",
        *STANDING_FIELDS,
        "version",
    ]

    class Meta:
        model = Claim
        field_classes = {"superseded_by": LaterClaimField, "party": PartyChoiceField, "speaker": SpeakerChoiceField}
        fields = [
            "party",
            "speaker",
            "stance",
            "quote",
            "quote_language",
            "quote_reconstructed",
            "translation",
            "translation_origin",
            "translator",
            "paraphrase",
            "said_on",
            "said_on_precision",
            *STANDING_FIELDS,
        ]
        labels = {
            "standing": _("Standing"),
            "withdrawn_on": _("Withdrawn on"),
            "withdrawn_url": _("Where it was withdrawn (URL)"),
            "superseded_by": _("Superseded by"),
            "misreported_quote": _("Wording first reported (misreported)"),
            "standing_note": _("Reason"),
            "quote": _("Original quote"),
            "quote_language": _("Language of the quote"),
            "quote_reconstructed": _("Reconstructed wording, not verbatim"),
            "translation": _("Translation"),
            "translation_origin": _("Translated by"),
            "translator": _("Translator"),
            "said_on": _("Said on"),
            "said_on_precision": _("Date precision"),
        }
        help_texts = {
            "quote_reconstructed": _(
                "Tick when the wording was rebuilt from a report in another language "
                "(a back-translation): it is shown as a paraphrase and not looked for in the source."
            ),
            "translator": _("The editor’s name (your own if left empty), or the machine translation used."),
        }
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 3, **TEXT_DIR}),
            "quote_language": LanguageTagInput(attrs={"size": 12}),
            "translation": forms.Textarea(attrs={"rows": 3, **TEXT_DIR}),
            "translation_origin": forms.RadioSelect,
            "translator": forms.TextInput(attrs=TEXT_DIR),
            "paraphrase": forms.Textarea(attrs={"rows": 2, **TEXT_DIR}),
            "said_on": DATE_WIDGET,
            "standing": forms.RadioSelect,
            "withdrawn_on": DATE_WIDGET,
            "withdrawn_url": forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
            "misreported_quote": forms.Textarea(attrs={"rows": 2, **TEXT_DIR}),
            "standing_note": forms.Textarea(attrs={"rows": 2, **TEXT_DIR}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new claim is current; its standing is changed by editing it later.
            for name in STANDING_FIELDS:
                del self.fields[name]
        else:
            self.fields["superseded_by"].queryset = (
                Claim.objects.filter(dispute_id=self.instance.dispute_id)
                .select_related("party")
                .order_by(F("said_on").asc(nulls_last=True), "pk")
            )
            # A post without it (an older form, a script) leaves the standing as it is.
            self.fields["standing"].required = False
            self.fields["superseded_by"].empty_label = _("— choose the party’s later claim —")
            self.fields["superseded_by"].help_text = _("The same party’s later claim on this dispute that replaces it.")
        parties = list(Party.objects.order_by("name"))
        speakers = list(Speaker.objects.select_related("party").order_by("party__name", "name"))
        self.fields["party"].queryset = Party.objects.order_by("name")
        self.fields["party"].required = False
        self.fields["speaker"].queryset = Speaker.objects.select_related("party").order_by("party__name", "name")
        # Typing any name a party or speaker is known by (Шойгу, Choïgou) offers it, and saving
        # it finds the one known by it instead of making a second (services.party_for_name).
        self.fields["new_party"].widget = NamesInput(attrs=TEXT_DIR, names=known_names(parties))
        self.fields["new_speaker"].widget = NamesInput(attrs=TEXT_DIR, names=known_names(speakers))
        if self.instance.pk is not None and self.instance.source_id:
            self.fields["source_url"].initial = self.instance.source.url
        # As the quote is typed or pasted, htmx asks for its language (claims:claim-language),
        # which fills the language field while the editor has not chosen one.
        self.fields["quote"].widget.attrs.update(
            {
                "hx-post": reverse("claims:claim-language"),
                "hx-trigger": "input changed delay:700ms",
                "hx-target": "next .field-quote_language",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
                # Not the form's own "find button[type='submit']" (nothing inside a textarea): the
                # field about to be replaced is the one to hold still.
                "hx-disabled-elt": "next input[name='quote_language']",
            }
        )
        self.fields["translation_origin"].choices = [c for c in self.fields["translation_origin"].choices if c[0]]
        self.fields["translation"].help_text = _("The quote in %(language)s, when it was said in another language.") % {
            "language": languages.language_name(languages.site_language().split("-")[0])
        }

    def clean_quote_language(self) -> str:
        return languages.normalise_tag(self.cleaned_data.get("quote_language", ""))

    def clean(self):
        data = super().clean()
        if data.get("new_speaker") and data.get("speaker"):
            self.add_error("new_speaker", _("Choose a speaker or name a new one, not both."))
        if data.get("new_party") and data.get("party"):
            self.add_error("new_party", _("Choose a party or name a new one, not both."))
        elif not data.get("new_party") and not data.get("party") and "party" not in self.errors:
            self.add_error("party", _("Choose the party that made the claim, or name a new one."))
        if data.get("new_party") and data.get("speaker"):
            self.add_error("speaker", _("A new party has no speakers yet: name the speaker below instead."))
        self._keep_misreported_wording(data)
        return data

    def _keep_misreported_wording(self, data: dict) -> None:
        """Corrected by typing the right wording over the wrong one: the wrong one is kept beside it."""
        old = (self.initial.get("quote") or "").strip()
        if (
            data.get("standing") == ClaimStanding.CORRECTED
            and self.instance.standing != ClaimStanding.CORRECTED
            and not (data.get("misreported_quote") or "").strip()
            and old
            and old != (data.get("quote") or "").strip()
        ):
            data["misreported_quote"] = old

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if not data.get("standing"):
            for name in STANDING_FIELDS:
                data.pop(name, None)
        return data


class EvidenceForm(SourceUrlMixin, VersionedForm):
    """Evidence, plus (optionally) one thing it bears on; more links are added later."""

    source_url = forms.CharField(
        label=_("Where it can be seen (URL)"),
        required=False,
        max_length=2000,
        widget=SourceUrlInput(),
    )
    bears_on = forms.ChoiceField(label=_("Bears on"), required=False, help_text=_("A whole side, or one claim."))
    effect = forms.ChoiceField(label=_("How"), choices=EvidenceLink.Effect.choices, required=False)
    strength = forms.ChoiceField(
        label=_("Strength"),
        choices=EvidenceLink.Strength.choices,
        initial=EvidenceLink.Strength.MODERATE,
        required=False,
    )

    class Meta:
        model = Evidence
        fields = ["kind", "title", "description", "released_by", "released_on", "released_on_precision"]
        labels = {"released_on_precision": _("Date precision")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "released_on": DATE_WIDGET}

    def __init__(self, *args, dispute: Dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.dispute = dispute
        self.fields["released_by"].queryset = Party.objects.order_by("name")
        self.fields["bears_on"].choices = bears_on_choices(dispute)
        if self.instance.pk is not None and self.instance.source_id:
            self.fields["source_url"].initial = self.instance.source.url

    def clean(self):
        data = super().clean()
        if data.get("bears_on") and not data.get("effect"):
            self.add_error("effect", _("Say whether it supports or contradicts it."))
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        target, effect, strength = data.pop("bears_on", ""), data.pop("effect", ""), data.pop("strength", "")
        data["links"] = [link_target(self.dispute, target) | {"effect": effect, "strength": strength}] if target else []
        return data


# A whole side, as the evidence form's "Bears on" list names it.
_SIDE_LABELS = {
    Stance.AFFIRMS: gettext_noop("The side that affirms"),
    Stance.DENIES: gettext_noop("The side that denies"),
    Stance.QUALIFIED: gettext_noop("The side that qualifies it"),
}


def bears_on_choices(dispute: Dispute) -> list[tuple[str, str]]:
    choices = [("", gettext("— nothing yet —"))]
    choices += [(f"stance:{value}", gettext(_SIDE_LABELS[value])) for value in Stance.values]
    for claim in dispute.claims.select_related("party", "speaker"):
        choices.append((f"claim:{claim.pk}", gettext("Claim: %(claim)s") % {"claim": claim}))
    return choices


def link_target(dispute: Dispute, value: str) -> dict:
    kind, _sep, key = value.partition(":")
    if kind == "claim":
        return {"claim": dispute.claims.get(pk=int(key))}
    return {"stance": key}


class EvidenceLinkForm(forms.Form):
    bears_on = forms.ChoiceField(label=_("Bears on"))
    effect = forms.ChoiceField(label=_("How"), choices=EvidenceLink.Effect.choices)
    strength = forms.ChoiceField(
        label=_("Strength"), choices=EvidenceLink.Strength.choices, initial=EvidenceLink.Strength.MODERATE
    )
    note = NormalisedFormField(
        label=_("Note"),
        required=False,
        max_length=EvidenceLink._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, dispute: Dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.dispute = dispute
        self.fields["bears_on"].choices = bears_on_choices(dispute)[1:]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        return link_target(self.dispute, data.pop("bears_on")) | data


class ArticleLinkForm(VersionedForm):
    url = forms.CharField(
        label=_("Article URL"),
        max_length=2000,
        help_text=_("A later article, statement or post. A URL already on record is reused."),
        widget=SourceUrlInput(),
    )

    field_order = ["url", "relation", "linked_on", "note"]

    class Meta:
        model = ArticleLink
        fields = ["relation", "linked_on", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2}), "linked_on": DATE_WIDGET}

    def __init__(self, *args, dispute: Dispute | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dispute = dispute
        if self.instance.pk is not None:
            self.fields["url"].initial = self.instance.source.url
            self.fields["url"].disabled = True
            self.fields["url"].help_text = _("To link another article, add a new link.")

    def clean_url(self) -> str:
        if self.instance.pk is not None:
            return self.instance.source.url
        # An article already linked to the dispute is refused by services.article_create (the
        # one place of that rule), whose error the view puts beside this field.
        return clean_url_field(self.cleaned_data.get("url", ""), required=True)

    def validate_unique(self) -> None:
        # The service decides (the unique index, for two editors at the same moment).
        pass


class ApiTokenForm(forms.Form):
    """Names a new API token; the name is what the token list shows."""

    name = NormalisedFormField(
        label=_("What is it for?"),
        multiline=False,
        max_length=ApiToken._meta.get_field("name").max_length,
        error_messages={"required": _("Say what the token is for.")},
    )


class NotificationSettingsForm(forms.ModelForm):
    """The account page's email choices; saved by ``claims.following.notification_settings_update``."""

    class Meta:
        model = NotificationSettings
        fields = ["email_mode", "watch_what_i_create"]
        labels = {
            "email_mode": _("Email me about what I watch"),
            "watch_what_i_create": _("Watch the disputes I create or add to"),
        }
        widgets = {"email_mode": forms.RadioSelect}


class ClipForm(ClaimForm):
    """A claim clipped from a web page (claims:clip): the claim form, plus which dispute it is on
    (one found with the search-as-you-type picker, or a new one) and where the quote sits."""

    dispute = forms.ModelChoiceField(
        label=_("Dispute"),
        queryset=Dispute.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Search for it, or state a new one below."),
    )
    new_proposition = NormalisedFormField(
        label=_("Or a new dispute"),
        required=False,
        multiline=True,
        max_length=Dispute._meta.get_field("proposition").max_length,
        help_text=_("A proposition the claim affirms or denies; it starts as a draft."),
        widget=forms.Textarea(attrs={"rows": 2, **TEXT_DIR}),
    )
    quote_prefix = forms.CharField(label=_("Text just before the quote"), required=False, max_length=200)
    quote_suffix = forms.CharField(label=_("Text just after the quote"), required=False, max_length=200)

    field_order = ["dispute", "new_proposition", *ClaimForm.field_order, "quote_prefix", "quote_suffix"]

    def __init__(self, *args, disputes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dispute"].queryset = disputes if disputes is not None else Dispute.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("dispute") and data.get("new_proposition"):
            self.add_error("new_proposition", _("Choose a dispute or state a new one, not both."))
        elif not data.get("dispute") and not data.get("new_proposition") and "dispute" not in self.errors:
            self.add_error("dispute", _("Choose the dispute this claim is on, or state a new one."))
        return data

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        if data.get("quote") and (data.get("quote_prefix") or data.get("quote_suffix")):
            data["quote_exact"] = data["quote"]
        return data


class AppearanceForm(SourceUrlMixin, forms.Form):
    """One more source a claim appeared in (services.appearance_create), with where the quote sits there."""

    source_url_required = True

    # Required by the mixin's clean_source_url, whose message says what to paste.
    source_url = forms.CharField(
        label=_("Where else it appeared"),
        required=False,
        max_length=2000,
        help_text=_("The address of the article, post or transcript that quotes it too."),
        widget=SourceUrlInput(),
    )
    quote_exact = NormalisedFormField(
        label=_("The quote as it reads there"),
        required=False,
        multiline=True,
        max_length=10_000,
        help_text=_("Only if that source words it differently; otherwise the claim’s quote is looked for."),
        widget=forms.Textarea(attrs={"rows": 2, **TEXT_DIR}),
    )
    quote_prefix = forms.CharField(label=_("Text just before the quote"), required=False, max_length=200)
    quote_suffix = forms.CharField(label=_("Text just after the quote"), required=False, max_length=200)
    appeared_on = forms.DateField(label=_("Appeared on"), required=False, widget=DATE_WIDGET)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["url"] = data.pop("source_url")
        return data
