"""The read-only JSON API (django-ninja): disputes, claims, evidence, sources and checks.

Every endpoint needs ``Authorization: Bearer <token>`` with an ``ApiToken``; a
missing or wrong token is 401. Lists are paginated (``page``, ``page_size``) and
filtered with query parameters; each list and detail costs a fixed number of
queries whatever its length. The OpenAPI description is at /api/openapi.json,
browsable at /api/docs. See docs/feeds-and-api.md.
"""

import datetime
from typing import Any, Literal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.pagination import PaginationBase, paginate
from ninja.security import HttpBearer

from claims.models import (
    ApiToken,
    Appearance,
    Claim,
    ClaimStanding,
    DatePrecision,
    Dispute,
    Evidence,
    EvidenceLink,
    QuoteCheck,
    Source,
    SourceCheck,
    Stance,
)
from claims.models.api_tokens import hash_api_token

MAX_ID = 2**63 - 1
# Slugs as the URLs make them; free text without NUL, which PostgreSQL refuses in a string.
SLUG = r"^[-a-zA-Z0-9_]+$"
TEXT = r"^[^\x00]*$"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class ApiTokenAuth(HttpBearer):
    """Bearer token → the token's user (one query)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > 200:
            return None
        found = ApiToken.objects.active().select_related("user").filter(key_hash=hash_api_token(token)).first()
        if found is None:
            return None
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="Claim tracker API",
    version="1",
    description="Read-only access to disputes, claims, evidence, sources and source checks. "
    "Authenticate with `Authorization: Bearer <token>` (ask an administrator for a token: "
    "`manage.py create_api_token`).",
    auth=ApiTokenAuth(),
    urls_namespace="api",
)


class PageNumbers(PaginationBase):
    """Pages of at most 200 items; ``count`` is the total."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, **params: Any) -> dict:
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": queryset.count(),
            "page": pagination.page,
            "page_size": pagination.page_size,
        }


# --- schemas -------------------------------------------------------------------------------------

StatusName = Literal[tuple(Dispute.Status.values)]
VerdictName = Literal[tuple([""] + Dispute.Verdict.values)]
StanceName = Literal[tuple(Stance.values)]
PrecisionName = Literal[tuple(DatePrecision.values)]
CheckStateName = Literal[tuple(Source.CheckState.values)]


class Error(Schema):
    detail: str


class PartyRef(Schema):
    slug: str
    name: str


class SpeakerRef(Schema):
    name: str
    role: str


class DisputeOut(Schema):
    slug: str
    proposition: str
    summary: str
    status: StatusName
    verdict: VerdictName
    verdict_reasoning: str
    verdict_at: datetime.datetime | None
    occurred_on: datetime.date | None
    is_published: bool
    published_at: datetime.datetime | None
    last_activity_at: datetime.datetime
    claim_count: int
    url: str

    @staticmethod
    def resolve_url(obj: Dispute, context) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class TranslationOut(Schema):
    text: str
    language: str = Field(..., description="BCP 47 tag of the translation's language (the site's).")
    origin: Literal["editor", "machine"] = Field(..., description="Made by an editor, or by machine translation.")
    translator: str = Field(..., description="The editor's name, or the machine translation used (may be empty).")


class StandingOut(Schema):
    state: Literal[tuple(ClaimStanding.values)] = Field(
        ..., description="current, withdrawn (by its speaker), superseded (by a later claim), corrected (misreported)."
    )
    counts_in_status: bool = Field(..., description="False for withdrawn and superseded claims.")
    withdrawn_on: datetime.date | None
    withdrawn_url: str = Field(..., description="Where it was withdrawn; empty unless withdrawn.")
    superseded_by: int | None = Field(..., description="The id of the same party's later claim that replaces it.")
    misreported_quote: str = Field(..., description="The wording first reported, when corrected.")
    reason: str


