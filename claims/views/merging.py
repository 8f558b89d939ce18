"""One statement recorded twice: the near-duplicates page, merging two claims, and linking a
claim being typed to the one already recorded (docs/similar-claims.md, docs/appearances.md).

Merging is a senior editor's act (it deletes a claim, undoably); linking a repeat as another
appearance is any editor's, from the claim form's similar-claims list.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget
from django_ratelimit.decorators import ratelimit

from claims import services, similar
from claims.decorators import require_editor, require_senior
from claims.forms import clean_url_field
from claims.models import Claim, Stance
from claims.ratelimits import heavy_rate

from .access import get_claim_for_user, get_dispute_for_user
from .htmx import SignedInRequest
from .inplace import FORMS_PAGE, changed, render_fragment

PAGE = "claims/merging.html"


@require_safe
@require_senior
@ratelimit(group="heavy", key="user_or_ip", rate=heavy_rate, block=True)
def claim_duplicates(request: SignedInRequest) -> HttpResponse:
    """Pairs of claims that read alike, across disputes, for senior editors to merge."""
    pairs = similar.near_duplicates(visible=Claim.objects.visible_to(request.user))
    return render(request, PAGE, {"pairs": pairs, "scan": similar.DUPLICATE_SCAN, "page": "duplicates"})


@require_http_methods(["GET", "HEAD", "POST"])
@require_senior
def claim_merge(request: SignedInRequest, pk: int, other: int) -> HttpResponse:
    """Merge claim ``other`` into claim ``pk``: asked first, then done (``services.claim_merge``)."""
    keep = get_claim_for_user(request, pk)
    duplicate = get_claim_for_user(request, other)
    refusal = ""
    if request.method == "POST":
        try:
            services.claim_merge(keep=keep, duplicate=duplicate, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            refusal = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        else:
            messages.success(
                request,
                _("Merged: its sources are this claim’s appearances now. The merged claim’s history can undo it."),
            )
            return redirect(keep.get_absolute_url())
    context = {"keep": keep, "duplicate": duplicate, "refusal": refusal, "page": "merge"}
    return render(request, PAGE, context, status=400 if refusal else 200)


@require_POST
@vary_on_headers("HX-Request")
@require_editor
def claim_link_appearance(request: SignedInRequest, pk: int) -> HttpResponse:
    """From a new claim's form: record its source as another appearance of claim ``pk`` (the
    similar claim already recorded) instead of recording the statement twice."""
    claim = get_claim_for_user(request, pk)
    slug, stance = request.GET.get("dispute", ""), request.GET.get("stance", "")
    dispute = get_dispute_for_user(request, slug) if slug else claim.dispute
    stance = stance if stance in Stance.values else ""
    error = ""
    try:
        url = clean_url_field(request.POST.get("source_url", ""), required=True)
        services.appearance_create(
            claim=claim,
            user=request.user,
            url=url,
            quote_prefix=request.POST.get("quote_prefix", "")[:200],
            quote_suffix=request.POST.get("quote_suffix", "")[:200],
        )
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    context = {"claim": claim, "dispute": dispute, "stance": stance}
    if error:
        if request.htmx:
            # Beside the list the button is in; the form and what was typed stay.
            response = reswap(HttpResponse(escape(error)), "innerHTML")
            return retarget(response, f"#new-claim-{stance or 'any'} .link-error")
        messages.error(request, error)
        return redirect(dispute.get_absolute_url())
    if not request.htmx:
        messages.success(request, _("Linked as another appearance of the claim already recorded."))
        return redirect(claim.get_absolute_url())
    slot = render_fragment(request, f"{FORMS_PAGE}#add-claim-slot", context)
    return changed(HttpResponse(render_fragment(request, f"{PAGE}#linked", {**context, "slot": slot})))
