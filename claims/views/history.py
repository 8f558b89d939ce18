"""Who changed what and when, for a dispute, claim, evidence, article link or source — and undo.

Logged-in readers see history (it names editors, so strangers do not). Editors can
restore any earlier version, including one from before a deletion: restoring is an
ordinary, recorded edit that can itself be undone, while deleting stays with senior
editors (see docs/decisions/0004-editing-conflicts-and-restore.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from claims import roles, services
from claims.decorators import require_editor, require_reader
from claims.models import ArticleLink, Claim, Dispute, Evidence, Source

KINDS: dict[str, type[models.Model]] = {
    "dispute": Dispute,
    "claim": Claim,
    "evidence": Evidence,
    "article": ArticleLink,
    "source": Source,
}


@dataclass
class HistoryEntry:
    record: object
    action: str
    changes: list[services.FieldChange]

    @property
    def reason(self) -> str:
        """The change reason without the restore token a deletion carries."""
        return re.sub(r" \([0-9a-f]{12}\)$", "", self.record.history_change_reason or "")


def _model_for(kind: str) -> type[models.Model]:
    try:
        return KINDS[kind]
    except KeyError:
        raise Http404("No history for that kind of object") from None


def _check_access(request: HttpRequest, model, pk: int, records: list) -> models.Model | None:
    """The live object (None if deleted), if this user may see its history; else 404."""
    obj = model._default_manager.filter(pk=pk).first()
    if not records and obj is None:
        raise Http404("Nothing by that number")
    if obj is not None:
        visible = model._default_manager.visible_to(request.user).filter(pk=pk).exists()
    elif roles.can_see_drafts(request.user):
        visible = True
    elif model in (Dispute, Source):
        # Deleted, it is on no published record any more.
        visible = False
    else:
        # A deleted claim, evidence or article is seen as its dispute is.
        visible = Dispute.objects.visible_to(request.user).filter(pk=records[0].dispute_id).exists()
    if not visible:
        raise Http404("No such object")
    return obj


ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _label(record) -> str:
    """How a historical record reads, even when what it points at is gone too."""
    try:
        return str(record.instance)
    except ObjectDoesNotExist:
        return f"{record.instance._meta.verbose_name} #{record.id}"


@require_safe
@require_reader
def object_history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model = _model_for(kind)
    records = list(model.history.filter(id=pk).select_related("history_user").order_by("-history_date", "-history_id"))
    obj = _check_access(request, model, pk, records)
    entries = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = (
            services.history_changes(model, record, older) if older is not None and record.history_type == "~" else []
        )
        entries.append(HistoryEntry(record=record, action=ACTIONS.get(record.history_type, "?"), changes=changes))
    deleted_children = []
    if model is Dispute:
        for child_kind, child_model in (("claim", Claim), ("evidence", Evidence), ("article", ArticleLink)):
            live = child_model._default_manager.filter(dispute_id=pk).values_list("pk", flat=True)
            gone = (
                child_model.history.filter(dispute_id=pk, history_type="-")
                .exclude(id__in=list(live))
                .order_by("-history_date")
            )
            seen = set()
            for record in gone:
                if record.id not in seen:
                    seen.add(record.id)
                    deleted_children.append((child_kind, record, _label(record)))
    title = str(obj) if obj is not None else (_label(records[0]) if records else "")
    back_url = ""
    if obj is None and model is not Dispute and model is not Source and records:
        parent = Dispute.objects.filter(pk=records[0].dispute_id).first()
        back_url = parent.get_absolute_url() if parent is not None else ""
    context = {
        "back_url": back_url,
        "kind": kind,
        "pk": pk,
        "object": obj,
        "title": title,
        "entries": entries,
        "deleted": obj is None,
        "deleted_children": deleted_children,
        "verbose_name": model._meta.verbose_name,
    }
    return render(request, "claims/history.html", context)


def _after_restore_url(instance: models.Model, kind: str) -> str:
    if isinstance(instance, Dispute):
        return instance.get_absolute_url()
    if isinstance(instance, Claim | Evidence | ArticleLink):
        anchor = {"claim": "claim", "evidence": "evidence", "article": "article"}[kind]
        return instance.dispute.get_absolute_url() + f"#{anchor}-{instance.pk}"
    return instance.get_absolute_url()


@require_POST
@vary_on_headers("HX-Request")
@require_editor
def object_restore(request: HttpRequest, kind: str, pk: int, history_id: int) -> HttpResponse:
    model = _model_for(kind)
    record = model.history.filter(id=pk, history_id=history_id).first()
    if record is None:
        raise Http404("No such version")
    _check_access(request, model, pk, [record])
    try:
        instance = services.object_restore(model=model, record=record, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("claims:history", args=[kind, pk]))
    messages.success(request, f"Restored the {model._meta.verbose_name} as of {record.history_date:%d %b %Y %H:%M}.")
    for note in getattr(instance, "restore_notes", []):
        messages.warning(request, note)
    url = _after_restore_url(instance, kind)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
