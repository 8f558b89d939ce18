import hashlib
import time

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from claims import roles, selectors
from claims.release import release_stamp

from .access import get_dispute_for_user

# Relative times on the page ("checked 3 hours ago") age without any write; a repeat
# view is answered 304 only within the same ten minutes.
RELATIVE_TIME_BUCKET_SECONDS = 600


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx swap gets the partial; an htmx history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_safe
@vary_on_headers("HX-Request")
def dispute_list(request: HttpRequest) -> HttpResponse:
    """The home page: disputes that moved most recently first, filtered and searched by the query string."""
    page = selectors.dispute_list_page(request.user, request.GET)
    template = "claims/dispute_list.html#results" if _wants_partial(request) else "claims/dispute_list.html"
    return render(request, template, {"listing": page, "form": page.form, "page_obj": page.page})


def _dispute_page_etag(request: HttpRequest, dispute, variant: str) -> str | None:
    """What this viewer would see of this dispute, as an ETag; None when it must not be reused.

    The dispute's stamp (selectors.disputes_with_page_stamp) plus everything else the
    HTML depends on: the viewer (name in the header, editing controls), their CSRF
    cookie (the token in the page), the variant (partial or whole page, query
    string), the release (templates) and the ten-minute bucket of relative times.
    """
    if len(get_messages(request)):
        return None  # a one-off message is shown once; never answer it with an old copy
    user = request.user
    viewer = (
        user.pk if user.is_authenticated else None,
        roles.can_edit(user),
        roles.can_publish(user),
        roles.can_settle(user),
        roles.can_delete(user),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
    )
    bucket = int(time.time() // RELATIVE_TIME_BUCKET_SECONDS)
    parts = repr((selectors.dispute_page_stamp(dispute), viewer, variant, release_stamp(), bucket))
    return '"' + hashlib.sha256(parts.encode()).hexdigest()[:32] + '"'


@require_safe
@vary_on_headers("HX-Request")
def dispute_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One dispute: claims side by side by stance, evidence, later articles and the timeline.

    A repeat view of an unchanged dispute is answered 304 from the lookup query alone.
    """
    dispute = get_dispute_for_user(request, slug, queryset=selectors.disputes_with_page_stamp())
    partial = _wants_partial(request)
    etag = _dispute_page_etag(request, dispute, f"{partial}|{request.GET.urlencode()}")
    if etag and (not_modified := get_conditional_response(request, etag=etag)) is not None:
        return not_modified
    data = selectors.dispute_page_data(dispute, show_all=request.GET.get("all") == "1")
    template = "claims/dispute_detail.html#dispute-body" if partial else "claims/dispute_detail.html"
    # Timeline marks jump to their cards; on a cut-down page, to the page with every card.
    context = {"dispute": dispute, "data": data, "mark_prefix": ""}
    if not data.timeline_is_lazy:
        context["timeline"] = data.timeline
    if data.is_truncated:
        context["mark_prefix"] = "?all=1"
    return _with_etag(render(request, template, context), etag)


def _with_etag(response: HttpResponse, etag: str | None) -> HttpResponse:
    if etag:
        response.headers["ETag"] = etag
        # Always revalidate; only the browser keeps a copy, since it differs per viewer.
        patch_cache_control(response, private=True, no_cache=True)
    return response


@require_safe
@vary_on_headers("HX-Request")
def dispute_timeline(request: HttpRequest, slug: str) -> HttpResponse:
    """A dispute's timeline: what a big dispute's page loads when it is scrolled to, or a page of its own."""
    dispute = get_dispute_for_user(request, slug, queryset=selectors.disputes_with_page_stamp())
    partial = _wants_partial(request)
    etag = _dispute_page_etag(request, dispute, f"timeline|{partial}")
    if etag and (not_modified := get_conditional_response(request, etag=etag)) is not None:
        return not_modified
    data = selectors.dispute_page_data(dispute)
    template = "claims/dispute_detail.html#timeline" if partial else "claims/dispute_timeline.html"
    context = {"dispute": dispute, "data": data, "timeline": data.timeline}
    context["mark_prefix"] = dispute.get_absolute_url() + ("?all=1" if data.is_truncated else "")
    return _with_etag(render(request, template, context), etag)
