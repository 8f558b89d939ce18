import hashlib
import time

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from claims import link_previews, roles, selectors, visitor_pages
from claims.card_cache import CardCache, RowCache
from claims.filters import DisputeFilterForm
from claims.jsonld import claimreview_payload
from claims.public_parties import public_party_ids
from claims.release import release_stamp

from . import sharing
from .access import get_dispute_for_user
from .htmx import HtmxHttpRequest

# Relative times on the page ("checked 3 hours ago") age without any write; a repeat
# view is answered 304 only within the same ten minutes.
RELATIVE_TIME_BUCKET_SECONDS = 600


def _relative_time_bucket() -> int:
    return int(time.time() // RELATIVE_TIME_BUCKET_SECONDS)


def _wants_partial(request: HtmxHttpRequest) -> bool:
    """An htmx swap gets the partial; an htmx history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_safe
@vary_on_headers("HX-Request")
def dispute_list(request: HtmxHttpRequest) -> HttpResponse:
    """The home page: disputes that moved most recently first, filtered and searched by the query string.

    The results (count, rows, pages) are rendered once per version of the data, kind of
    viewer, query string and interface language, and cached: the newest dispute page stamp changes with
    every write any row shows, so a new key replaces the old one and nothing is deleted.
    """
    key = _shared_list_key(request)
    results = cache.get(key) if key else None
    form = None
    if results is None:
        # Each dispute's row once per its page stamp (claims/card_cache.py): a search or a
        # write renders only the rows not seen under their stamp, and reads nothing else for
        # them. The rows show no relative time, hence no ten-minute bucket.
        rows = RowCache.for_view(user=request.user, bucket=0)
        page = selectors.dispute_list_page(
            user=request.user, params=request.GET, rendered=lambda disputes: rows.cached("dispute-row", disputes)
        )
        form = page.form
        context = {"listing": page, "form": form, "page_obj": page.page, "card_cache": rows}
        results = render_to_string("claims/dispute_list.html#results", context, request)
        rows.store()
        if key:
            cache.set(key, results, LIST_CACHE_SECONDS)
    if _wants_partial(request):
        return HttpResponse(results)
    context = {
        "filter_form": mark_safe(_filter_form_html(request, form)),  # noqa: S308 — rendered HTML
        "results": mark_safe(results),  # noqa: S308 — rendered HTML
        "preview": link_previews.home_preview(),
    }
    return render(request, "claims/dispute_list.html", context)


def _filter_form_html(request, form) -> str:
    """The home page's filter form, rendered once per value of its fields, kind of viewer and party list.

    Rendering its widgets (the party select above all) was most of the full page's time.
    What it shows depends on the query string (values, errors), whether the viewer sees
    drafts (which parties are listed) and the parties themselves: their version
    (``selectors.party_list_version``) and, for readers and visitors, which are public.
    """
    drafts = roles.can_see_drafts(request.user)
    public = None if drafts else tuple(public_party_ids())
    # Only the form's own fields: a page number or a link's tracking parameters change nothing in it.
    values = [(name, request.GET.getlist(name)) for name in DisputeFilterForm.base_fields]
    parts = (selectors.party_list_version(), public, drafts, values, release_stamp(), get_language())
    key = "dispute-list-form:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    html = cache.get(key)
    if html is None:
        if form is None:
            form = selectors.dispute_list_form(user=request.user, params=request.GET)
        html = render_to_string("claims/dispute_list.html#filter-form", {"form": form}, request)
        cache.set(key, html, LIST_CACHE_SECONDS)
    return html


# A cached list is replaced by the next write anyway, but its key (the newest stamp of all, the
# parties' newest change) can miss a write that committed out of order: a minute at most
# (selectors.NEWEST_STAMP_SECONDS).
LIST_CACHE_SECONDS = selectors.NEWEST_STAMP_SECONDS


def _shared_list_key(request: HtmxHttpRequest) -> str | None:
    """The cache key of the home page's results for this request; None where there is no version (SQLite)."""
    stamp = selectors.newest_page_stamp()
    if stamp is None:
        return None
    parts = (stamp, roles.can_see_drafts(request.user), request.GET.urlencode(), release_stamp(), get_language())
    return "dispute-list:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _dispute_page_etag(request: HtmxHttpRequest, stamp: str, variant: str) -> str | None:
    """What this viewer would see of this dispute, as an ETag; None when it must not be reused.

    The dispute's page version (selectors.dispute_page_version) plus everything else the
    HTML depends on: the viewer (name in the header, editing controls), their CSRF
    cookie (the token in the page), the variant (partial or whole page, query
    string), the interface language, the release (templates) and the ten-minute bucket
    of relative times.
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
    bucket = _relative_time_bucket()
    parts = repr((stamp, viewer, variant, get_language(), release_stamp(), bucket))
    return '"' + hashlib.sha256(parts.encode()).hexdigest()[:32] + '"'


def _page_version_or_404(request: HtmxHttpRequest, slug: str) -> selectors.PageVersion:
    version = selectors.dispute_page_version(slug=slug, user=request.user)
    if version is None:
        raise Http404("No dispute matches the given query.")
    return version


def _shared_copy_key(request: HtmxHttpRequest, stamp: str, variant: str) -> str | None:
    """The cache key of the page's body as every viewer of this kind sees it; None: not shared.

    Like the ETag, but without who the viewer is: readers and visitors see the same
    body, in their interface language. Editors' bodies carry forms with their CSRF token, so they are never shared.
    The dispute's stamp is in the key: any write makes a new key, nothing is deleted.
    """
    user = request.user
    if roles.can_edit(user):
        return None
    parts = (
        stamp,
        user.is_authenticated,
        variant,
        get_language(),
        request.get_host(),
        release_stamp(),
        _relative_time_bucket(),
    )
    return "dispute-body:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@require_safe
@vary_on_headers("HX-Request")
def dispute_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One dispute: claims side by side by stance, evidence, later articles and the timeline.

    A repeat view of an unchanged dispute is answered 304 from the lookup query alone;
    a first view by a reader or visitor gets the body rendered for the dispute's
    current stamp once (per web process without a shared cache), from the cache.
    """
    version = _page_version_or_404(request, slug)
    partial = _wants_partial(request)
    etag = _dispute_page_etag(request, version.stamp, f"{partial}|{request.GET.urlencode()}")
    if etag and (not_modified := get_conditional_response(request, etag=etag)) is not None:
        return not_modified
    # A visitor's whole page, stored once per stamp (claims/visitor_pages.py); not with a pending
    # message (no ETag then), which is shown once.
    page_key = _visitor_page_key(request, version.stamp) if etag and not partial else None
    if page_key and (page := cache.get(page_key)) is not None:
        return _with_etag(HttpResponse(visitor_pages.fill(request, page)), etag)
    dispute = get_dispute_for_user(request, slug)
    key = _shared_copy_key(request, version.stamp, request.GET.urlencode())
    copy = cache.get(key) if key else None
    if copy is None:
        data, payload, sides = _page_data(request, dispute, version.stamp)
        # Each card once per page stamp and kind of viewer, whatever the query string (claims/card_cache.py).
        cards = CardCache.for_view(stamp=version.stamp, user=request.user, bucket=_relative_time_bucket())
        cards.fetch(data)
        # Timeline marks jump to their cards; on a cut-down page, to the page with every card.
        context = {
            "dispute": dispute,
            "data": data,
            "mark_prefix": "?all=1" if data.is_truncated else "",
            "card_cache": cards,
        }
        if not data.timeline_is_lazy:
            context["timeline"] = data.timeline
        if dispute.is_published and roles.can_edit(request.user):
            context["embed_snippet"] = sharing.embed_snippet(request, dispute.slug, dispute.proposition)
        body = render_to_string("claims/dispute_detail.html#dispute-body", context, request)
        cards.store()
        copy = (body, payload, sides)
        if key:
            cache.set(key, copy, RELATIVE_TIME_BUCKET_SECONDS)
    body, payload, sides = copy
    if partial:
        return _with_etag(HttpResponse(body), etag)
    context = {"dispute": dispute, "body": mark_safe(body), "claimreview_payload": payload}  # noqa: S308 — rendered HTML
    if dispute.is_published:
        # Link previews and oEmbed discovery: published disputes only (docs/sharing.md).
        context["preview"] = link_previews.dispute_preview(dispute, sides)
        context["oembed_url"] = sharing.oembed_discovery_url(request, dispute)
    if page_key:
        page = render_to_string("claims/dispute_detail.html", context | visitor_pages.PLACEHOLDERS, request)
        cache.set(page_key, page, RELATIVE_TIME_BUCKET_SECONDS)
        return _with_etag(HttpResponse(visitor_pages.fill(request, page)), etag)
    return _with_etag(render(request, "claims/dispute_detail.html", context), etag)


def _visitor_page_key(request: HtmxHttpRequest, stamp: str) -> str | None:
    """The key of the dispute page as every visitor who is not signed in sees it; None for anyone else.

    What the page shows besides the body's key: the path and query string (the log-in link
    and the language switcher come back to it), the scheme and host (oEmbed discovery, the
    ClaimReview's absolute URLs).
    """
    if not visitor_pages.for_visitor(request):
        return None
    return visitor_pages.key("dispute", stamp, request, _relative_time_bucket())


def _page_data(request: HtmxHttpRequest, dispute, stamp: str) -> tuple[selectors.DisputePageData, str, list]:
    """The page's rows, its ClaimReview and its sides for link previews, read once per page stamp.

    None of it depends on the viewer (the rows are the dispute's, drafts are the dispute's
    own business: only who may see the dispute is checked, by the view), so every viewer,
    query string and kind of request shares them until a write renews the stamp. The
    ClaimReview holds absolute URLs, hence the scheme and host in the key.
    """
    show_all = request.GET.get("all") == "1"
    parts = (stamp, show_all, request.scheme, request.get_host(), get_language(), release_stamp())
    key = "dispute-data:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    found = cache.get(key)
    if found is not None:
        return found
    data = selectors.dispute_page_data(dispute=dispute, show_all=show_all)
    if not data.timeline_is_lazy:
        data.timeline  # noqa: B018 — built now, so it is cached with the rows
    # The ClaimReview reads the dispute's claims itself when the page read only the ones it shows.
    payload = claimreview_payload(dispute, request=request, claims=data.claims if data.complete else None)
    found = (data, payload, link_previews.dispute_sides_from_columns(data.columns))
    cache.set(key, found, RELATIVE_TIME_BUCKET_SECONDS)
    return found


def _with_etag(response: HttpResponse, etag: str | None) -> HttpResponse:
    if etag:
        response.headers["ETag"] = etag
        # Always revalidate; only the browser keeps a copy, since it differs per viewer.
        patch_cache_control(response, private=True, no_cache=True)
    return response


@require_safe
@vary_on_headers("HX-Request")
def dispute_timeline(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A dispute's timeline: what a big dispute's page loads when it is scrolled to, or a page of its own."""
    version = _page_version_or_404(request, slug)
    partial = _wants_partial(request)
    etag = _dispute_page_etag(request, version.stamp, f"timeline|{partial}")
    if etag and (not_modified := get_conditional_response(request, etag=etag)) is not None:
        return not_modified
    dispute = get_dispute_for_user(request, slug)
    data = selectors.dispute_timeline_data(dispute)
    template = "claims/dispute_detail.html#timeline" if partial else "claims/dispute_timeline.html"
    context = {"dispute": dispute, "data": data, "timeline": data.timeline}
    context["mark_prefix"] = dispute.get_absolute_url() + ("?all=1" if data.truncates_by_default else "")
    return _with_etag(render(request, template, context), etag)
