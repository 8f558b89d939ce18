"""Adding and removing a claim's appearances in place on the dispute page (docs/appearances.md).

The card lists where the claim appeared: its first appearance (the claim's source) and the
others. "Add an appearance" swaps the card for a short form, as "Link to a claim or side"
does for evidence; saving or removing answers with the card again. A removal's answer
carries its undo (the history's restore of the removed row).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from claims import selectors, services
from claims.decorators import require_editor
from claims.forms import AppearanceForm
from claims.models import Appearance, Claim

from .access import get_claim_for_user
from .htmx import HtmxHttpRequest, SignedInRequest
from .inplace import card, changed, done, form_response, submission_key, with_check_progress


def claim_card_html(request: HtmxHttpRequest, claim: Claim, **extra) -> str:
    """A claim's card as the dispute page draws it, with its appearances (three queries)."""
    claim = selectors.with_appearances(
        Claim.objects.select_related("party", "speaker", "source", "dispute", "superseded_by")
    ).get(pk=claim.pk)
    with_check_progress(claim.source)
    return card(request, "claim-card", {"claim": claim, "dispute": claim.dispute, **extra})


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def appearance_add(request: SignedInRequest, pk: int) -> HttpResponse:
    claim = get_claim_for_user(request, pk)
    form = AppearanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_once(
                user=request.user,
                key=submission_key(request),
                create=lambda: services.appearance_create(claim=claim, user=request.user, **form.service_kwargs()),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "url" in error.error_dict:
                form.add_error("source_url", error.error_dict["url"])
            else:
                form.add_error(None, error)
        else:
            if request.htmx:
                return changed(HttpResponse(claim_card_html(request, claim)))
            return done(request, _("Appearance added."), claim.get_absolute_url())
    return form_response(
        request,
        form=form,
        title=_("Where else “%(claim)s” appeared") % {"claim": claim},
        action=reverse("claims:appearance-add", args=[pk]),
        dom_id=f"claim-{pk}",
        cancel_url=reverse("claims:claim-card", args=[pk]),
        dispute=claim.dispute,
        css_class="claim-card editing",
        root_tag="article",
    )


@require_POST
@vary_on_headers("HX-Request")
@require_editor
def appearance_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    appearance = get_object_or_404(Appearance.objects.select_related("claim", "source"), pk=pk)
    claim = get_claim_for_user(request, appearance.claim_id)
    label = appearance.source.title or appearance.source.host
    services.appearance_delete(appearance=appearance, user=request.user)
    removal = Appearance.history.filter(id=pk, history_type="-").order_by("-history_id").first()
    if request.htmx:
        undo = {"removed_label": label, "removed_pk": pk, "removed_history_id": removal.history_id if removal else None}
        return changed(HttpResponse(claim_card_html(request, claim, **undo)))
    return done(request, _("Appearance removed. It can be restored from its history."), claim.get_absolute_url())


@require_POST
@vary_on_headers("HX-Request")
@require_editor
def appearance_undo_remove(request: SignedInRequest, pk: int, history_id: int) -> HttpResponse:
    """The removal's undo, from the card: the history's restore of the removed row, answered
    with the card again (htmx) rather than a reload."""
    record = selectors.history_record(model=Appearance, pk=pk, history_id=history_id, user=request.user)
    if record is None:
        raise Http404("No such version")
    claim = get_claim_for_user(request, record.claim_id)
    error = ""
    try:
        services.object_restore(model=Appearance, record=record, user=request.user)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    if request.htmx:
        return changed(HttpResponse(claim_card_html(request, claim, appearance_error=error)))
    if error:
        messages.error(request, error)
        return redirect(claim.get_absolute_url())
    return done(request, _("Appearance restored."), claim.get_absolute_url())


@require_POST
@vary_on_headers("HX-Request")
@require_editor
def first_appearance_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    """Remove a claim's first appearance: the next one takes its place (``services.first_appearance_remove``)."""
    claim = get_claim_for_user(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1  # refused as stale: the card says which version it showed
    try:
        claim = services.first_appearance_remove(claim=claim, user=request.user, version=version)
    except services.EditConflict:
        message = _("This claim was changed since the page was loaded; nothing was removed. Look again.")
        if request.htmx:
            return HttpResponse(claim_card_html(request, claim, appearance_error=message))
        messages.error(request, message)
        return redirect(claim.get_absolute_url())
    if request.htmx:
        return changed(HttpResponse(claim_card_html(request, claim)))
    return done(request, _("First appearance removed."), claim.get_absolute_url())
