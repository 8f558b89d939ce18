"""RSS 2.0 and Atom 1.0 feeds: the disputed-claims feed, one per dispute, one per party.

Each item is a ``FeedItem`` (a new claim or counterclaim, evidence, an article,
a source that changed or died, a status or verdict change) with a guid that never
changes. Responses answer conditional GETs with 304 without building the feed, and
each version of a feed is rendered once and then served from the cache.
On a private site (``SITE_PRIVATE``) a feed needs ``?token=`` with the reader's
``FeedToken``; the session cookie does not open it.
"""

import functools
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from claims import selectors
from claims.cache_headers import cache_for_everyone
from claims.languages import in_site_language
from claims.models import Dispute, DisputePageStamp, FeedItem, FeedToken, Party
from claims.models.feed_items import FeedItemQuerySet
from claims.release import release_stamp

from .htmx import HtmxHttpRequest, SignedInRequest

FEED_LENGTH = 50
# A feed is read by whoever it is passed on to, so it shows what a stranger may see,
# whoever's token opened it.
FEED_READER = None
# Feed readers poll; five minutes of caching costs a reader little and saves the database.
MAX_AGE = 300
# A rendered version is keyed by its ETag, so it never goes stale; this only bounds memory.
FEED_CACHE_SECONDS = 24 * 3600


@dataclass
class FeedScope:
    """What one feed covers: a title, the page it mirrors, and its feed items."""

    title: str
    description: str
    link: str
    items: FeedItemQuerySet
    guid: str = ""  # the Atom feed id: the feed's own URL, set per request


def disputed_scope() -> FeedScope:
    return FeedScope(
        title=_("%(site)s: disputed claims") % {"site": settings.SITE_NAME},
        description=_(
            "What changed on disputes where the parties' claims contradict each other: new claims and "
            "counterclaims, evidence, articles, sources that changed or vanished, status and verdict changes."
        ),
        link=reverse("claims:home"),
        items=FeedItem.objects.visible_to(FEED_READER).on_disputed(),
    )


def dispute_scope(slug: str) -> FeedScope:
    dispute = get_object_or_404(Dispute.objects.visible_to(FEED_READER), slug=slug)
    return FeedScope(
        title=f"{settings.SITE_NAME}: {dispute}",
        description=_("Developments on the dispute “%(proposition)s”.") % {"proposition": dispute.proposition},
        link=dispute.get_absolute_url(),
        items=FeedItem.objects.visible_to(FEED_READER).filter(dispute=dispute),
    )


def party_scope(slug: str) -> FeedScope:
    # A party known from drafts alone has no feed yet.
    party = get_object_or_404(Party.objects.visible_to(FEED_READER), slug=slug)
    return FeedScope(
        title=_("%(site)s: disputes involving %(party)s") % {"site": settings.SITE_NAME, "party": party.display_name},
        description=_("Developments on the disputes where %(party)s has made a claim.") % {"party": party.display_name},
        link=party.get_absolute_url(),
        items=FeedItem.objects.visible_to(FEED_READER).for_party(party),
    )


class RssFeed(Feed):
    """RSS 2.0 of a ``FeedScope``; the object passed around is the scope."""

    feed_type = Rss201rev2Feed
    description_template = "claims/feeds/feed_item_description.html"
    item_guid_is_permalink = False

    def title(self, scope: FeedScope) -> str:
        return scope.title

    def description(self, scope: FeedScope) -> str:
        return scope.description

    def subtitle(self, scope: FeedScope) -> str:
        return scope.description

    def link(self, scope: FeedScope) -> str:
        return scope.link

    def feed_guid(self, scope: FeedScope) -> str:
        return scope.guid

    def author_name(self) -> str:
        return settings.ORGANISATION_NAME

    def items(self, scope: FeedScope):
        return scope.items.for_feed().newest_first()[:FEED_LENGTH]

    def item_title(self, item: FeedItem) -> str:
        # RSS readers disagree on whether a title is text or HTML; escaping it, as Django does,
        # shows the literal text in both kinds of reader.
        return escape(item.title)

    def item_link(self, item: FeedItem) -> str:
        return item.dispute.get_absolute_url()

    def item_guid(self, item: FeedItem) -> str:
        return item.guid

    def item_pubdate(self, item: FeedItem):
        return item.created_at

    def item_updateddate(self, item: FeedItem):
        return item.created_at

    def item_categories(self, item: FeedItem) -> list[str]:
        return sorted({claim.party.name for claim in item.dispute.claims.all()})

    def get_context_data(self, **kwargs) -> dict:
        return {"item": kwargs["item"], "site": kwargs.get("site")}


