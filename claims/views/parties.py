from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from claims import link_previews, selectors

from .access import get_party_for_user
from .disputes import _wants_partial
from .htmx import HtmxHttpRequest


@require_safe
@vary_on_headers("HX-Request")
def party_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A party's claims across the disputes this user may see, and how they fared."""
    party = get_party_for_user(request, slug)
    data = selectors.party_page_data(party=party, user=request.user, page_number=request.GET.get("page"))
    template = "claims/party_detail.html#party-claims" if _wants_partial(request) else "claims/party_detail.html"
    return render(
        request, template, {"party": party, "data": data, "preview": link_previews.party_preview(party, data)}
    )
