"""Adding, editing and deleting on the dispute page.

Every view works as a plain page without JavaScript (GET the form, POST, redirect)
and, for htmx requests, answers with just the fragment to swap: the form in place of
a card, the updated card on success, the header out of band when the status moved.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from claims import services
from claims.decorators import require_editor, require_publisher, require_senior, require_settler
from claims.forms import ArticleLinkForm, ClaimForm, DisputeForm, EvidenceForm, EvidenceLinkForm, VerdictForm
from claims.models import ArticleLink, Claim, Dispute, Evidence, EvidenceLink, Source, Stance

from .access import get_dispute_for_user

FORMS_PAGE = "claims/forms.html"
DISPUTE_PAGE = "claims/dispute_detail.html"


# Lookups: the object, if this user may see its dispute ----------------------


def get_claim_for_user(request: HttpRequest, pk: int) -> Claim:
    claim = get_object_or_404(Claim.objects.select_related("dispute", "party", "speaker", "source"), pk=pk)
    get_dispute_for_user(request, claim.dispute.slug)
    return claim


def get_evidence_for_user(request: HttpRequest, pk: int) -> Evidence:
    evidence = get_object_or_404(Evidence.objects.select_related("dispute", "released_by", "source"), pk=pk)
    get_dispute_for_user(request, evidence.dispute.slug)
    return evidence


def get_article_link_for_user(request: HttpRequest, pk: int) -> ArticleLink:
    link = get_object_or_404(ArticleLink.objects.select_related("dispute", "source"), pk=pk)
    get_dispute_for_user(request, link.dispute.slug)
    return link


# Rendering helpers -----------------------------------------------------------


def _render(request: HttpRequest, template: str, context: dict, status: int = 200) -> str:
    return render_to_string(template, context, request=request)


def _fragments(request: HttpRequest, *parts: str, status: int = 200) -> HttpResponse:
    return _changed(HttpResponse("".join(parts), status=status))


def _changed(response: HttpResponse) -> HttpResponse:
    """Tell the page something on the dispute moved, so it refreshes its timeline and counts."""
    response["HX-Trigger"] = "dispute-changed"
    return response


def _header_oob(request: HttpRequest, dispute: Dispute) -> str:
    dispute.refresh_from_db()
    return _render(request, f"{FORMS_PAGE}#dispute-header-oob", {"dispute": dispute})


def _form_response(
    request: HttpRequest,
    *,
    form,
    title: str,
    action: str,
    dom_id: str,
    cancel_url: str,
    dispute: Dispute | None,
    conflict: services.EditConflict | None = None,
    css_class: str = "",
    root_tag: str = "section",
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "action": action,
        "dom_id": dom_id,
        "cancel_url": cancel_url,
        "dispute": dispute,
        "conflict": conflict,
        "form_class": css_class,
        "root_tag": root_tag,
        "page": "edit-form",
        # One key per rendering of a form; a re-shown form keeps the one it was sent with.
        "submission_key": _submission_key(request) or uuid.uuid4().hex,
    }
    template = f"{FORMS_PAGE}#edit-form" if request.htmx else FORMS_PAGE
    response = HttpResponse(_render(request, template, context), status=status)
    return response


def _submission_key(request: HttpRequest) -> str:
    return request.POST.get("submission", "") if request.method == "POST" else ""


def _already_sent(request: HttpRequest, url: str) -> HttpResponse:
    """A second submit of a form whose first result is gone (deleted since): say so, create nothing."""
    messages.info(request, "This form had already been sent; what it added has been deleted since.")
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _with_current_version(request: HttpRequest, conflict: services.EditConflict) -> QueryDict:
    """The editor's own input, now based on the version they have been shown."""
    data = request.POST.copy()
    data["version"] = str(conflict.current_version)
    return data


def _card(request: HttpRequest, partial: str, context: dict) -> str:
    return _render(request, f"{DISPUTE_PAGE}#{partial}", context)


def _with_check_progress(source: Source | None) -> None:
    """Give a freshly saved source its ``check_live`` flag, so its badge polls while the new check runs."""
    if source is not None:
        source.check_live = (
            Source.objects.with_check_progress().filter(pk=source.pk).values_list("check_live", flat=True)[0]
        )


