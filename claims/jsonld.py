"""schema.org ClaimReview markup for disputes with a verdict (what search engines read as a fact-check).

The dispute's proposition is the claim reviewed; the claim's author is whoever
first asserted it (the earliest affirming claim, else the earliest claim); the
verdict maps onto a 1–5 rating, "unproven" has no place on that scale and is
given by name only.
"""

import datetime
import json
from types import SimpleNamespace

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, F, OuterRef, Q
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from claims.languages import in_site_language
from claims.models import Appearance, Claim, Dispute, Party, Stance

RATINGS = {
    Dispute.Verdict.FALSE: 1,
    Dispute.Verdict.MOSTLY_FALSE: 2,
    Dispute.Verdict.MIXED: 3,
    Dispute.Verdict.MOSTLY_TRUE: 4,
    Dispute.Verdict.TRUE: 5,
}

# Inside <script>, "</script>" or "<!--" in a string would end or confuse the element: escape them
# as JSON unicode escapes, which JSON parsers read back unchanged (as Django's json_script does).
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _absolute(path: str, request=None) -> str:
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path


def _claim_author(claim: Claim) -> dict:
    party = {"@type": "Organization", "name": claim.party.name}
    if claim.party.kind == claim.party.Kind.PERSON:
        party["@type"] = "Person"
    if claim.speaker_id:
        person = {"@type": "Person", "name": claim.speaker.name}
        if claim.speaker.role:
            person["jobTitle"] = claim.speaker.role
        person["affiliation"] = party
        return person
    return party


def _work(source, published: datetime.date | None) -> dict:
    work = {"@type": "CreativeWork", "url": source.url}
    if source.title:
        work["headline"] = source.title
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if published:
        work["datePublished"] = published.isoformat()
    return work


def _appearances_of(claim) -> list[dict]:
    """A claim's appearances as works: its first (its source, dated when said), then the others
    (dated when they ran, if known). Page claims carry them prefetched (``seen_in``); the rows
    ``_claims_for_review`` reads carry ``further``."""
    works = [_work(claim.source, claim.said_on)] if claim.source_id else []
    further = getattr(claim, "further", None)
    if further is None:
        further = [(seen.source, seen.appearance.appeared_on) for seen in claim.seen_in if not seen.first]
    works += [_work(source, appeared_on) for source, appeared_on in further]
    return works


def _claims_for_review(dispute: Dispute) -> list:
    """What the review needs of the dispute's claims, as plain rows in one query: the affirming
    claims, or every claim when none affirms (no model instances: a big dispute has hundreds)."""
    affirming = Exists(Claim.objects.filter(dispute=OuterRef("dispute"), stance=Stance.AFFIRMS))
    rows = list(
        dispute.claims.filter(Q(stance=Stance.AFFIRMS) | ~affirming).values(
            "pk",
            "stance",
            "said_on",
            "speaker_id",
            "source_id",
            "party__name",
            "party__kind",
            "speaker__name",
            "speaker__role",
            "source__url",
            "source__title",
            "source__publisher",
        )
    )
    further: dict[int, list] = {}
    appearances = Appearance.objects.filter(claim_id__in=[row["pk"] for row in rows]).order_by(
        F("appeared_on").asc(nulls_last=True), "pk"
    )
    for row in appearances.values("claim_id", "appeared_on", "source__url", "source__title", "source__publisher"):
        source = SimpleNamespace(url=row["source__url"], title=row["source__title"], publisher=row["source__publisher"])
        further.setdefault(row["claim_id"], []).append((source, row["appeared_on"]))
    return [
        SimpleNamespace(
            pk=row["pk"],
            further=further.get(row["pk"], []),
            stance=row["stance"],
            said_on=row["said_on"],
            speaker_id=row["speaker_id"],
            source_id=row["source_id"],
            party=SimpleNamespace(name=row["party__name"], kind=row["party__kind"], Kind=Party.Kind),
            speaker=SimpleNamespace(name=row["speaker__name"], role=row["speaker__role"])
            if row["speaker_id"]
            else None,
            source=SimpleNamespace(
                url=row["source__url"], title=row["source__title"], publisher=row["source__publisher"]
            )
            if row["source_id"]
            else None,
        )
        for row in rows
    ]


def _row(row: dict, prefix: str, *names: str) -> SimpleNamespace:
    return SimpleNamespace(**{name: row[f"{prefix}__{name}"] for name in names})


@in_site_language
def claimreview(dispute: Dispute, *, request=None, claims: list[Claim] | None = None) -> dict | None:
    """The ClaimReview object for a dispute, or None if it has no verdict.

    ``claims``: the dispute's claims with party, speaker and source, when the caller
    has them already (the dispute page does), saving a query.
    """
    if not dispute.verdict:
        return None
    if claims is None:
        claims = _claims_for_review(dispute)
    claims = sorted(claims, key=lambda c: (c.said_on is None, c.said_on or datetime.date.min, c.pk))
    affirming = [c for c in claims if c.stance == Stance.AFFIRMS]
    first = (affirming or claims or [None])[0]
    item: dict = {"@type": "Claim", "name": dispute.proposition}
    if first is not None:
        item["author"] = _claim_author(first)
        if first.said_on:
            item["datePublished"] = first.said_on.isoformat()
        # The claim's appearances: where the first claim (with a source) first appeared, then
        # every source any of the claims appeared in, once each (docs/appearances.md).
        works = [work for c in (affirming or claims) for work in _appearances_of(c)]
        if works:
            item["firstAppearance"] = works[0]
            seen: dict[str, dict] = {}
            for work in works:
                seen.setdefault(work["url"], work)
            item["appearance"] = list(seen.values())
    rating: dict = {
        "@type": "Rating",
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": dispute.get_verdict_display(),
    }
    if dispute.verdict in RATINGS:
        rating["ratingValue"] = RATINGS[dispute.verdict]
    published = dispute.verdict_at or dispute.published_at or dispute.updated_at
    data = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": _absolute(dispute.get_absolute_url(), request),
        "claimReviewed": dispute.proposition,
        "itemReviewed": item,
        "reviewRating": rating,
        "author": {"@type": "Organization", "name": settings.ORGANISATION_NAME, "url": settings.SITE_URL + "/"},
        "datePublished": published.date().isoformat() if published else None,
    }
    if dispute.verdict_reasoning:
        data["reviewBody"] = dispute.verdict_reasoning
    return {k: v for k, v in data.items() if v is not None}


@in_site_language
def claimreview_payload(dispute: Dispute, *, request=None, claims: list[Claim] | None = None) -> str:
    """The ClaimReview as JSON safe inside a ``<script>`` element ("" without a verdict)."""
    data = claimreview(dispute, request=request, claims=claims)
    if data is None:
        return ""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def claimreview_script(dispute: Dispute, *, request=None, nonce: str = "", payload: str | None = None) -> SafeString:
    """The ``<script>`` element; ``payload`` from claimreview_payload when the caller has it (cached)."""
    if payload is None:
        payload = claimreview_payload(dispute, request=request)
    if not payload:
        return mark_safe("")  # noqa: S308 — a constant empty string
    return format_html('<script type="application/ld+json" nonce="{}">{}</script>', nonce, mark_safe(payload))  # noqa: S308 — escaped above
