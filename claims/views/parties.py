from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims.models import Claim, Dispute

from .access import get_party_for_user


@require_GET
def party_detail(request: HttpRequest, slug: str) -> HttpResponse:
    party = get_party_for_user(request, slug)
    visible = Dispute.objects.visible_to(request.user)
    claims = Claim.objects.filter(party=party, dispute__in=visible).select_related("dispute", "speaker", "source")
    return render(request, "claims/party_detail.html", {"party": party, "claims": claims})
