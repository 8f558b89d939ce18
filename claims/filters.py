"""The home page's filter form: what a reader can narrow the dispute list by."""

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from claims.models import Dispute, Party
from claims.public_parties import public_party_ids
from claims.text import NormalisedFormField

# A "-" that negates nothing (before a space, another "-", a bracket or the end). In a run of
# them PostgreSQL's websearch_to_tsquery stacks one NOT per dash and fails past about 32
# ("tsquery stack too small"), so they are dropped; "-word" (leave out a word) still works.
_DANGLING_DASH = re.compile(r"-(?!\w)")


def search_text(raw: str) -> str:
    """What a search box entry asks for, in a form every search backend can take.

    The one place search input is made safe, whatever the search is implemented with.
    """
    return " ".join(_DANGLING_DASH.sub(" ", raw or "").split())


def search_help() -> str:
    """What the search looks in, and on SQLite (no stemming) that only exact words are found."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return gettext(
            "Propositions, quotes (original and translation), paraphrases, speakers and source titles, "
            "in any language; other forms of a word and accents are matched too."
        )
    return gettext(
        "Propositions, quotes (original and translation), paraphrases, speakers and source titles. "
        "Exact words only: this database does not match other forms of a word."
    )


class DisputeFilterForm(forms.Form):
    """Bound to the query string, so every filtered list has a shareable URL."""

    q = NormalisedFormField(
        label=_("Search"),
        multiline=False,
        required=False,
        max_length=200,
        help_text=_("Propositions, quotes, paraphrases, speakers and source titles."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Dispute.Status.choices]
    )
    party = forms.ModelChoiceField(
        label=_("Party"),
        required=False,
        queryset=Party.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Any party"),
    )
    occurred_from = forms.DateField(
        label=_("Event from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_to = forms.DateField(label=_("Event to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    problems = forms.BooleanField(label=_("Only with source problems"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = search_help()
        # Parties known only from drafts stay out of the list for readers and visitors.
        # Readers and visitors all see the same list: worked out once and cached (claims/public_parties.py).
        # Whether this user is limited stays Party.objects.visible_to's decision.
        if Party.objects.visible_to(user).query.has_filters():
            self.fields["party"].queryset = Party.objects.filter(pk__in=public_party_ids()).order_by("name")
        else:
            self.fields["party"].queryset = Party.objects.order_by("name")

    def clean_q(self) -> str:
        return search_text(self.cleaned_data.get("q", ""))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("occurred_from"), cleaned.get("occurred_to")
        if start and end and start > end:
            self.add_error("occurred_to", _("The end date is before the start date."))
        return cleaned
