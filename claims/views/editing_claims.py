"""Adding, editing and deleting claims on the dispute page, in place."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from claims import detection, languages, services, similar
from claims.decorators import require_editor, require_senior
from claims.forms import ClaimForm
from claims.models import Claim, Stance

from .access import get_claim_for_user, get_dispute_for_user
from .appearances import claim_card_html
from .htmx import HtmxHttpRequest, SignedInRequest
from .inplace import (
    FORMS_PAGE,
    added_in_place,
    already_sent,
    confirm_delete,
    deleted_notice,
    done,
    form_response,
    fragments,
    header_oob,
    render_fragment,
    submission_key,
    with_current_version,
)


def _claim_card(request: HtmxHttpRequest, claim: Claim) -> str:
    return claim_card_html(request, claim)


def _new_slot_id(stance: str) -> str:
    return f"new-claim-{stance}"


@require_POST
@vary_on_headers("HX-Request")
@require_editor
def claim_language_suggestion(request: SignedInRequest) -> HttpResponse:
    """The claim form's language field, with the language detected in the quote typed so far.

    htmx posts the form here as the quote is typed or pasted. The detected language fills the
    field only while the editor has not chosen one: an empty field, or one still holding the
    previous suggestion (``quote_language_suggested``). A choice of the editor's own is kept,
    and a confident detection that disagrees with it is only mentioned.
    """
    quote = request.POST.get("quote", "")[:10_000]
    current = request.POST.get("quote_language", "").strip()[:35]
    previous = request.POST.get("quote_language_suggested", "")
    suggestion = detection.suggest_language(quote)
    editors_own = bool(current) and current != previous
    disagrees = editors_own and suggestion is not None and not languages.same_language_safe(current, suggestion.tag)
    value = current if editors_own else (suggestion.tag if suggestion else "")
    form = ClaimForm(initial={"quote_language": value})
    context = {
        "field": form["quote_language"],
        "suggestion": suggestion,
        "suggested": "" if editors_own else value,
        "disagrees": disagrees,
    }
    return HttpResponse(render_fragment(request, f"{FORMS_PAGE}#language-field", context))


@require_POST
@vary_on_headers("HX-Request")
@require_editor
def claim_similar(request: SignedInRequest) -> HttpResponse:
    """Claims already recorded that read like the quote, paraphrase or translation being typed.

    htmx posts the claim form here as it is typed (the ``similar-claims`` slot of the form);
    the answer lists them with their dispute, so a repeat is linked instead of entered twice.
    """
    try:
        exclude = int(request.GET.get("claim", "") or 0) or None
    except ValueError:
        exclude = None
    texts = [request.POST.get(name, "") for name in ("quote", "paraphrase", "translation")]
    matches = similar.similar_to_any(texts=texts, exclude_pk=exclude)
    # A new claim's form (not an edit's) offers to link its source to a match instead.
    link_query = ""
    if exclude is None and (slug := request.GET.get("dispute", "")):
        link_query = urlencode({"dispute": slug[:200], "stance": request.GET.get("stance", "")[:20]})
    context = {"matches": matches, "link_query": link_query}
    return HttpResponse(render_fragment(request, f"{FORMS_PAGE}#similar-claims", context))


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def claim_create(request: SignedInRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    stance = request.GET.get("stance", "")
    if stance not in Stance.values:
        stance = ""
    form = ClaimForm(
        request.POST or None, initial={"stance": stance} if stance else None, instance=Claim(dispute=dispute)
    )
    slot_id = _new_slot_id(stance or "any")
    if request.method == "POST" and form.is_valid():
        claim, created = services.submit_once(
            user=request.user,
            key=submission_key(request),
            create=lambda: services.claim_create(dispute=dispute, user=request.user, **form.service_kwargs()),
        )
        if claim is None:
            return already_sent(request, dispute.get_absolute_url())
        if request.htmx and not created:
            # The first submit's answer already put the card on the page.
            return HttpResponse(
                render_fragment(request, f"{FORMS_PAGE}#add-claim-slot", {"dispute": dispute, "stance": stance})
            )
        if request.htmx:
            return added_in_place(
                request,
                slot=render_fragment(request, f"{FORMS_PAGE}#add-claim-slot", {"dispute": dispute, "stance": stance}),
                target=f"#column-{claim.stance}",
                item=_claim_card(request, claim),
                extra=[header_oob(request, dispute)],
            )
        return done(request, _("Claim added."), claim.get_absolute_url())
    return form_response(
        request,
        form=form,
        title=_("New claim"),
        action=reverse("claims:claim-create", args=[dispute.slug]) + (f"?stance={stance}" if stance else ""),
        dom_id=slot_id,
        cancel_url=reverse("claims:claim-add-slot", args=[dispute.slug]) + (f"?stance={stance}" if stance else ""),
        dispute=dispute,
        css_class="claim-card editing",
        extra={
            "similar_url": reverse("claims:claim-similar")
            + "?"
            + urlencode({"dispute": dispute.slug, "stance": stance})
        },
    )


@require_safe
@vary_on_headers("HX-Request")
def claim_add_slot(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The "Add a claim" button of a column (htmx "cancel" of a new claim)."""
    dispute = get_dispute_for_user(request, slug)
    if not request.htmx:
        return redirect(dispute)
    stance = request.GET.get("stance", "")
    return HttpResponse(
        render_fragment(request, f"{FORMS_PAGE}#add-claim-slot", {"dispute": dispute, "stance": stance})
    )