class AppearanceOut(Schema):
    source_id: int
    source_url: str
    quote_exact: str = Field(..., description="The quote as it reads there; empty when it reads as the claim's quote.")
    quote_prefix: str
    quote_suffix: str
    appeared_on: datetime.date | None = Field(..., description="When it ran there, if known.")

    @staticmethod
    def resolve_source_url(obj: Appearance) -> str:
        return obj.source.url


class ClaimOut(Schema):
    id: int
    dispute: str = Field(..., description="The dispute's slug.")
    party: PartyRef
    speaker: SpeakerRef | None
    stance: StanceName
    quote: str = Field(..., description="The original wording, verbatim, in the language it was said in.")
    quote_language: str = Field(..., description="BCP 47 tag of the quote's language; empty when not recorded.")
    quote_reconstructed: bool = Field(
        ..., description="True when the wording is rebuilt from a report in another language: not verbatim."
    )
    translation: TranslationOut | None = Field(
        ..., description="The quote translated into the site's language, with who made it; null when none."
    )
    paraphrase: str
    said_on: datetime.date | None
    said_on_precision: PrecisionName
    source_id: int | None
    source_url: str | None
    quote_exact: str
    quote_prefix: str
    quote_suffix: str
    appearances: list[AppearanceOut] = Field(
        ...,
        description="Further sources the claim appeared in, by date; the first appearance is source_url.",
    )
    standing: StandingOut
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_dispute(obj: Claim) -> str:
        return obj.dispute.slug

    @staticmethod
    def resolve_appearances(obj: Claim) -> list[Appearance]:
        return list(obj.appearances.all())

    @staticmethod
    def resolve_standing(obj: Claim) -> dict:
        return {
            "state": obj.standing,
            "counts_in_status": not obj.is_set_apart,
            "withdrawn_on": obj.withdrawn_on,
            "withdrawn_url": obj.withdrawn_url,
            "superseded_by": obj.superseded_by_id,
            "misreported_quote": obj.misreported_quote,
            "reason": obj.standing_note,
        }

    @staticmethod
    def resolve_translation(obj: Claim) -> dict | None:
        if not obj.translation:
            return None
        return {
            "text": obj.translation,
            "language": obj.translation_language,
            "origin": obj.translation_origin,
            "translator": obj.translator,
        }

    @staticmethod
    def resolve_source_url(obj: Claim) -> str | None:
        return obj.source.url if obj.source_id else None


class DisputeDetailOut(DisputeOut):
    claims: list[ClaimOut]

    @staticmethod
    def resolve_claims(obj: Dispute) -> list[Claim]:
        return list(obj.claims.all())


class EvidenceLinkOut(Schema):
    claim_id: int | None
    stance: Literal[tuple([""] + Stance.values)]
    effect: Literal[tuple(EvidenceLink.Effect.values)]
    strength: Literal[tuple(EvidenceLink.Strength.values)]
    note: str


class EvidenceOut(Schema):
    id: int
    dispute: str = Field(..., description="The dispute's slug.")
    kind: Literal[tuple(Evidence.Kind.values)]
    title: str
    description: str
    released_by: PartyRef | None
    released_on: datetime.date | None
    released_on_precision: PrecisionName
    source_id: int | None
    source_url: str | None
    links: list[EvidenceLinkOut]
    created_at: datetime.datetime

    @staticmethod
    def resolve_dispute(obj: Evidence) -> str:
        return obj.dispute.slug

    @staticmethod
    def resolve_source_url(obj: Evidence) -> str | None:
        return obj.source.url if obj.source_id else None

    @staticmethod
    def resolve_links(obj: Evidence) -> list[EvidenceLink]:
        return list(obj.links.all())


class SourceOut(Schema):
    id: int
    url: str
    kind: Literal[tuple(Source.Kind.values)]
    publisher: str
    title: str
    author: str
    published_on: datetime.date | None
    check_state: CheckStateName
    last_checked_at: datetime.datetime | None
    created_at: datetime.datetime


class QuoteCheckOut(Schema):
    claim_id: int
    present: bool
    score: float