def _claim_card(request: HttpRequest, claim: Claim) -> str:
    claim = Claim.objects.select_related("party", "speaker", "source", "dispute").get(pk=claim.pk)
    _with_check_progress(claim.source)
    return _card(request, "claim-card", {"claim": claim, "dispute": claim.dispute})


def _evidence_item(request: HttpRequest, evidence: Evidence) -> str:
    evidence = (
        Evidence.objects.select_related("released_by", "source", "dispute")
        .prefetch_related("links__claim__party")
        .get(pk=evidence.pk)
    )
    _with_check_progress(evidence.source)
    return _card(request, "evidence-item", {"item": evidence, "dispute": evidence.dispute})


def _article_item(request: HttpRequest, link: ArticleLink) -> str:
    link = ArticleLink.objects.select_related("source", "dispute").get(pk=link.pk)
    _with_check_progress(link.source)
    return _card(request, "article-item", {"link": link, "dispute": link.dispute})


def _added_in_place(request: HttpRequest, *, slot: str, target: str, item: str, extra=()) -> HttpResponse:
    """The answer to an in-place add: the "add" slot comes back closed and the new item is appended to ``target``."""
    return _fragments(
        request, slot, _render(request, f"{FORMS_PAGE}#oob-append", {"target": target, "html": item}), *extra
    )


def _done(request: HttpRequest, message: str, url: str) -> HttpResponseRedirect:
    messages.success(request, message)
    return redirect(url)


