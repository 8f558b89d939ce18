"""Creating, editing, settling, publishing and deleting a dispute, in place."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from claims import services
from claims.decorators import require_editor, require_publisher, require_senior, require_settler
from claims.forms import DisputeForm, VerdictForm
from claims.models import Dispute

from .access import get_dispute_for_user
from .htmx import HtmxHttpRequest, SignedInRequest
from .inplace import (
    FORMS_PAGE,
    already_sent,
    confirm_delete,
    done,
    form_response,
    go_to,
    render_fragment,
    submission_key,
    with_current_version,
)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def dispute_create(request: SignedInRequest) -> HttpResponse:
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        dispute, _replayed = services.submit_once(
            user=request.user,
            key=submission_key(request),
            create=lambda: services.dispute_create(user=request.user, **data),
        )
        if dispute is None:
            return already_sent(request, reverse("claims:home"))
        messages.success(request, _("Dispute saved as a draft. Add each side's claims."))
        return go_to(request, dispute.get_absolute_url())
    return form_response(
        request,
        form=form,
        title=_("New dispute"),
        action=reverse("claims:dispute-create"),
        dom_id="dispute-form",
        cancel_url=reverse("claims:home"),
        dispute=None,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def dispute_edit(request: SignedInRequest, slug: str) -> HttpResponse:
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
            form = DisputeForm(with_current_version(request, error), instance=error.obj)
            form.is_valid()
        else:
            if request.htmx:
                return HttpResponse(render_fragment(request, f"{FORMS_PAGE}#dispute-header-swap", {"dispute": dispute}))
            return done(request, _("Dispute saved."), dispute.get_absolute_url())
    return form_response(
        request,
        form=form,
        title=_("Edit the dispute"),
        action=reverse("claims:dispute-edit", args=[dispute.slug]),
        dom_id="dispute-header",
        cancel_url=reverse("claims:dispute-header", args=[dispute.slug]),
        dispute=dispute,
        conflict=conflict,
    )


@require_safe
@vary_on_headers("HX-Request")
def dispute_header(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The dispute's header alone (htmx "cancel" of an edit); a plain request gets the page."""
    dispute = get_dispute_for_user(request, slug)
    if not request.htmx:
        return redirect(dispute)
    return HttpResponse(render_fragment(request, f"{FORMS_PAGE}#dispute-header-swap", {"dispute": dispute}))


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_settler
def dispute_verdict(request: SignedInRequest, slug: str) -> HttpResponse:
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
            form = VerdictForm(with_current_version(request, error), instance=error.obj)
            form.is_valid()
        except ValidationError as error:
            # The verdict rule is the service's (a verdict needs its reasoning): shown beside the field.
            form.add_error(None, error)
        else:
            if request.htmx:
                return HttpResponse(render_fragment(request, f"{FORMS_PAGE}#dispute-header-swap", {"dispute": dispute}))
            return done(request, _("Verdict saved."), dispute.get_absolute_url())
    return form_response(
        request,
        form=form,
        title=_("Verdict"),
        action=reverse("claims:dispute-verdict", args=[dispute.slug]),
        dom_id="dispute-header",
        cancel_url=reverse("claims:dispute-header", args=[dispute.slug]),
        dispute=dispute,
        conflict=conflict,
    )


def _publish(request: SignedInRequest, slug: str, publish: bool) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    dispute = services.dispute_publish(dispute=dispute, user=request.user, publish=publish)
    if request.htmx:
        return HttpResponse(render_fragment(request, f"{FORMS_PAGE}#dispute-header-swap", {"dispute": dispute}))
    return done(
        request,
        _("Published.") if publish else _("Back to draft: only editors see it now."),
        dispute.get_absolute_url(),
    )


@require_POST
@vary_on_headers("HX-Request")
@require_publisher
def dispute_publish(request: SignedInRequest, slug: str) -> HttpResponse:
    return _publish(request, slug, True)


@require_POST
@vary_on_headers("HX-Request")
@require_publisher
def dispute_unpublish(request: SignedInRequest, slug: str) -> HttpResponse:
    return _publish(request, slug, False)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_senior
def dispute_delete(request: SignedInRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    if request.method == "POST":
        pk = dispute.pk
        services.dispute_delete(dispute=dispute, user=request.user)
        messages.success(request, _("Dispute deleted. Its history page can bring it back with everything on it."))
        url = reverse("claims:history", args=["dispute", pk])
        return go_to(request, url)
    return confirm_delete(
        request,
        what=_("this dispute, with all its claims, evidence and article links"),
        obj=dispute,
        action=reverse("claims:dispute-delete", args=[dispute.slug]),
        dom_id="dispute-header",
        cancel_url=dispute.get_absolute_url(),
        dispute=dispute,
    )
