"""The Clip bookmarklet's pages (claims/clip.py): the prefilled claim form, its dispute picker,
and the landing for long selections."""

import uuid

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from claims import clip, selectors, services
from claims.decorators import require_editor
from claims.forms import ClipForm
from claims.models import Dispute
from claims.ratelimits import clip_landing_rate

from .htmx import HtmxHttpRequest, SignedInRequest
from .inplace import already_sent, done, submission_key


def _chosen(value) -> int | None:
    value = str(value or "")
    return int(value) if value.isascii() and value.isdecimal() and len(value) <= 18 else None


@require_http_methods(["GET", "HEAD", "POST"])
@require_editor
def clip_claim(request: SignedInRequest) -> HttpResponse:
    """The new-claim form, prefilled from a clip: ``?quote=&url=&title=&prefix=&suffix=`` or ``?draft=<key>``."""
    missing_draft = False
    if request.method == "POST":
        clipped = {"title": request.POST.get("clipped_title", "")[:300]}
        form = ClipForm(request.POST, disputes=Dispute.objects.visible_to(request.user))
        if form.is_valid():
            claim, _replayed = services.submit_once(
                user=request.user,
                key=submission_key(request),
                create=lambda: services.claim_clip(user=request.user, **form.service_kwargs()),
            )
            if claim is None:
                return already_sent(request, reverse("claims:home"))
            return done(request, _("Claim added from your clip."), claim.get_absolute_url())
    else:
        if request.GET.get("draft"):
            kept = clip.draft_read(key=request.GET["draft"])
            missing_draft = kept is None
            clipped = kept or clip.clean_draft({})
        else:
            clipped = clip.clean_draft(request.GET)
        initial = {
            "quote": clipped["quote"],
            "source_url": clipped["url"],
            "quote_prefix": clipped["prefix"],
            "quote_suffix": clipped["suffix"],
        }
        form = ClipForm(initial=initial, disputes=Dispute.objects.visible_to(request.user))
        # "Find" without JavaScript sends the whole form back as a GET: keep what was typed.
        for name in form.fields:
            if name in request.GET and name != "submission":
                form.initial[name] = request.GET[name][:10_000]
    query = request.GET.get("q", "") if request.method != "POST" else ""
    context = {
        "form": form,
        "clipped_title": clipped["title"],
        "missing_draft": missing_draft,
        "choices": selectors.dispute_choices(request.user, query, _chosen(form["dispute"].value())),
        "chosen": _chosen(form["dispute"].value()),
        "query": query,
        "submission_key": submission_key(request) or uuid.uuid4().hex,
    }
    return render(request, "claims/clip.html", context, status=400 if form.errors else 200)


@require_safe
@require_editor
def clip_disputes(request: SignedInRequest) -> HttpResponse:
    """The picker's choices as the editor types (htmx), the chosen one kept."""
    context = {
        "choices": selectors.dispute_choices(
            request.user, request.GET.get("q", ""), _chosen(request.GET.get("dispute"))
        ),
        "chosen": _chosen(request.GET.get("dispute")),
        "query": request.GET.get("q", "")[:200],
    }
    return render(request, "claims/clip.html#dispute-choices", context)


@csrf_exempt  # a cross-site POST from the bookmarklet: no cookies, no token; it writes no ledger data
@require_POST
# Anyone may post here, and the drafts table keeps only the newest few thousand: without a limit
# one address could push editors' drafts out before they open them.
@ratelimit(group="clip-landing", key="ip", rate=clip_landing_rate, block=True)
def clip_landing(request: HtmxHttpRequest) -> HttpResponse:
    """A long selection: keep it as a draft for an hour and send the editor to the form."""
    draft = clip.draft_keep(data=request.POST)
    return redirect(f"{reverse('claims:clip')}?draft={draft.key}")