# Disputes --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_editor
def dispute_create(request: HttpRequest) -> HttpResponse:
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        dispute, _ = services.submit_once(
            user=request.user,
            key=_submission_key(request),
            create=lambda: services.dispute_create(user=request.user, **data),
        )
        if dispute is None:
            return _already_sent(request, reverse("claims:home"))
        messages.success(request, "Dispute saved as a draft. Add each side's claims.")
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = dispute.get_absolute_url()
            return response
        return redirect(dispute)
    return _form_response(
        request,
        form=form,
        title="New dispute",
        action=reverse("claims:dispute-create"),
        dom_id="dispute-form",
        cancel_url=reverse("claims:home"),
        dispute=None,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def dispute_edit(request: HttpRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    form = DisputeForm(request.POST or None, instance=Dispute.objects.get(pk=dispute.pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            dispute = services.dispute_update(
                dispute=dispute, user=request.user, version=form.cleaned_data["version"], **data
            )
        except services.EditConflict as error:
            conflict = error
            form = DisputeForm(_with_current_version(request, error), instance=error.obj)
            form.is_valid()
        else:
            if request.htmx:
                return HttpResponse(_render(request, f"{FORMS_PAGE}#dispute-header-swap", {"dispute": dispute}))
            return _done(request, "Dispute saved.", dispute.get_absolute_url())
    return _form_response(
        request,
        form=form,
        title="Edit the dispute",
        action=reverse("claims:dispute-edit", args=[dispute.slug]),
        dom_id="dispute-header",
        cancel_url=reverse("claims:dispute-header", args=[dispute.slug]),
        dispute=dispute,
        conflict=conflict,
    )


@require_GET
@vary_on_headers("HX-Request")
def dispute_header(request: HttpRequest, slug: str) -> HttpResponse:
    """The dispute's header alone (htmx "cancel" of an edit); a plain request gets the page."""
    dispute = get_dispute_for_user(request, slug)
    if not request.htmx:
        return redirect(dispute)
    return HttpResponse(_render(request, f"{FORMS_PAGE}#dispute-header-swap", {"dispute": dispute}))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@require_settler
def dispute_verdict(request: HttpRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    form = VerdictForm(request.POST or None, instance=Dispute.objects.get(pk=dispute.pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            dispute = services.dispute_settle(
                dispute=dispute,
                user=request.user,
                verdict=form.cleaned_data["verdict"],
                reasoning=form.cleaned_data["verdict_reasoning"],
                version=form.cleaned_data["version"],
            )
        except services.EditConflict as error:
            conflict = error
            form = VerdictForm(_with_current_version(request, error), instance=error.obj)
            form.is_valid()
        else:
            if request.htmx:
                return HttpResponse(_render(request, f"{FORMS_PAGE}#dispute-header-swap", {"dispute": dispute}))
            return _done(request, "Verdict saved.", dispute.get_absolute_url())
    return _form_response(
        request,
        form=form,
        title="Verdict",
        action=reverse("claims:dispute-verdict", args=[dispute.slug]),
        dom_id="dispute-header",
        cancel_url=reverse("claims:dispute-header", args=[dispute.slug]),
        dispute=dispute,
        conflict=conflict,
    )


def _publish(request: HttpRequest, slug: str, publish: bool) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    dispute = services.dispute_publish(dispute=dispute, user=request.user, publish=publish)
    if request.htmx:
        return HttpResponse(_render(request, f"{FORMS_PAGE}#dispute-header-swap", {"dispute": dispute}))
    return _done(
        request, "Published." if publish else "Back to draft: only editors see it now.", dispute.get_absolute_url()
    )


@require_POST
@require_publisher
def dispute_publish(request: HttpRequest, slug: str) -> HttpResponse:
    return _publish(request, slug, True)


@require_POST
@require_publisher
def dispute_unpublish(request: HttpRequest, slug: str) -> HttpResponse:
    return _publish(request, slug, False)


@require_http_methods(["GET", "POST"])
@require_senior
def dispute_delete(request: HttpRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    if request.method == "POST":
        pk = dispute.pk
        services.dispute_delete(dispute=dispute, user=request.user)
        messages.success(request, "Dispute deleted. Its history page can bring it back with everything on it.")
        url = reverse("claims:history", args=["dispute", pk])
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    return _confirm_delete(
        request,
        what="this dispute, with all its claims, evidence and article links",
        obj=dispute,
        action=reverse("claims:dispute-delete", args=[dispute.slug]),
        dom_id="dispute-header",
        cancel_url=dispute.get_absolute_url(),
        dispute=dispute,
    )


def _confirm_delete(request, *, what, obj, action, dom_id, cancel_url, dispute, root_tag="section") -> HttpResponse:
    context = {
        "root_tag": root_tag,
        "what": what,
        "object": obj,
        "action": action,
        "dom_id": dom_id,
        "cancel_url": cancel_url,
        "dispute": dispute,
        "page": "confirm-delete",
        "title": "Delete?",
    }
    template = f"{FORMS_PAGE}#confirm-delete" if request.htmx else FORMS_PAGE
    return HttpResponse(_render(request, template, context))


def _deleted_notice(request, *, dom_id: str, label: str, kind: str, pk: int, dispute: Dispute) -> str:
    root_tag = "li" if kind in ("evidence", "article") else "p"
    return _render(
        request,
        f"{FORMS_PAGE}#deleted-notice",
        {"dom_id": dom_id, "label": label, "kind": kind, "pk": pk, "dispute": dispute, "root_tag": root_tag},
    )


# Claims ----------------------------------------------------------------------


def _new_slot_id(stance: str) -> str:
    return f"new-claim-{stance}"


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def claim_create(request: HttpRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    stance = request.GET.get("stance", "")
    if stance not in Stance.values:
        stance = ""
    form = ClaimForm(request.POST or None, initial={"stance": stance} if stance else None)
    slot_id = _new_slot_id(stance or "any")
    if request.method == "POST" and form.is_valid():
        claim, created = services.submit_once(
            user=request.user,
            key=_submission_key(request),
            create=lambda: services.claim_record(dispute=dispute, user=request.user, **form.service_kwargs()),
        )
        if claim is None:
            return _already_sent(request, dispute.get_absolute_url())
        if request.htmx and not created:
            # The first submit's answer already put the card on the page.
            return HttpResponse(
                _render(request, f"{FORMS_PAGE}#add-claim-slot", {"dispute": dispute, "stance": stance})
            )
        if request.htmx:
            return _added_in_place(
                request,
                slot=_render(request, f"{FORMS_PAGE}#add-claim-slot", {"dispute": dispute, "stance": stance}),
                target=f"#column-{claim.stance}",
                item=_claim_card(request, claim),
                extra=[_header_oob(request, dispute)],
            )
        return _done(request, "Claim added.", claim.get_absolute_url())
    return _form_response(
        request,
        form=form,
        title="New claim",
        action=reverse("claims:claim-create", args=[dispute.slug]) + (f"?stance={stance}" if stance else ""),
        dom_id=slot_id,
        cancel_url=reverse("claims:claim-add-slot", args=[dispute.slug]) + (f"?stance={stance}" if stance else ""),
        dispute=dispute,
        css_class="claim-card editing",
    )


@require_GET
def claim_add_slot(request: HttpRequest, slug: str) -> HttpResponse:
    """The "Add a claim" button of a column (htmx "cancel" of a new claim)."""
    dispute = get_dispute_for_user(request, slug)
    if not request.htmx:
        return redirect(dispute)
    stance = request.GET.get("stance", "")
    return HttpResponse(_render(request, f"{FORMS_PAGE}#add-claim-slot", {"dispute": dispute, "stance": stance}))


@require_GET
@vary_on_headers("HX-Request")
def claim_card(request: HttpRequest, pk: int) -> HttpResponse:
    """One claim card (htmx: "cancel" an edit); a plain request goes to its place on the dispute page."""
    claim = get_claim_for_user(request, pk)
    if not request.htmx:
        return redirect(claim)
    return HttpResponse(_claim_card(request, claim))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
            form = ClaimForm(_with_current_version(request, error), instance=error.obj)
            form.is_valid()
        else:
            if not request.htmx:
                return _done(request, "Claim saved.", claim.get_absolute_url())
            parts = []
            if claim.stance != old_stance:
                # The card moves to its new column.
                html = _claim_card(request, claim)
                parts += [
                    "",
                    _render(request, f"{FORMS_PAGE}#oob-append", {"target": f"#column-{claim.stance}", "html": html}),
                ]
            else:
                parts.append(_claim_card(request, claim))
            dispute = claim.dispute
            dispute.refresh_from_db()
            if dispute.status != old_status:
                parts.append(_header_oob(request, dispute))
            return _fragments(request, *parts)
    return _form_response(
        request,
        form=form,
        title="Edit claim",
        action=reverse("claims:claim-edit", args=[pk]),
        dom_id=f"claim-{pk}",
        cancel_url=reverse("claims:claim-card", args=[pk]),
        dispute=claim.dispute,
        conflict=conflict,
        css_class="claim-card editing",
    )


@require_http_methods(["GET", "POST"])
@require_senior
def claim_delete(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_claim_for_user(request, pk)
    dispute = claim.dispute
    if request.method == "POST":
        services.claim_delete(claim=claim, user=request.user)
        if request.htmx:
            return _fragments(
                request,
                _deleted_notice(request, dom_id=f"claim-{pk}", label="Claim", kind="claim", pk=pk, dispute=dispute),
                _header_oob(request, dispute),
            )
        messages.success(request, "Claim deleted. It can be restored from its history.")
        return redirect(reverse("claims:history", args=["claim", pk]))
    return _confirm_delete(
        request,
        what=f"the claim “{claim}”",
        obj=claim,
        action=reverse("claims:claim-delete", args=[pk]),
        dom_id=f"claim-{pk}",
        cancel_url=reverse("claims:claim-card", args=[pk]),
        dispute=dispute,
    )


# Evidence --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def evidence_create(request: HttpRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    form = EvidenceForm(request.POST or None, dispute=dispute)
    if request.method == "POST" and form.is_valid():
        evidence, created = services.submit_once(
            user=request.user,
            key=_submission_key(request),
            create=lambda: services.evidence_record(dispute=dispute, user=request.user, **form.service_kwargs()),
        )
        if evidence is None:
            return _already_sent(request, dispute.get_absolute_url())
        if request.htmx and not created:
            return HttpResponse(_render(request, f"{FORMS_PAGE}#add-evidence-slot", {"dispute": dispute}))
        if request.htmx:
            return _added_in_place(
                request,
                slot=_render(request, f"{FORMS_PAGE}#add-evidence-slot", {"dispute": dispute}),
                target="#evidence-items",
                item=_evidence_item(request, evidence),
            )
        return _done(request, "Evidence added.", dispute.get_absolute_url() + f"#evidence-{evidence.pk}")
    return _form_response(
        request,
        form=form,
        title="New evidence",
        action=reverse("claims:evidence-create", args=[dispute.slug]),
        dom_id="new-evidence",
        cancel_url=reverse("claims:evidence-add-slot", args=[dispute.slug]),
        dispute=dispute,
        css_class="evidence-item editing",
    )


@require_GET
def evidence_add_slot(request: HttpRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    if not request.htmx:
        return redirect(dispute)
    return HttpResponse(_render(request, f"{FORMS_PAGE}#add-evidence-slot", {"dispute": dispute}))


@require_GET
@vary_on_headers("HX-Request")
def evidence_card(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for_user(request, pk)
    if not request.htmx:
        return redirect(evidence.dispute.get_absolute_url() + f"#evidence-{pk}")
    return HttpResponse(_evidence_item(request, evidence))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def evidence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for_user(request, pk)
    dispute = evidence.dispute
    form = EvidenceForm(request.POST or None, instance=Evidence.objects.get(pk=pk), dispute=dispute)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            evidence = services.evidence_update(
                evidence=evidence, user=request.user, version=form.cleaned_data["version"], **form.service_kwargs()
            )
        except services.EditConflict as error:
            conflict = error
            form = EvidenceForm(_with_current_version(request, error), instance=error.obj, dispute=dispute)
            form.is_valid()
        else:
            if request.htmx:
                return _changed(HttpResponse(_evidence_item(request, evidence)))
            return _done(request, "Evidence saved.", dispute.get_absolute_url() + f"#evidence-{pk}")
    return _form_response(
        request,
        form=form,
        title="Edit evidence",
        action=reverse("claims:evidence-edit", args=[pk]),
        dom_id=f"evidence-{pk}",
        cancel_url=reverse("claims:evidence-card", args=[pk]),
        dispute=dispute,
        conflict=conflict,
        css_class="evidence-item editing",
        root_tag="li",
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def evidence_link_add(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for_user(request, pk)
    form = EvidenceLinkForm(request.POST or None, dispute=evidence.dispute)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_once(
                user=request.user,
                key=_submission_key(request),
                create=lambda: services.evidence_link_add(
                    evidence=evidence, user=request.user, **form.service_kwargs()
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                return _changed(HttpResponse(_evidence_item(request, evidence)))
            return _done(request, "Link added.", evidence.dispute.get_absolute_url() + f"#evidence-{pk}")
    return _form_response(
        request,
        form=form,
        title=f"What “{evidence.title}” bears on",
        action=reverse("claims:evidence-link-add", args=[pk]),
        dom_id=f"evidence-{pk}",
        cancel_url=reverse("claims:evidence-card", args=[pk]),
        dispute=evidence.dispute,
        css_class="evidence-item editing",
        root_tag="li",
    )


@require_POST
@require_editor
def evidence_link_remove(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(EvidenceLink.objects.select_related("evidence__dispute"), pk=pk)
    evidence = link.evidence
    get_dispute_for_user(request, evidence.dispute.slug)
    services.evidence_link_remove(link=link, user=request.user)
    if request.htmx:
        return _changed(HttpResponse(_evidence_item(request, evidence)))
    return _done(request, "Link removed.", evidence.dispute.get_absolute_url() + f"#evidence-{evidence.pk}")


@require_http_methods(["GET", "POST"])
@require_senior
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for_user(request, pk)
    dispute = evidence.dispute
    if request.method == "POST":
        services.evidence_delete(evidence=evidence, user=request.user)
        if request.htmx:
            return _fragments(
                request,
                _deleted_notice(
                    request, dom_id=f"evidence-{pk}", label="Evidence", kind="evidence", pk=pk, dispute=dispute
                ),
            )
        messages.success(request, "Evidence deleted. It can be restored from its history.")
        return redirect(reverse("claims:history", args=["evidence", pk]))
    return _confirm_delete(
        request,
        what=f"the evidence “{evidence.title}”",
        obj=evidence,
        action=reverse("claims:evidence-delete", args=[pk]),
        dom_id=f"evidence-{pk}",
        cancel_url=reverse("claims:evidence-card", args=[pk]),
        dispute=dispute,
        root_tag="li",
    )


# Article links ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def article_create(request: HttpRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    form = ArticleLinkForm(request.POST or None, dispute=dispute)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link, created = services.submit_once(
                user=request.user,
                key=_submission_key(request),
                create=lambda: services.article_link(
                    dispute=dispute,
                    user=request.user,
                    url=data["url"],
                    relation=data["relation"],
                    note=data["note"],
                    linked_on=data["linked_on"],
                ),
            )
        except ValidationError as error:
            # Linked by someone else between the form's check and the save.
            form.add_error(None, error)
            return _article_form(request, form, dispute)
        if link is None:
            return _already_sent(request, dispute.get_absolute_url())
        if request.htmx and not created:
            return HttpResponse(_render(request, f"{FORMS_PAGE}#add-article-slot", {"dispute": dispute}))
        if request.htmx:
            return _added_in_place(
                request,
                slot=_render(request, f"{FORMS_PAGE}#add-article-slot", {"dispute": dispute}),
                target="#article-items",
                item=_article_item(request, link),
            )
        return _done(request, "Article linked.", dispute.get_absolute_url() + f"#article-{link.pk}")
    return _article_form(request, form, dispute)


def _article_form(request: HttpRequest, form: ArticleLinkForm, dispute: Dispute) -> HttpResponse:
    return _form_response(
        request,
        form=form,
        title="Link a later article",
        action=reverse("claims:article-create", args=[dispute.slug]),
        dom_id="new-article",
        cancel_url=reverse("claims:article-add-slot", args=[dispute.slug]),
        dispute=dispute,
        css_class="article-item editing",
    )


@require_GET
def article_add_slot(request: HttpRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    if not request.htmx:
        return redirect(dispute)
    return HttpResponse(_render(request, f"{FORMS_PAGE}#add-article-slot", {"dispute": dispute}))


@require_GET
@vary_on_headers("HX-Request")
def article_card(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_article_link_for_user(request, pk)
    if not request.htmx:
        return redirect(link.dispute.get_absolute_url() + f"#article-{pk}")
    return HttpResponse(_article_item(request, link))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_article_link_for_user(request, pk)
    form = ArticleLinkForm(request.POST or None, instance=ArticleLink.objects.select_related("source").get(pk=pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link = services.article_update(
                link=link,
                user=request.user,
                version=data["version"],
                relation=data["relation"],
                note=data["note"],
                linked_on=data["linked_on"],
            )
        except services.EditConflict as error:
            conflict = error
            form = ArticleLinkForm(_with_current_version(request, error), instance=error.obj)
            form.is_valid()
        else:
            if request.htmx:
                return _changed(HttpResponse(_article_item(request, link)))
            return _done(request, "Article link saved.", link.dispute.get_absolute_url() + f"#article-{pk}")
    return _form_response(
        request,
        form=form,
        title="Edit article link",
        action=reverse("claims:article-edit", args=[pk]),
        dom_id=f"article-{pk}",
        cancel_url=reverse("claims:article-card", args=[pk]),
        dispute=link.dispute,
        conflict=conflict,
        css_class="article-item editing",
        root_tag="li",
    )


@require_http_methods(["GET", "POST"])
@require_senior
def article_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_article_link_for_user(request, pk)
    dispute = link.dispute
    if request.method == "POST":
        services.article_delete(link=link, user=request.user)
        if request.htmx:
            return _fragments(
                request,
                _deleted_notice(
                    request, dom_id=f"article-{pk}", label="Article link", kind="article", pk=pk, dispute=dispute
                ),
            )
        messages.success(request, "Article link deleted. It can be restored from its history.")
        return redirect(reverse("claims:history", args=["article", pk]))
    return _confirm_delete(
        request,
        what=f"the link to “{link.source}”",
        obj=link,
        action=reverse("claims:article-delete", args=[pk]),
        dom_id=f"article-{pk}",
        cancel_url=reverse("claims:article-card", args=[pk]),
        dispute=dispute,
        root_tag="li",
    )
