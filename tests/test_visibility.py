"""Draft data never reaches anyone who may not see drafts, on any URL the site serves.

The world below seeds drafts of every kind — disputes, claims, speakers and parties
known only from drafts, evidence and its links, article links, sources cited only by
drafts, check results and the quote results of draft claims — each carrying a string
that contains ``MARK``. The crawl then asks for every URL the resolver knows (so a new
route is covered the day it is added), filled with the ids and slugs of both public
and draft objects, follows every link and ``hx-get`` on the pages it gets, reads every
feed as a feed reader, every API route with a reader's token and every CSV export, with
and without query arguments, as a stranger, a reader and a reader with a feed token, on
a public and on a private site. The marker must appear nowhere: not in a body, not in a
header (a CSV's file name is made from a slug).
"""

import itertools
import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from claims import roles
from claims.models import (
    ApiToken,
    ArticleLink,
    Claim,
    Dispute,
    Evidence,
    EvidenceLink,
    FeedItem,
    FeedToken,
    Party,
    QuoteCheck,
    Source,
    SourceCheck,
    Speaker,
    Stance,
)

from .factories import (
    ArticleLinkFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceFactory,
    PartyFactory,
    SourceFactory,
    SpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# No word a page would print by chance; every draft string below contains it.
MARK = "Qzxdraftmark"
# Enough for every route × every candidate and the links found on the way; a runaway
# crawl (a link that grows its own query string) fails instead of hanging.
MAX_REQUESTS = 3000


def marked(what: str) -> str:
    return f"{MARK} {what}"


@pytest.fixture
def world(db):
    """A published dispute with ordinary data, and drafts of every kind around it."""
    public_party = PartyFactory(name="Ministry of Public Record", slug="public-ministry")
    public_source = SourceFactory(url="https://news.example.org/public", title="Public story")
    published = DisputeFactory(slug="public-dispute", proposition="The public proposition holds.")
    public_claim = ClaimFactory(dispute=published, party=public_party, source=public_source, quote="Public words.")
    public_evidence = EvidenceFactory(dispute=published, released_by=public_party, source=public_source)
    public_article = ArticleLinkFactory(dispute=published, source=SourceFactory(title="Public follow-up"))

    draft = DisputeFactory(
        slug="unseen-dispute",
        is_published=False,
        proposition=marked("the draft proposition"),
        summary=marked("draft summary"),
    )
    # A speaker added through the draft's claim form, speaking for a party that is public.
    draft_speaker = SpeakerFactory(party=public_party, name=marked("speaker"), role=marked("role"))
    draft_party = PartyFactory(name=marked("party"), slug="unseen-party", description=marked("party description"))
    draft_party_speaker = SpeakerFactory(party=draft_party, name=marked("speaker of a draft party"))
    draft_only_source = SourceFactory(
        url="https://unseen.example.org/story", title=marked("source title"), publisher=marked("publisher")
    )
    claim_on_public_source = ClaimFactory(
        dispute=draft,
        party=public_party,
        speaker=draft_speaker,
        source=public_source,
        quote=marked("quote citing a public source"),
        paraphrase=marked("paraphrase"),
    )
    draft_claim = ClaimFactory(
        dispute=draft,
        party=draft_party,
        speaker=draft_party_speaker,
        stance=Stance.DENIES,
        source=draft_only_source,
        quote=marked("quote citing a draft-only source"),
    )
    draft_evidence = EvidenceFactory(
        dispute=draft,
        released_by=draft_party,
        title=marked("evidence"),
        description=marked("evidence description"),
        source=draft_only_source,
    )
    EvidenceLink.objects.create(evidence=draft_evidence, claim=draft_claim, effect="supports", note=marked("link"))
    ArticleLinkFactory(
        dispute=draft,
        source=SourceFactory(url="https://unseen.example.org/article", title=marked("article")),
        note=marked("article note"),
    )
    # The public source's check found a draft claim's quote missing (and says what it matched).
    public_check = SourceCheck.objects.create(
        source=public_source, outcome="quote_missing", http_status=200, text="Public text.", text_sha256="a" * 64
    )
    QuoteCheck.objects.create(
        check_run=public_check, claim=claim_on_public_source, present=False, score=12, matched_text=marked("matched")
    )
    SourceCheck.objects.create(
        source=public_source, outcome="ok", http_status=200, text="Public text again.", text_sha256="b" * 64
    )
    SourceCheck.objects.create(
        source=draft_only_source,
        outcome="gone",
        http_status=404,
        title=marked("check title"),
        text=marked("check text"),
        text_sha256="c" * 64,
        error=marked("check error"),
    )
    # Once published, then taken back to draft: its feed items must go with it.
    withdrawn = DisputeFactory(slug="withdrawn-dispute", proposition=marked("withdrawn proposition"))
    ClaimFactory(dispute=withdrawn, party=public_party, quote=marked("withdrawn quote"))
    withdrawn.is_published = False
    withdrawn.save()

    assert FeedItem.objects.filter(dispute__is_published=False).count() >= 5
    return {
        "published": published,
        "public_party": public_party,
        "public_source": public_source,
        "public_claim": public_claim,
        "public_evidence": public_evidence,
        "public_article": public_article,
        "drafts": [draft, withdrawn],
        "draft_party": draft_party,
        "draft_speaker": draft_speaker,
        "draft_only_source": draft_only_source,
    }


PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
# Routes with several parameters are sampled, not multiplied out: every value still comes up.
MAX_PER_ROUTE = 30


def _routes(patterns=None, prefix: str = "") -> list[str]:
    """Every URL pattern as a route string, walking includes."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


def _params(route: str) -> list[str]:
    return [a or b for a, b in PARAM.findall(route)]


def _fill(route: str, values: dict[str, str]) -> str:
    """The route with its parameters replaced; regex routes (the admin's) lose their anchors."""
    path = PARAM.sub(lambda m: values[m.group(1) or m.group(2)], route)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _candidates(world) -> dict[str, list[str]]:
    """Values for each route parameter: the ids and slugs of public and draft objects alike."""
    pks = set()
    for model in (Claim, Evidence, ArticleLink, EvidenceLink, Source, Dispute, Party, Speaker):
        pks.update(model.objects.values_list("pk", flat=True))
    history_ids = set()
    for model in (Dispute, Claim, Evidence, ArticleLink, Source):
        history_ids.update(model.history.values_list("history_id", flat=True))
    slugs = list(Dispute.objects.values_list("slug", flat=True)) + list(Party.objects.values_list("slug", flat=True))
    return {
        "slug": sorted(slugs),
        "pk": sorted(map(str, pks)),
        "id": sorted(map(str, pks)),
        "object_id": sorted(map(str, pks)),
        "check_id": sorted(map(str, SourceCheck.objects.values_list("pk", flat=True))),
        "kind": ["dispute", "claim", "evidence", "article", "source", "party", "speaker"],
        "history_id": sorted(map(str, history_ids))[:12],
        "app_label": ["claims"],
        "model_name": ["dispute", "claim", "party", "speaker", "source"],
    }


def _start_urls(world) -> list[str]:
    """Every route filled with every combination of candidates, plus query strings pages use."""
    candidates = _candidates(world)
    urls = []
    for route in _routes():
        names = _params(route)
        # A parameter this crawl has no values for (the admin's content type ids) gets the ids.
        pools = [candidates.get(name, candidates["pk"]) for name in names]
        combos = list(itertools.product(*pools))
        step = max(1, len(combos) // MAX_PER_ROUTE)
        for combo in combos[::step]:
            urls.append(_fill(route, dict(zip(names, combo, strict=True))))
    draft_party, public_party = world["draft_party"], world["public_party"]
    queries = [
        "/?status=disputed",
        f"/?party={draft_party.slug}",
        f"/?party={public_party.slug}",
        "/?problems=on",
        "/?q=proposition",
        "/?q=speaker",
        "/?q=source",
        "/?q=quote",
        "/?occurred_from=2000-01-01&occurred_to=2100-01-01",
        "/?page=2",
        f"/disputes.csv?party={draft_party.slug}",
        "/disputes.csv?q=quote",
        "/disputes.csv?q=speaker",
        f"/parties/{public_party.slug}/?page=2",
        f"/sources/{world['public_source'].pk}/diff/?a=1&b=3",
        "/api/disputes?q=proposition",
        "/api/disputes?status=single_sided",
        f"/api/disputes?party={draft_party.slug}",
        f"/api/claims?party={public_party.slug}",
        f"/api/claims?source={world['public_source'].pk}",
        f"/api/claims?source={world['draft_only_source'].pk}",
        "/api/claims?stance=denies",
        "/api/evidence?kind=footage",
        "/api/sources?host=unseen",
        "/api/sources?problems=true",
        f"/api/checks?source={world['public_source'].pk}",
        f"/api/checks?source={world['draft_only_source'].pk}",
        "/api/checks?outcome=quote_missing",
        "/api/claims?page_size=200",
    ]
    return urls + queries


HREF = re.compile(r"""(?:href|hx-get|src|action)=["']([^"']+)["']""")


def _links(body: str, base: str) -> list[str]:
    found = []
    for raw in HREF.findall(body):
        url = urljoin(base, unescape(raw))
        parts = urlsplit(url)
        if (
            parts.netloc not in ("", "testserver")
            or not parts.path.startswith("/")
            or parts.path.startswith("/static/")
        ):
            continue
        # A login link carries the page it came from; following that would never end.
        query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("next="))
        found.append(parts.path + (f"?{query}" if query else ""))
    return found


class Visitor:
    """One kind of visitor: how it asks (a session, a feed token, an API token)."""

    def __init__(self, name: str, client: Client, feed_token: str = "", api_token: str = ""):
        self.name, self.client, self.feed_token, self.api_token = name, client, feed_token, api_token

    def get(self, url: str):
        path = url
        if self.feed_token and url.startswith("/feeds/"):
            path += ("&" if "?" in url else "?") + f"token={self.feed_token}"
        extra = {"HTTP_AUTHORIZATION": f"Bearer {self.api_token}"} if self.api_token and url.startswith("/api/") else {}
        return self.client.get(path, **extra)


def _visitor(kind: str) -> Visitor:
    client = Client()
    if kind == "stranger":
        return Visitor(kind, client)
    user = UserFactory(username=f"crawl-{kind}", roles=[roles.READERS])
    client.force_login(user)
    if kind == "reader":
        return Visitor(kind, client)
    feed = FeedToken.objects.create(user=user)
    api = ApiToken.issue(user, "crawl")[1]
    return Visitor(kind, client, feed_token=feed.token, api_token=api)


def _leaks(response) -> list[str]:
    """Where the marker shows in a response: its headers, its body, or its feed entries as parsed."""
    places = [f"header {name}" for name, value in response.headers.items() if MARK.lower() in value.lower()]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if MARK.lower().encode() in body.lower():
        places.append("body")
    if "xml" in response.get("Content-Type", ""):
        feed = feedparser.parse(body)
        for entry in feed.entries:
            text = " ".join(str(entry.get(k, "")) for k in ("title", "summary", "tags", "link", "id"))
            if MARK.lower() in text.lower():
                places.append(f"feed entry {entry.get('id')}")
    return places, body


def crawl(visitor: Visitor, start: list[str]) -> tuple[dict[str, list[str]], int]:
    """Breadth-first over the start URLs and every same-site link found; the leaks by URL."""
    queue, seen, leaks = deque(start), set(), {}
    while queue:
        url = queue.popleft()
        if url in seen or url.startswith(("/accounts/logout/", "/admin/logout/")):
            continue
        seen.add(url)
        assert len(seen) <= MAX_REQUESTS, "the crawl does not end; a link keeps growing"
        response = visitor.get(url)
        assert response.status_code < 500, f"{visitor.name} got {response.status_code} from {url}"
        places, body = _leaks(response)
        if places:
            leaks[url] = places
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            queue.extend(_links(body.decode(errors="replace"), url))
    return leaks, len(seen)


@pytest.mark.parametrize("site", ["public", "private"])
@pytest.mark.parametrize("who", ["stranger", "reader", "reader with tokens"])
def test_no_draft_data_on_any_url(world, settings, site, who):
    settings.SITE_PRIVATE = site == "private"
    visitor = _visitor(who)
    leaks, visited = crawl(visitor, _start_urls(world))
    assert not leaks, f"draft data shown to a {who} on a {site} site: {leaks}"
    assert visited > 200  # the crawl really walked the site


def test_the_crawl_sees_the_marker_when_drafts_are_published(world, settings):
    """The crawl can fail: published, the same data is found on the pages, feeds, API and exports."""
    for dispute in world["drafts"]:
        dispute.is_published = True
        dispute.save()
    leaks, _ = crawl(_visitor("reader with tokens"), _start_urls(world))
    places = set(leaks)
    assert f"/parties/{world['public_party'].slug}/" in places
    assert f"/parties/{world['draft_party'].slug}/" in places
    assert f"/sources/{world['draft_only_source'].pk}/" in places
    assert (
        "/feeds/disputed/" in places
        or "/feeds/disputed/atom/" in places
        or any(url.startswith("/feeds/disputes/") for url in places)
    )
    assert any(url.startswith("/api/claims") for url in places)
    assert any(url.endswith("claims.csv") for url in places)


def test_an_editor_sees_the_draft_speaker_on_the_party_page(world, editor_client):
    page = editor_client.get(world["public_party"].get_absolute_url())
    assert world["draft_speaker"].name in page.content.decode()


@pytest.fixture
def shared_source():
    """A source cited by a published dispute and by a draft whose quote went missing."""
    source = SourceFactory()
    ClaimFactory(source=source, dispute=DisputeFactory(is_published=True), quote="Public words.")
    draft_claim = ClaimFactory(source=source, dispute=DisputeFactory(is_published=False), quote=marked("draft words"))
    check = SourceCheck.objects.create(source=source, outcome="quote_missing", http_status=200, text_sha256="a" * 64)
    check.quote_checks.create(claim=draft_claim, present=False, score=10.0)
    return source


def test_source_page_hides_draft_quotes_from_strangers(client, shared_source):
    page = client.get(shared_source.get_absolute_url())
    assert page.status_code == 200
    assert "Public words." in page.text
    assert MARK not in page.text


def test_source_page_shows_draft_quotes_to_editors(editor_client, shared_source):
    assert MARK in editor_client.get(shared_source.get_absolute_url()).text


def test_check_history_without_a_user_counts_published_claims_only(shared_source):
    from claims.checking.selectors import check_history

    (check,) = check_history(shared_source)
    assert check.quotes_missing == []


def test_api_checks_hide_draft_quote_results(client, reader, shared_source):
    _, raw = ApiToken.issue(reader, "test")
    response = client.get("/api/checks", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    (check,) = response.json()["items"]
    assert check["quote_checks"] == []
    assert MARK not in response.text
