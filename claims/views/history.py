"""Who changed what and when, for a dispute, claim, evidence, article link or source — and undo.

Logged-in readers see history (it names editors, so strangers do not). Editors can
restore any earlier version, including one from before a deletion: restoring is an
ordinary, recorded edit that can itself be undone, while deleting stays with senior
editors (see docs/decisions/0004-editing-conflicts-and-restore.md).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from claims import labels, selectors, services
from claims.decorators import require_editor, require_reader
from claims.models import Appearance, ArticleLink, Claim, Dispute, Evidence, Source
from claims.roles import AnyUser

from .htmx import SignedInRequest

KINDS: dict[str, type[models.Model]] = {
    "dispute": Dispute,
    "claim": Claim,
    "evidence": Evidence,
    "article": ArticleLink,
    "source": Source,
    "appearance": Appearance,
}


def _model_for(kind: str) -> type[models.Model]:
    try:
        return KINDS[kind]
    except KeyError:
        raise Http404("No history for that kind of object") from None


@require_safe
@require_reader
def object_history(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    model = _model_for(kind)
    version = request.GET.get("version", "")
    history = selectors.object_history(
        model=model,
        pk=pk,
        user=request.user,
        page_number=request.GET.get("page"),
        version=int(version) if version.isascii() and version.isdigit() and len(version) < 12 else None,
    )
    if history is None:
        raise Http404("No such object")
    context = {
        "back_url": history.back_url,
        "kind": kind,
        "pk": pk,
        "object": history.obj,
        "title": history.title,
        "entries": history.entries,
        "page": history.page,
        "first_number": history.page.paginator.count - history.page.start_index() + 1 if history.page else None,
        "version": history.version,
        "current_id": history.last_record.history_id,
        "before_last_id": history.before_last_id,
        "deleted": history.obj is None,
        **_merge_context(model, history, request.user),
        "deleted_children": history.deleted_children,
        "verbose_name": labels.model_name(model),
    }
    return render(request, "claims/history.html", context)


def _merge_context(model: type[models.Model], history: selectors.ObjectHistory, user: AnyUser) -> dict:
    """A claim deleted by a merge says so, and where it went (``services.claim_merge``), if
    ``user`` may see the claim it went into (a draft's is no reader's to find)."""
    record = history.last_record
    if model is not Claim or history.obj is not None or record is None:
        return {}
    reason = record.history_change_reason or ""
    if record.history_type != "-" or not reason.startswith(services.MERGE_REASON):
        return {}
    kept = reason.removeprefix(services.MERGE_REASON).split("(", 1)[0].strip()
    into = Claim.objects.visible_to(user).filter(pk=int(kept)).first() if kept.isdigit() else None
    return {"merged": True, "merged_into": into}


def _after_restore_url(instance: Any, kind: str) -> str:
    if isinstance(instance, Dispute):
        return instance.get_absolute_url()
    if isinstance(instance, Appearance):
        return instance.claim.get_absolute_url()
    if isinstance(instance, Claim | Evidence | ArticleLink):
        anchor = {"claim": "claim", "evidence": "evidence", "article": "article"}[kind]
        return instance.dispute.get_absolute_url() + f"#{anchor}-{instance.pk}"
    return instance.get_absolute_url()


@require_POST
@vary_on_headers("HX-Request")
@require_editor
def object_restore(request: SignedInRequest, kind: str, pk: int, history_id: int) -> HttpResponse:
    model = _model_for(kind)
    record = selectors.history_record(model=model, pk=pk, history_id=history_id, user=request.user)
    if record is None:
        raise Http404("No such version")
    try:
        instance = services.object_restore(model=model, record=record, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("claims:history", args=[kind, pk]))
    messages.success(
        request,
        _("Restored the %(what)s as of %(when)s.")
        % {"what": labels.model_name(model), "when": date_format(record.history_date, "SHORT_DATETIME_FORMAT")},
    )
    for note in getattr(instance, "restore_notes", []):
        messages.warning(request, note)
    url = _after_restore_url(instance, kind)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