class AtomFeed(RssFeed):
    feed_type = Atom1Feed  # type: ignore[assignment]  # Django's own pairing of a feed class and type

    def item_title(self, item: FeedItem) -> str:
        # Atom titles are declared text, so no escaping beyond the XML's own.
        return item.title


def feed_token_is_valid(request: HtmxHttpRequest) -> bool:
    token = request.GET.get("token", "")
    return bool(token) and FeedToken.objects.filter(token=token, user__is_active=True).exists()


def _feed_stamp(feed: RssFeed, scope: FeedScope, request: HtmxHttpRequest) -> tuple[str, int | None]:
    """The feed's ETag and Last-Modified timestamp, from the rows it would list.

    One query over the newest FEED_LENGTH items, their disputes and the disputes' page
    stamps (an index walk that stops after them, whatever the number of feed items), not
    an aggregate over all of the scope's feed items: a new item, one dropping out of the
    scope (a dispute no longer disputed or unpublished), an edit that touched an item's
    dispute, or anything the item shows from its dispute (party names, source titles,
    the parties' positions: all renew the dispute's page stamp) changes it.
    """
    stamp = Subquery(DisputePageStamp.objects.filter(dispute_id=OuterRef("dispute_id")).values("changed")[:1])
    rows = list(
        scope.items.newest_first()
        .annotate(page_stamp=stamp)
        .values_list(
            "pk", "created_at", "dispute__last_activity_at", "dispute__updated_at", "dispute__slug", "page_stamp"
        )[:FEED_LENGTH]
    )
    moments = [m for row in rows for m in (row[1], row[2]) if m is not None]
    last_modified = int(max(moments).replace(microsecond=0).timestamp()) if moments else None
    fingerprint = repr((type(feed).__name__, request.get_host(), request.path, rows))
    return '"' + hashlib.sha256(fingerprint.encode()).hexdigest()[:32] + '"', last_modified


# How long the ETag worked out for one version of the data is reused. A version is the
# newest page stamp, which two writes committing out of order can leave unchanged for the
# second: this bounds how long such a feed could be answered 304 (the feed's own max-age
# already lets readers keep a copy five times as long).
FEED_STAMP_SECONDS = selectors.NEWEST_STAMP_SECONDS

# Validators this process has already read from the shared cache, until the moment the shared
# entry itself expires: an up-to-date reader is then answered without a round trip to Redis
# (about a fifth of a 304's time, docs/performance.md). Keyed like the shared entry, so a new
# version is a miss here too. Bounded: emptied when full.
_SEEN_MAX = 256
_seen: dict[str, tuple[float, tuple[str, int | None]]] = {}


def forget_seen_validators() -> None:
    """Empty this process's copies (tests: ids and stamps of rolled-back data)."""
    _seen.clear()