class CheckOut(Schema):
    id: int
    source_id: int
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    duration_ms: int | None
    outcome: CheckStateName
    http_status: int | None
    final_url: str
    content_type: str
    changed: bool
    title: str
    published_on: datetime.date | None
    error: str
    quote_checks: list[QuoteCheckOut]

    @staticmethod
    def resolve_quote_checks(obj: SourceCheck) -> list[QuoteCheck]:
        return list(obj.quote_checks.all())


# --- what a user may read -------------------------------------------------------------------------


# Each model's ``visible_to`` decides; the token's user is ``request.auth``.


def _disputes(request: HttpRequest) -> QuerySet:
    return Dispute.objects.visible_to(request.auth).annotate(claim_count=Count("claims"))


def _sources(request: HttpRequest) -> QuerySet:
    return Source.objects.visible_to(request.auth)


# A claim's further appearances: one query for a page of claims, whatever their number.
APPEARANCES = Prefetch("appearances", queryset=Appearance.objects.select_related("source"))


def _claims(request: HttpRequest) -> QuerySet:
    return (
        Claim.objects.visible_to(request.auth)
        .select_related("dispute", "party", "speaker", "source")
        .prefetch_related(APPEARANCES)
    )


def _evidence(request: HttpRequest) -> QuerySet:
    return (
        Evidence.objects.visible_to(request.auth)
        .select_related("dispute", "released_by", "source")
        .prefetch_related(Prefetch("links", queryset=EvidenceLink.objects.visible_to(request.auth)))
    )


def _checks(request: HttpRequest) -> QuerySet:
    return SourceCheck.objects.visible_to(request.auth).prefetch_related(
        Prefetch("quote_checks", queryset=QuoteCheck.objects.visible_to(request.auth))
    )


Id = Path(..., ge=1, le=MAX_ID)
NOT_FOUND = {404: Error}


