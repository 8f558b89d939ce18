"""What a link to a page shows where it is shared: Open Graph and Twitter-card meta (docs/sharing.md).

Each page's preview says what is on it in one plain sentence or two; a dispute's states
both sides (who affirms, who denies, how many claims each) and where it stands. Built from
data the page has already loaded: no query of its own.
"""

from dataclasses import dataclass

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.text import Truncator

from claims import share_images
from claims.languages import in_site_language
from claims.models import Dispute
from claims.models.claims import STANDING_COUNTS

DESCRIPTION_CHARS = 300
PARTIES_NAMED = 3


@dataclass(frozen=True)
class LinkPreview:
    title: str
    description: str
    url: str
    image: str
    image_alt: str
    kind: str = "website"
    image_width: int = share_images.WIDTH
    image_height: int = share_images.HEIGHT

    @property
    def locale(self) -> str:
        """Open Graph's locale (``en_GB``) from the site's language (``en-gb``)."""
        language, _, region = settings.LANGUAGE_CODE.partition("-")
        return f"{language}_{region.upper()}" if region else language


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _names(names: list[str]) -> str:
    shown = names[:PARTIES_NAMED]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def describe_sides(sides: list[tuple[str, list[str], int]]) -> str:
    """ "Affirms: A, B (3 claims). Denies: C (2 claims)." from (label, party names, count) per stance."""
    parts = []
    for label, names, count in sides:
        if count:
            unique = list(dict.fromkeys(names))
            parts.append(f"{label}: {_names(unique)} ({count} claim{'' if count == 1 else 's'}).")
    return " ".join(parts) or "No claims on the record yet."


@in_site_language
def dispute_preview(dispute: Dispute, sides: list[tuple[str, list[str], int]]) -> LinkPreview:
    verdict = f"Verdict: {dispute.get_verdict_display()}." if dispute.verdict else "No verdict yet."
    description = f"{describe_sides(sides)} Status: {dispute.get_status_display()}. {verdict}"
    return LinkPreview(
        title=Truncator(dispute.proposition).chars(200),
        description=Truncator(description).chars(DESCRIPTION_CHARS),
        url=_absolute(dispute.get_absolute_url()),
        image=_absolute(reverse("claims:dispute-share-image", args=[dispute.slug])),
        image_alt=Truncator(f"{dispute.proposition} — {description}").chars(420),
        kind="article",
    )


@in_site_language
def dispute_sides_from_columns(columns) -> list[tuple[str, list[str], int]]:
    """The sides of a dispute page's stance columns (``selectors.StanceColumn``), claims already loaded.

    A big dispute's cut-down column holds only the claims it shows (``claims`` is None): the
    names are theirs, and the claims it leaves out are counted as standing.
    """
    sides = []
    for column in columns:
        loaded = column.claims if column.claims is not None else column.shown
        standing = [claim for claim in loaded if claim.standing in STANDING_COUNTS]
        hidden = column.hidden if column.claims is None else 0
        sides.append((column.label, [claim.party.name for claim in standing], len(standing) + hidden))
    return sides


def _site_image() -> str:
    path = static("img/share-card.png")
    return path if path.startswith(("http://", "https://")) else _absolute(path)


@in_site_language
def party_preview(party, data) -> LinkPreview:
    description = (
        f"What {party.name} has said on the disputes {settings.SITE_NAME} tracks: "
        f"{data.claim_count} claim{'' if data.claim_count == 1 else 's'} in "
        f"{data.dispute_count} dispute{'' if data.dispute_count == 1 else 's'}, each with its source, "
        "beside what the other side says."
    )
    return LinkPreview(
        title=f"{party.name} · {settings.SITE_NAME}",
        description=Truncator(description).chars(DESCRIPTION_CHARS),
        url=_absolute(party.get_absolute_url()),
        image=_site_image(),
        image_alt=f"{settings.SITE_NAME}: both sides of disputed claims, on the record",
        kind="profile",
    )


@in_site_language
def home_preview() -> LinkPreview:
    return LinkPreview(
        title=settings.SITE_NAME,
        description=(
            "Disputed claims with both sides on the record: who said what, when and where, "
            "the evidence and later reporting, and where each dispute stands."
        ),
        url=_absolute(reverse("claims:home")),
        image=_site_image(),
        image_alt=f"{settings.SITE_NAME}: both sides of disputed claims, on the record",
    )
