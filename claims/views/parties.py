from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from claims import link_previews, selectors
from claims.card_cache import RowCache

from .access import get_party_for_user
from .disputes import _relative_time_bucket, _wants_partial
from .htmx import HtmxHttpRequest


@require_safe
@vary_on_headers("HX-Request")
def party_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A party's claims across the disputes this user may see, and how they fared."""
    party = get_party_for_user(request, slug)
    data = selectors.party_page_data(party=party, user=request.user, page_number=request.GET.get("page"))
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