@require_safe
@vary_on_headers("HX-Request")
def claim_card(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One claim card (htmx: "cancel" an edit); a plain request goes to its place on the dispute page."""
    claim = get_claim_for_user(request, pk)
    if not request.htmx:
        return redirect(claim)
    return HttpResponse(_claim_card(request, claim))


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def claim_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    claim = get_claim_for_user(request, pk)
    form = ClaimForm(request.POST or None, instance=Claim.objects.get(pk=pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        old_stance, old_status = claim.stance, claim.dispute.status
        try:
            claim = services.claim_update(
                claim=claim, user=request.user, version=form.cleaned_data["version"], **form.service_kwargs()
            )
        except services.EditConflict as error:
            conflict = error
            form = ClaimForm(with_current_version(request, error), instance=error.obj)
            form.is_valid()
        else:
            if not request.htmx:
                return done(request, _("Claim saved."), claim.get_absolute_url())
            parts = []
            if claim.stance != old_stance:
                # The card moves to its new column.
                html = _claim_card(request, claim)
                parts += [
                    "",
                    render_fragment(
                        request, f"{FORMS_PAGE}#oob-append", {"target": f"#column-{claim.stance}", "html": html}
                    ),
                ]
            else:
                parts.append(_claim_card(request, claim))
            dispute = claim.dispute
            dispute.refresh_from_db()
            if dispute.status != old_status:
                parts.append(header_oob(request, dispute))
            return fragments(request, *parts)
    return form_response(
        request,
        form=form,
        title=_("Edit claim"),
        action=reverse("claims:claim-edit", args=[pk]),
        dom_id=f"claim-{pk}",
        cancel_url=reverse("claims:claim-card", args=[pk]),
        dispute=claim.dispute,
        conflict=conflict,
        css_class="claim-card editing",
        extra={"similar_url": reverse("claims:claim-similar") + f"?claim={pk}"},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_senior
def claim_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    claim = get_claim_for_user(request, pk)
    dispute = claim.dispute
    refusal = ""
    if request.method == "POST":
        try:
            services.claim_delete(claim=claim, user=request.user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
    if request.method == "POST" and not refusal:
        if request.htmx:
            return fragments(
                request,
                deleted_notice(request, dom_id=f"claim-{pk}", label=_("Claim"), kind="claim", pk=pk, dispute=dispute),
                header_oob(request, dispute),
            )
        messages.success(request, _("Claim deleted. It can be restored from its history."))
        return redirect(reverse("claims:history", args=["claim", pk]))
    return confirm_delete(
        request,
        what=_("the claim “%(claim)s”") % {"claim": claim},
        obj=claim,
        action=reverse("claims:claim-delete", args=[pk]),
        dom_id=f"claim-{pk}",
        cancel_url=reverse("claims:claim-card", args=[pk]),
        dispute=dispute,
        refusal=refusal,
    )
