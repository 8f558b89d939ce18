from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims.models import Dispute

from .access import get_dispute_for_user


@require_GET
def dispute_list(request: HttpRequest) -> HttpResponse:
    disputes = Dispute.objects.visible_to(request.user).recently_active()[:50]
    return render(request, "claims/dispute_list.html", {"disputes": disputes})


@require_GET
def dispute_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    claims = dispute.claims.select_related("party", "speaker", "source")
    return render(request, "claims/dispute_detail.html", {"dispute": dispute, "claims": claims})
