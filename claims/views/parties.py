import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from claims import link_previews, roles, selectors
from claims.card_cache import RowCache
from claims.release import release_stamp

from .access import get_party_for_user
from .disputes import LIST_CACHE_SECONDS, _relative_time_bucket, _wants_partial
from .htmx import HtmxHttpRequest


def _record(request: HtmxHttpRequest, party) -> selectors.PartyRecord:
    """The party's record and positions over time, once per version of the data and kind of viewer.

    Its aggregate and its positions' query read every claim of the party (30 ms of database
    time for a party with 1,500 claims). Every write they show renews a dispute's page
    stamp (its claims, verdicts, publishing, names), so, as the home page's results, they
    are cached under the newest stamp of all (``selectors.newest_page_stamp``), the party's
    own last change and whether the viewer sees drafts; not on SQLite (no stamps).
    """
    stamp = selectors.newest_page_stamp()
    drafts = roles.can_see_drafts(request.user)
    if stamp is None:
        return selectors.party_record(party=party, user=request.user)
    parts = (stamp, party.pk, party.updated_at, drafts, get_language(), release_stamp())
    key = "party-record:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    record = cache.get(key)
    if record is None:
        record = selectors.party_record(party=party, user=request.user)
        cache.set(key, record, LIST_CACHE_SECONDS)
    return record


@require_safe
@vary_on_headers("HX-Request")
def party_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A party's claims across the disputes this user may see, and how they fared."""
    party = get_party_for_user(request, slug)
    data = selectors.party_page_data(
        party=party, user=request.user, page_number=request.GET.get("page"), record=_record(request, party)
    )
    template = "claims/party_detail.html#party-claims" if _wants_partial(request) else "claims/party_detail.html"
    # Each claim's row once per its dispute's page stamp and kind of viewer (claims/card_cache.py).
    rows = RowCache.for_view(user=request.user, bucket=_relative_time_bucket())
    rows.fetch_keys([rows.key("party-claim", claim) for claim in data.claims])
    context = {
        "party": party,
        "data": data,
        "preview": link_previews.party_preview(party, data),
        "card_cache": rows,
    }
    response = render(request, template, context)
    rows.store()
    return response