def _feed_validators(feed: RssFeed, make_scope, request: HtmxHttpRequest) -> tuple[str, int | None]:
    """The feed's ETag and Last-Modified, worked out once per version of the data.

    On PostgreSQL every write that changes any feed renews the newest page stamp (the
    triggers of migration 0013, and 0018's on feed items), read by one index-only query:
    while it is unchanged, the validators come from this process's memory or the shared
    cache, so a reader who is up to date is answered 304 from that one query, without
    building the feed's scope or reading its items. SQLite (no triggers) works them out
    every time.
    """
    version = selectors.newest_page_stamp()
    if version is None:
        return _feed_stamp(feed, make_scope(), request)
    parts = (type(feed).__name__, request.get_host(), request.path, version, release_stamp())
    # A new prefix for a new shape of entry (an older release's entries hold the validators alone).
    key = "feed-validators:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    now = time.time()
    seen = _seen.get(key)
    if seen is not None and seen[0] > now:
        return seen[1]
    found = cache.get(key)
    if found is None:
        # The moment it lapses travels with it, so no process keeps it longer than the shared cache does.
        found = (now + FEED_STAMP_SECONDS, _feed_stamp(feed, make_scope(), request))
        cache.set(key, found, FEED_STAMP_SECONDS)
    if len(_seen) >= _SEEN_MAX:
        _seen.clear()
    _seen[key] = found
    return found[1]


@in_site_language
def serve_feed(request: HtmxHttpRequest, feed: RssFeed, make_scope) -> HttpResponse:
    """Answer a feed request: 304 if the reader is up to date, else the feed, rendered once per version.

    ``make_scope`` builds the feed's ``FeedScope`` (a 404 if its dispute or party is not
    public), called only when the feed's rows are read. The rendered feed is cached under
    its ETag, so every reader after the first gets the same bytes without a template being
    run; a new version has a new key.
    """
    etag, timestamp = _feed_validators(feed, make_scope, request)
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        key = f"feed:{etag.strip(chr(34))}"
        cached = cache.get(key)
        if cached is None:
            scope = make_scope()
            scope.guid = request.build_absolute_uri(request.path)
            feedgen = feed.get_feed(scope, request)
            content_type = feedgen.content_type  # type: ignore[attr-defined]  # set by each feed type
            rendered = HttpResponse(content_type=content_type)
            feedgen.write(rendered, "utf-8")
            cached = (content_type, rendered.content)
            cache.set(key, cached, FEED_CACHE_SECONDS)
        response = HttpResponse(cached[1], content_type=cached[0])
    response.headers["ETag"] = etag
    if timestamp:
        response.headers["Last-Modified"] = http_date(timestamp)
    return cache_for_everyone(response, MAX_AGE)


def _feed_view(feed: RssFeed, make_scope):
    @require_safe
    def view(request: HtmxHttpRequest, **kwargs) -> HttpResponse:
        if settings.SITE_PRIVATE and not feed_token_is_valid(request):
            return HttpResponseForbidden(
                _("This site is private: add ?token=… with your feed token (see /account/feed-token/)."),
                content_type="text/plain; charset=utf-8",
            )
        return serve_feed(request, feed, functools.partial(_once, make_scope, kwargs, {}))

    return view


def _once(make_scope, kwargs: dict, memo: dict) -> FeedScope:
    """``make_scope(**kwargs)``, built at most once per request (its lookup is a query)."""
    if "scope" not in memo:
        memo["scope"] = make_scope(**kwargs)
    return memo["scope"]


rss, atom = RssFeed(), AtomFeed()
disputed_rss = _feed_view(rss, disputed_scope)
disputed_atom = _feed_view(atom, disputed_scope)
dispute_rss = _feed_view(rss, dispute_scope)
dispute_atom = _feed_view(atom, dispute_scope)
party_rss = _feed_view(rss, party_scope)
party_atom = _feed_view(atom, party_scope)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def feed_token(request: SignedInRequest) -> HttpResponse:
    """A reader's feed token for a private site: see it, make or rotate it, or revoke it."""
    token = FeedToken.objects.filter(user=request.user).first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            if token:
                token.delete()
        elif token:
            token.rotate()
        else:
            FeedToken.objects.create(user=request.user)
        return redirect("claims:feed-token")
    links = []
    if token:
        for label, name in [
            ("Disputed claims (RSS)", "claims:feed-disputed"),
            ("Disputed claims (Atom)", "claims:feed-disputed-atom"),
        ]:
            links.append((label, request.build_absolute_uri(reverse(name)) + f"?token={token.token}"))
    return render(request, "claims/feed_token.html", {"token": token, "links": links})
