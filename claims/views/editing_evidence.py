"""Adding, editing and deleting evidence, and what it bears on, in place."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from claims import services
from claims.decorators import require_editor, require_senior
from claims.forms import EvidenceForm, EvidenceLinkForm
from claims.models import Evidence, EvidenceLink

from .access import get_dispute_for_user, get_evidence_for_user
from .htmx import HtmxHttpRequest, SignedInRequest
from .inplace import (
    FORMS_PAGE,
    added_in_place,
    already_sent,
    card,
    changed,
    confirm_delete,
    deleted_notice,
    done,
    form_response,
    fragments,
    render_fragment,
    submission_key,
    with_check_progress,
    with_current_version,
)


def _evidence_item(request: HtmxHttpRequest, evidence: Evidence) -> str:
    evidence = (
        Evidence.objects.select_related("released_by", "source", "dispute")
        .prefetch_related("links__claim__party")
        .get(pk=evidence.pk)
    )
    with_check_progress(evidence.source)
    return card(request, "evidence-item", {"item": evidence, "dispute": evidence.dispute})


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def evidence_create(request: SignedInRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    form = EvidenceForm(request.POST or None, dispute=dispute)
    if request.method == "POST" and form.is_valid():
        evidence, created = services.submit_once(
            user=request.user,
            key=submission_key(request),
            create=lambda: services.evidence_create(dispute=dispute, user=request.user, **form.service_kwargs()),
        )
        if evidence is None:
            return already_sent(request, dispute.get_absolute_url())
        if request.htmx and not created:
            return HttpResponse(render_fragment(request, f"{FORMS_PAGE}#add-evidence-slot", {"dispute": dispute}))
        if request.htmx:
            return added_in_place(
                request,
                slot=render_fragment(request, f"{FORMS_PAGE}#add-evidence-slot", {"dispute": dispute}),
                target="#evidence-items",
                item=_evidence_item(request, evidence),
            )
        return done(request, "Evidence added.", dispute.get_absolute_url() + f"#evidence-{evidence.pk}")
    return form_response(
        request,
        form=form,
        title=_("New evidence"),
        action=reverse("claims:evidence-create", args=[dispute.slug]),
        dom_id="new-evidence",
        cancel_url=reverse("claims:evidence-add-slot", args=[dispute.slug]),
        dispute=dispute,
        css_class="evidence-item editing",
    )


@require_safe
@vary_on_headers("HX-Request")
def evidence_add_slot(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    if not request.htmx:
        return redirect(dispute)
    return HttpResponse(render_fragment(request, f"{FORMS_PAGE}#add-evidence-slot", {"dispute": dispute}))


@require_safe
@vary_on_headers("HX-Request")
def evidence_card(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for_user(request, pk)
    if not request.htmx:
        return redirect(evidence.dispute.get_absolute_url() + f"#evidence-{pk}")
    return HttpResponse(_evidence_item(request, evidence))


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def evidence_edit(request: SignedInRequest, pk: int) -> HttpResponse:
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
            form = EvidenceForm(with_current_version(request, error), instance=error.obj, dispute=dispute)
            form.is_valid()
        else:
            if request.htmx:
                return changed(HttpResponse(_evidence_item(request, evidence)))
            return done(request, "Evidence saved.", dispute.get_absolute_url() + f"#evidence-{pk}")
    return form_response(
        request,
        form=form,
        title=_("Edit evidence"),
        action=reverse("claims:evidence-edit", args=[pk]),
        dom_id=f"evidence-{pk}",
        cancel_url=reverse("claims:evidence-card", args=[pk]),
        dispute=dispute,
        conflict=conflict,
        css_class="evidence-item editing",
        root_tag="li",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def evidence_link_add(request: SignedInRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for_user(request, pk)
    form = EvidenceLinkForm(request.POST or None, dispute=evidence.dispute)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_once(
                user=request.user,
                key=submission_key(request),
                create=lambda: services.evidence_link_create(
                    evidence=evidence, user=request.user, **form.service_kwargs()
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                return changed(HttpResponse(_evidence_item(request, evidence)))
            return done(request, "Link added.", evidence.dispute.get_absolute_url() + f"#evidence-{pk}")
    return form_response(
        request,
        form=form,
        title=_("What “%(title)s” bears on") % {"title": evidence.title},
        action=reverse("claims:evidence-link-add", args=[pk]),
        dom_id=f"evidence-{pk}",
        cancel_url=reverse("claims:evidence-card", args=[pk]),
        dispute=evidence.dispute,
        css_class="evidence-item editing",
        root_tag="li",
    )


@require_POST
@vary_on_headers("HX-Request")
@require_editor
def evidence_link_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(EvidenceLink.objects.select_related("evidence__dispute"), pk=pk)
    evidence = link.evidence
    get_dispute_for_user(request, evidence.dispute.slug)
    services.evidence_link_delete(link=link, user=request.user)
    if request.htmx:
        return changed(HttpResponse(_evidence_item(request, evidence)))
    return done(request, "Link removed.", evidence.dispute.get_absolute_url() + f"#evidence-{evidence.pk}")


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_senior
def evidence_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for_user(request, pk)
    dispute = evidence.dispute
    if request.method == "POST":
        services.evidence_delete(evidence=evidence, user=request.user)
        if request.htmx:
            return fragments(
                request,
                deleted_notice(
                    request, dom_id=f"evidence-{pk}", label=_("Evidence"), kind="evidence", pk=pk, dispute=dispute
                ),
            )
        messages.success(request, _("Evidence deleted. It can be restored from its history."))
        return redirect(reverse("claims:history", args=["evidence", pk]))
    return confirm_delete(
        request,
        what=_("the evidence “%(title)s”") % {"title": evidence.title},
        obj=evidence,
        action=reverse("claims:evidence-delete", args=[pk]),
        dom_id=f"evidence-{pk}",
        cancel_url=reverse("claims:evidence-card", args=[pk]),
        dispute=dispute,
        root_tag="li",
    )
