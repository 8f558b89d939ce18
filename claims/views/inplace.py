"""What every in-place editing view shares: fragments, forms, confirmations, redirects.

Every editing view works as a plain page without JavaScript (GET the form, POST,
redirect) and, for htmx requests, answers with just the fragment to swap: the form in
place of a card, the updated card on success, the header out of band when the status
moved. The views live by aggregate: ``editing_disputes``, ``editing_claims``,
``editing_evidence``, ``editing_articles``.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from claims import services
from claims.checking.jobs import check_progress
from claims.models import Dispute, Source

from .htmx import HtmxHttpRequest

FORMS_PAGE = "claims/forms.html"
DISPUTE_PAGE = "claims/dispute_detail.html"


def render_fragment(request: HtmxHttpRequest, template: str, context: dict, status: int = 200) -> str:
    return render_to_string(template, context, request=request)


def fragments(request: HtmxHttpRequest, *parts: str, status: int = 200) -> HttpResponse:
    return changed(HttpResponse("".join(parts), status=status))


def changed(response: HttpResponse) -> HttpResponse:
    """Tell the page something on the dispute moved, so it refreshes its timeline and counts."""
    return trigger_client_event(response, "dispute-changed")


def header_oob(request: HtmxHttpRequest, dispute: Dispute) -> str:
    dispute.refresh_from_db()
    return render_fragment(request, f"{FORMS_PAGE}#dispute-header-oob", {"dispute": dispute})


def form_response(
    request: HtmxHttpRequest,
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
    extra: dict | None = None,
) -> HttpResponse:
    context = {
        **(extra or {}),
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
        "submission_key": submission_key(request) or uuid.uuid4().hex,
    }
    template = f"{FORMS_PAGE}#edit-form" if request.htmx else FORMS_PAGE
    response = HttpResponse(render_fragment(request, template, context), status=status)
    return response


def submission_key(request: HtmxHttpRequest) -> str:
    return request.POST.get("submission", "") if request.method == "POST" else ""


def already_sent(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """A second submit of a form whose first result is gone (deleted since): say so, create nothing."""
    messages.info(request, _("This form had already been sent; what it added has been deleted since."))
    return go_to(request, url)


def with_current_version(request: HtmxHttpRequest, conflict: services.EditConflict) -> QueryDict:
    """The editor's own input, now based on the version they have been shown."""
    data = request.POST.copy()
    data["version"] = str(conflict.current_version)
    return data


def card(request: HtmxHttpRequest, partial: str, context: dict) -> str:
    return render_fragment(request, f"{DISPUTE_PAGE}#{partial}", context)


def with_check_progress(source: Source | None) -> None:
    """Give a freshly saved source its ``check_live`` flag, so its badge polls while the new check runs."""
    if source is not None:
        check_progress(source)


def added_in_place(request: HtmxHttpRequest, *, slot: str, target: str, item: str, extra=()) -> HttpResponse:
    """The answer to an in-place add: the "add" slot comes back closed and the new item is appended to ``target``."""
    return fragments(
        request, slot, render_fragment(request, f"{FORMS_PAGE}#oob-append", {"target": target, "html": item}), *extra
    )


def done(request: HtmxHttpRequest, message: str, url: str) -> HttpResponseRedirect:
    messages.success(request, message)
    return redirect(url)


def go_to(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Leave the page: a redirect, or for htmx a client-side one (a swap would nest a page in a card)."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def confirm_delete(
    request, *, what, obj, action, dom_id, cancel_url, dispute, root_tag="section", refusal: str = ""
) -> HttpResponse:
    """The "Delete …?" question; ``refusal`` says why the delete just asked for could not be done."""
    context = {
        "refusal": refusal,
        "root_tag": root_tag,
        "what": what,
        "object": obj,
        "action": action,
        "dom_id": dom_id,
        "cancel_url": cancel_url,
        "dispute": dispute,
        "page": "confirm-delete",
        "title": _("Delete?"),
    }
    template = f"{FORMS_PAGE}#confirm-delete" if request.htmx else FORMS_PAGE
    return HttpResponse(render_fragment(request, template, context))


def deleted_notice(request, *, dom_id: str, label: str, kind: str, pk: int, dispute: Dispute) -> str:
    root_tag = "li" if kind in ("evidence", "article") else "p"
    return render_fragment(
        request,
        f"{FORMS_PAGE}#deleted-notice",
        {"dom_id": dom_id, "label": label, "kind": kind, "pk": pk, "dispute": dispute, "root_tag": root_tag},
    )
