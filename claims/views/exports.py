"""CSV exports: a dispute's claims, a dispute's sources, and the disputes a search finds.

Spreadsheets are where these files go, so cells that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) are prefixed with an
apostrophe, and the file starts with a UTF-8 byte-order mark so Excel reads
non-Latin text right.
"""

import csv
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_ratelimit.decorators import ratelimit

from claims import selectors
from claims.claims_csv import CLAIMS_CSV_COLUMNS
from claims.filters import DisputeFilterForm
from claims.languages import in_site_language
from claims.ratelimits import heavy_rate

from .access import get_dispute_for_user
from .htmx import HtmxHttpRequest

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """A value as a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return response


@require_safe
@in_site_language
def dispute_claims_csv(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One row per claim on the dispute: who, stance, the quote, when, where, and what the last check found."""
    dispute = get_dispute_for_user(request, slug)
    claims = selectors.export_claims(dispute=dispute)
    page = request.build_absolute_uri(dispute.get_absolute_url())
    rows = (
        [
            c.pk,
            dispute.proposition,
            dispute.slug,
            c.party.name,
            c.speaker.name if c.speaker else "",
            c.speaker.role if c.speaker else "",
            c.get_stance_display(),
            c.quote,
            c.quote_language,
            c.translation,
            c.translation_language if c.translation else "",
            c.translation_credit,
            c.paraphrase,
            c.said_on,
            c.said_on_precision,
            c.source.url if c.source else "",
            c.source.title if c.source else "",
            c.source.get_check_state_display() if c.source else "",
            c.source.last_checked_at if c.source else None,
            f"{page}#claim-{c.pk}",
            c.standing,
            c.withdrawn_on,
            c.withdrawn_url,
            c.superseded_by_id or "",
            c.misreported_quote,
            c.standing_note,
            "yes" if c.quote_reconstructed else "",
            "\n".join(appearance.source.url for appearance in c.appearances.all()),
        ]
        for c in claims
    )
    header = CLAIMS_CSV_COLUMNS
    return csv_response(f"{dispute.slug}-claims.csv", header, rows)


@require_safe
@in_site_language
def dispute_sources_csv(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One row per source the dispute cites, saying how it is used (claim, evidence, article) and its check state."""
    dispute = get_dispute_for_user(request, slug)
    sources = selectors.export_sources(dispute=dispute)
    rows = (
        [
            s.pk,
            s.url,
            s.title,
            s.publisher,
            s.get_kind_display(),
            s.published_on,
            s.get_check_state_display(),
            s.last_checked_at,
            "; ".join(uses),
            request.build_absolute_uri(s.get_absolute_url()),
        ]
        for s, uses in sources
    )
    header = [
        "source_id",
        "url",
        "title",
        "publisher",
        "kind",
        "published_on",
        "last_check",
        "last_checked_at",
        "used_as",
        "link",
    ]
    return csv_response(f"{dispute.slug}-sources.csv", header, rows)


@require_safe
@ratelimit(group="heavy", key="user_or_ip", rate=heavy_rate, block=True)
@in_site_language
def search_csv(request: HtmxHttpRequest) -> HttpResponse:
    """The disputes the home page's search and filters find (same query string), one row each.

    Up to ``selectors.MAX_EXPORT_ROWS`` disputes for anyone, so it is a heavy request: rate
    limited as the other heavy pages are (``claims/ratelimits.py``)."""
    form = DisputeFilterForm(request.GET or None, user=request.user)
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and form.errors:
        return HttpResponse(
            "Invalid filters: " + "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    disputes = selectors.export_search(user=request.user, filters=cleaned)

    def row(d) -> list:
        return [
            d.slug,
            d.proposition,
            d.get_status_display(),
            d.get_verdict_display() if d.verdict else "",
            d.occurred_on,
            d.claim_total,
            "; ".join(sorted(d.affirming or [])),
            "; ".join(sorted(d.denying or [])),
            d.last_activity_at,
            request.build_absolute_uri(d.get_absolute_url()),
        ]

    header = [
        "slug",
        "proposition",
        "status",
        "verdict",
        "occurred_on",
        "claims",
        "affirming_parties",
        "denying_parties",
        "last_activity_at",
        "link",
    ]
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return csv_response(f"disputes-{stamp}.csv", header, (row(d) for d in disputes))
