import hashlib

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from claims import link_previews, roles, selectors, visitor_pages
from claims.card_cache import RowCache
from claims.release import release_stamp

from .access import get_party_for_user
from .disputes import _relative_time_bucket, _wants_partial
from .htmx import HtmxHttpRequest


def _record(request: HtmxHttpRequest, party, stamp: int | None) -> selectors.PartyRecord:
    """The party's record and positions over time, once per version of the data and kind of viewer.

    Its aggregate and its positions' query read every claim of the party (30 ms of database
    time for a party with 1,500 claims). Every write they show renews a dispute's page
    stamp (its claims, verdicts, publishing, names), so, as the home page's results, they
    are cached under the newest stamp of all (``selectors.newest_page_stamp``), the party's
    own last change and whether the viewer sees drafts; not on SQLite (no stamps). Kept a
    minute: the newest stamp can miss a write committed out of order
    (``selectors.NEWEST_STAMP_SECONDS``).
    """
    drafts = roles.can_see_drafts(request.user)
    if stamp is None:
        return selectors.party_record(party=party, user=request.user)
    parts = (stamp, party.pk, party.updated_at, drafts, get_language(), release_stamp())
    key = "party-record:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    record = cache.get(key)
    if record is None:
        record = selectors.party_record(party=party, user=request.user)
        cache.set(key, record, selectors.NEWEST_STAMP_SECONDS)  # why not longer: see there
    return record


def _visitor_page_key(request: HtmxHttpRequest, slug: str) -> tuple[str | None, int | None]:
    """The key of the whole page as every visitor who is not signed in sees it (claims/visitor_pages.py).

    With the newest page stamp it read (else None, to be read by the caller). None for anyone
    signed in, for an htmx swap, with a message to show once, and on SQLite (no stamps).
    Everything the page shows: the party, its speakers and the newest stamp
    (``selectors.visitor_party_page_version``: a 404 if visitors may not see the party), the
    path and query string (the page number; the log-in link and language switcher come back
    to it), the language, scheme and host, the release and the bucket of relative times.
    """
    if connection.vendor != "postgresql" or not visitor_pages.for_visitor(request) or _wants_partial(request):
        return None, None
    if len(get_messages(request)):
        return None, None
    found = selectors.visitor_party_page_version(slug)
    if found is None:
        raise Http404("No party matches the given query.")
    version, newest = found
    return visitor_pages.key("party", version, request, _relative_time_bucket()), newest


@require_safe
@vary_on_headers("HX-Request")
def party_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A party's claims across the disputes this user may see, and how they fared.

    A visitor's page is rendered once per version and kept whole (``_visitor_page_key``);
    everyone else's claim rows come from the cache per their dispute's page stamp.
    """
    page_key, newest = _visitor_page_key(request, slug)
    if page_key and (page := cache.get(page_key)) is not None:
        return HttpResponse(visitor_pages.fill(request, page))
    party = get_party_for_user(request, slug)
    data = selectors.party_page_data(
        party=party,
        user=request.user,
        page_number=request.GET.get("page"),
        record=_record(request, party, newest if page_key else selectors.newest_page_stamp()),
    )
    template = "claims/party_detail.html#party-claims" if _wants_partial(request) else "claims/party_detail.html"
    # Each claim's row once per its dispute's page stamp and kind of viewer (claims/card_cache.py).
    rows = RowCache.for_view(user=request.user, bucket=_relative_time_bucket())
    rows.fetch_keys([rows.key("party-claim", claim) for claim in data.claims])
    context = {
        "party": party,
        "data": data,
        "preview": link_previews.party_preview(party, data),
        "card_cache": rows,
    }
    if page_key:
        page = render_to_string(template, context | visitor_pages.PLACEHOLDERS, request)
        rows.store()
        cache.set(page_key, page, selectors.NEWEST_STAMP_SECONDS)  # keyed by the newest stamp, as the record
        return HttpResponse(visitor_pages.fill(request, page))
    response = render(request, template, context)
    rows.store()
    return response
