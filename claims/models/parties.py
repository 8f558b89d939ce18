from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims import languages, roles
from claims.fast_urls import object_url
from claims.text import NormalisedCharField, NormalisedTextField

ALIASES_HELP = (
    "Other names, one a line: transliterations and translations (Шойгу, Shoigu, Choïgou). "
    "Start a line with its language to say which it is (“ru: Шойгу”); a name tagged with the "
    "site’s language is the one shown on the site."
)


class NamedInLanguages(models.Model):
    """A name and its other names (aliases, transliterations), any of which finds it."""

    aliases = NormalisedTextField("other names", max_length=2000, blank=True, help_text=ALIASES_HELP)

    class Meta:
        abstract = True

    @property
    def other_names(self) -> list[tuple[str, str]]:
        """``(tag, name)`` for each other name (tag empty when not given)."""
        return languages.parse_names_safe(self.aliases)

    @property
    def display_name(self) -> str:
        """The name shown: its other name in the reader's interface language, if it has one, else its name.

        A Russian-interface reader sees "Шойгу" where ``ru: Шойгу`` is one of its other names;
        feeds and e-mail, written in the site's language, its name in that language.
        """
        return languages.name_for_language(self.name, self.aliases, languages.interface_language())

    @property
    def names_besides_shown(self) -> list[tuple[str, str]]:
        """``(tag, name)`` of every name but the one shown (``display_name``): its name comes back
        when an other name is shown in its place ("Сергей Лавров (Sergey Lavrov)")."""
        shown = self.display_name
        names = [("", self.name), *self.other_names]
        return [(tag, name) for tag, name in names if name != shown]

    @property
    def all_names(self) -> list[str]:
        """Its name and every other name, the name first, each once."""
        names = [self.name]
        for _tag, other in self.other_names:
            if other.casefold() not in {n.casefold() for n in names}:
                names.append(other)
        return names

    def answers_to(self, name: str) -> bool:
        wanted = " ".join(name.split()).casefold()
        return any(" ".join(n.split()).casefold() == wanted for n in self.all_names)

    def clean_aliases(self) -> None:
        try:
            names = languages.parse_names(self.aliases)
        except ValidationError as error:
            raise ValidationError({"aliases": error.messages}) from None
        for _tag, other in names:
            if len(other) > 200:
                raise ValidationError({"aliases": f"“{other[:40]}…” is longer than a name may be (200 characters)."})


def _named(qs: models.QuerySet, name: str) -> list:
    """Rows of ``qs`` whose name or one of whose other names is ``name`` (case and spacing aside)."""
    name = " ".join(name.split())
    if not name:
        return []
    candidates = qs.filter(models.Q(name__iexact=name) | models.Q(aliases__icontains=name))
    return [row for row in candidates if row.answers_to(name)]


class PartyQuerySet(models.QuerySet):
    def named(self, name: str) -> list:
        """Parties known by ``name``, as their name or one of their other names."""
        return _named(self, name)

    def visible_to(self, user) -> "PartyQuerySet":
        """Editors see every party; others only parties on the record of a published dispute.

        A party (and its speakers) added for a story still in draft stays unseen until it is published.
        """
        if roles.can_see_drafts(user):
            return self
        # EXISTS, not JOINs + DISTINCT: joining both claims and released evidence multiplied
        # each party's rows by claims × evidence (1.9 s for the home page's party list at
        # 2,000 disputes, against 1 ms); EXISTS stops at the first published row.
        from claims.models import Claim, Evidence

        return self.filter(
            models.Exists(Claim.objects.filter(party=models.OuterRef("pk"), dispute__is_published=True))
            | models.Exists(Evidence.objects.filter(released_by=models.OuterRef("pk"), dispute__is_published=True))
        )


class SpeakerQuerySet(models.QuerySet):
    def named(self, name: str) -> list:
        """Speakers known by ``name``, as their name or one of their other names."""
        return _named(self, name)

    def visible_to(self, user) -> "SpeakerQuerySet":
        """Editors see every speaker; others only those quoted in a published dispute.

        A speaker added through a draft's claim form, even for a party that is public, stays
        unseen until that dispute is published.
        """
        if roles.can_see_drafts(user):
            return self
        from claims.models import Claim

        return self.filter(
            models.Exists(Claim.objects.filter(speaker=models.OuterRef("pk"), dispute__is_published=True))
        )


class Party(NamedInLanguages):
    """Who makes assertions: a government, ministry, agency, company or person."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        MINISTRY = "ministry", _("Ministry")
        MILITARY = "military", _("Armed forces")
        AGENCY = "agency", _("Agency")
        COMPANY = "company", _("Company")
        MEDIA = "media", _("News organisation")
        ORGANISATION = "organisation", _("Organisation")
        PERSON = "person", _("Person")
        OTHER = "other", _("Other")

    name = NormalisedCharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.GOVERNMENT)
    country = NormalisedCharField(max_length=100, blank=True)
    description = NormalisedTextField(max_length=10_000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = PartyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="party_name_not_empty"),
            models.CheckConstraint(condition=~models.Q(slug=""), name="party_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("claims:party-detail", self.slug)

    def clean(self) -> None:
        self.clean_aliases()


class Speaker(NamedInLanguages):
    """A person who speaks for a party (Gen. Mark Milley for the US military)."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="speakers")
    name = NormalisedCharField(max_length=200)
    role = NormalisedCharField(max_length=200, blank=True, help_text=_("Title at the time, e.g. Defense Secretary"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # The same person is recorded once per party.
            models.UniqueConstraint(fields=["party", "name"], name="speaker_unique_per_party"),
            models.CheckConstraint(condition=~models.Q(name=""), name="speaker_name_not_empty"),
        ]

    def __str__(self) -> str:
        role = f", {self.role}" if self.role else ""
        return f"{self.name}{role} ({self.party})"

    def clean(self) -> None:
        self.clean_aliases()