def as_utc(value: datetime.datetime) -> datetime.datetime:
    """A client's datetime in UTC: PostgreSQL refuses offsets beyond ±15:59, naive means UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:  # at the ends of the calendar
        return (datetime.datetime.max if value.year > 1 else datetime.datetime.min).replace(tzinfo=datetime.UTC)


# --- endpoints --------------------------------------------------------------------------------------


class DisputeFilters(Schema):
    status: StatusName | None = None
    verdict: VerdictName | None = None
    party: str | None = Field(
        None, description="Slug of a party with a claim on the dispute.", max_length=200, pattern=SLUG
    )
    q: str | None = Field(None, description="Words in the proposition.", max_length=200, pattern=TEXT)
    active_since: datetime.datetime | None = Field(None, description="Only disputes active since then.")


@api.get("/disputes", response=list[DisputeOut], tags=["disputes"], summary="Disputes, most recently active first")
@paginate(PageNumbers)
def list_disputes(request: HttpRequest, filters: Query[DisputeFilters]):
    qs = _disputes(request)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.verdict is not None:
        qs = qs.filter(verdict=filters.verdict)
    if filters.party:
        qs = qs.filter(pk__in=Claim.objects.filter(party__slug=filters.party).values("dispute_id"))
    if filters.q:
        qs = qs.filter(proposition__icontains=filters.q)
    if filters.active_since:
        qs = qs.filter(last_activity_at__gte=as_utc(filters.active_since))
    return qs.order_by("-last_activity_at", "-pk")


@api.get(
    "/disputes/{slug}",
    response={200: DisputeDetailOut, **NOT_FOUND},
    tags=["disputes"],
    summary="One dispute with its claims",
)
def get_dispute(request: HttpRequest, slug: str = Path(..., max_length=120, pattern=SLUG)):
    qs = _disputes(request).prefetch_related(
        Prefetch(
            "claims",
            queryset=Claim.objects.select_related("dispute", "party", "speaker", "source").prefetch_related(
                APPEARANCES
            ),
        )
    )
    return get_object_or_404(qs, slug=slug)


class ClaimFilters(Schema):
    dispute: str | None = Field(None, description="Dispute slug.", max_length=120, pattern=SLUG)
    party: str | None = Field(None, description="Party slug.", max_length=200, pattern=SLUG)
    stance: StanceName | None = None
    source: int | None = Field(
        None, ge=1, le=MAX_ID, description="Source id: claims first recorded from it or appearing in it since."
    )


@api.get("/claims", response=list[ClaimOut], tags=["claims"], summary="Claims, newest statement first")
@paginate(PageNumbers)
def list_claims(request: HttpRequest, filters: Query[ClaimFilters]):
    qs = _claims(request)
    if filters.dispute:
        qs = qs.filter(dispute__slug=filters.dispute)
    if filters.party:
        qs = qs.filter(party__slug=filters.party)
    if filters.stance:
        qs = qs.filter(stance=filters.stance)
    if filters.source:
        # The source a claim was first recorded from, or any source it appeared in since.
        further = Appearance.objects.filter(claim=OuterRef("pk"), source_id=filters.source)
        qs = qs.filter(Q(source_id=filters.source) | Q(Exists(further)))
    return qs.order_by("-said_on", "-pk")


@api.get("/claims/{id}", response={200: ClaimOut, **NOT_FOUND}, tags=["claims"], summary="One claim")
def get_claim(request: HttpRequest, id: int = Id):
    return get_object_or_404(_claims(request), pk=id)


class EvidenceFilters(Schema):
    dispute: str | None = Field(None, description="Dispute slug.", max_length=120, pattern=SLUG)
    kind: Literal[tuple(Evidence.Kind.values)] | None = None


@api.get("/evidence", response=list[EvidenceOut], tags=["evidence"], summary="Evidence, newest release first")
@paginate(PageNumbers)
def list_evidence(request: HttpRequest, filters: Query[EvidenceFilters]):
    qs = _evidence(request)
    if filters.dispute:
        qs = qs.filter(dispute__slug=filters.dispute)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("-released_on", "-pk")


@api.get("/evidence/{id}", response={200: EvidenceOut, **NOT_FOUND}, tags=["evidence"], summary="One piece of evidence")
def get_evidence(request: HttpRequest, id: int = Id):
    return get_object_or_404(_evidence(request), pk=id)


class SourceFilters(Schema):
    check_state: CheckStateName | None = None
    problems: bool | None = Field(None, description="Only sources whose last check found a problem.")
    host: str | None = Field(None, description="Part of the URL's host name.", max_length=200, pattern=TEXT)


@api.get("/sources", response=list[SourceOut], tags=["sources"], summary="Sources, newest first")
@paginate(PageNumbers)
def list_sources(request: HttpRequest, filters: Query[SourceFilters]):
    qs = _sources(request)
    if filters.check_state:
        qs = qs.filter(check_state=filters.check_state)
    if filters.problems:
        qs = qs.filter(check_state__in=Source.PROBLEM_STATES)
    if filters.host:
        qs = qs.filter(url__icontains=filters.host)
    return qs.order_by("-created_at", "-pk")


@api.get("/sources/{id}", response={200: SourceOut, **NOT_FOUND}, tags=["sources"], summary="One source")
def get_source(request: HttpRequest, id: int = Id):
    return get_object_or_404(_sources(request), pk=id)


class CheckFilters(Schema):
    source: int | None = Field(None, ge=1, le=MAX_ID, description="Source id.")
    outcome: CheckStateName | None = None
    changed: bool | None = None


@api.get("/checks", response=list[CheckOut], tags=["checks"], summary="Source checks, newest first")
@paginate(PageNumbers)
def list_checks(request: HttpRequest, filters: Query[CheckFilters]):
    qs = _checks(request)
    if filters.source:
        qs = qs.filter(source_id=filters.source)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.changed is not None:
        qs = qs.filter(changed=filters.changed)
    return qs.order_by("-started_at", "-pk")


@api.get("/checks/{id}", response={200: CheckOut, **NOT_FOUND}, tags=["checks"], summary="One source check")
def get_check(request: HttpRequest, id: int = Id):
    return get_object_or_404(_checks(request), pk=id)
