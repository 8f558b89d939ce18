"""Source check pages: the live badge, "check now", the history's diff, the archived copies.

Archived pages are hostile content. They are only ever offered as a download
(``Content-Disposition: attachment``, ``application/warc``, ``nosniff``, a sandboxing
CSP) or as plain text — never rendered as HTML from this site's origin.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.decorators import ratelimit

from claims.checking.jobs import check_progress, job_request
from claims.checking.preview import preview
from claims.checking.selectors import cached_text_diff, checks_for_diff
from claims.decorators import require_editor
from claims.models import CheckJob, SourceCheck
from claims.models.sources import normalize_source_url
from claims.ratelimits import heavy_rate, preview_rate
from claims.roles import can_edit

from .access import get_source_for_user
from .htmx import HtmxHttpRequest


def _with_progress(source):
    return check_progress(source)


@require_POST
@vary_on_headers("HX-Request")
def source_check_now(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    if not can_edit(request.user):
        raise PermissionDenied("Only editors can start a check.")
    source = get_source_for_user(request, pk)
    job_request(source=source, reason=CheckJob.Reason.MANUAL)
    if request.htmx:
        source.check_live = True
        return render(request, "claims/checks.html#source-badge", {"source": source})
    return redirect(source.get_absolute_url())


@require_safe
@vary_on_headers("HX-Request")
def source_badge(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    source = _with_progress(get_source_for_user(request, pk))
    return render(request, "claims/checks.html#badge-response", {"source": source})


@require_safe
@vary_on_headers("HX-Request")
@ratelimit(group="heavy", key="user_or_ip", rate=heavy_rate, block=True)
def source_check_diff(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    source = get_source_for_user(request, pk)
    old, new = checks_for_diff(source, request.GET.get("a"), request.GET.get("b"))
    context = {
        "source": source,
        "old": old,
        "new": new,
        "pieces": cached_text_diff(old, new) if old and new else [],
        "identical": bool(old and new and old.text_sha256 == new.text_sha256),
        "truncated": bool(old and new and (old.text_truncated or new.text_truncated)),
        "max_text_chars": settings.CHECKER_MAX_TEXT_CHARS,
    }
    template = "claims/checks.html#check-diff" if request.htmx else "claims/checks.html"
    return render(request, template, context)


def _check_for_user(request: HtmxHttpRequest, check_id: int) -> SourceCheck:
    check = get_object_or_404(SourceCheck.objects.select_related("source"), pk=check_id)
    get_source_for_user(request, check.source_id)
    return check


def _inert[R: HttpResponseBase](response: R) -> R:
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were talked into rendering it, no script runs and no request leaves.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@require_safe
def source_archive(request: HtmxHttpRequest, check_id: int) -> HttpResponseBase:
    check = _check_for_user(request, check_id)
    if not check.archive_name or not default_storage.exists(check.archive_name):
        raise Http404("No archived copy for this check")
    when = check.started_at.strftime("%Y%m%dT%H%M%SZ")
    response = FileResponse(
        default_storage.open(check.archive_name),
        as_attachment=True,
        filename=f"source-{check.source_id}-{when}.warc.gz",
        content_type="application/warc",
    )
    return _inert(response)


@require_safe
@ratelimit(group="heavy", key="user_or_ip", rate=heavy_rate, block=True)
def source_check_text(request: HtmxHttpRequest, check_id: int) -> HttpResponse:
    check = _check_for_user(request, check_id)
    return _inert(HttpResponse(check.text, content_type="text/plain; charset=utf-8"))


@require_POST
@vary_on_headers("HX-Request")
@require_editor
@ratelimit(group="source-preview", key="user_or_ip", rate=preview_rate, block=False)
def source_preview(request: HtmxHttpRequest) -> HttpResponse:
    """What a pasted source URL says it is, under the field, for the editor to confirm
    (every source URL field posts here as it is pasted: ``forms.SourceUrlInput``)."""
    raw = (request.POST.get("source_url") or request.POST.get("url") or "").strip()[:2000]
    context: dict = {"found": None, "refused": "", "limited": getattr(request, "limited", False)}
    if raw and not context["limited"]:
        try:
            url = normalize_source_url(raw)
        except ValidationError as error:
            context["refused"] = " ".join(error.messages)
        else:
            context["found"] = preview(url)
    return render(request, "claims/checks.html#source-preview", context)
