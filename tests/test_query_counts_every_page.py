"""Every page the site serves costs the same number of queries whatever the size of the data.

One walk over every named route the URL resolver knows (so a page added tomorrow is
covered the day it is added), as a visitor, a reader, a senior editor (page and htmx partial),
a script with an API token on the API's routes and, for the admin's pages of the ledger's
models, an administrator. Each route is filled with one object of its
kind from a small world; the walk is made, the world grows (more disputes everywhere, and
more claims, evidence, links, articles, appearances, checks and history on the very objects
the URLs name), and the walk is made again: every page must answer as before in the same
number of queries. An N+1 query (a query per claim, per choice, per row) fails here, with
the page's name. The per-page budgets themselves sit in each page's own tests.
"""

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from claims.models import (
    ApiToken,
    Appearance,
    Claim,
    EvidenceLink,
    QuoteCheck,
    SourceCheck,
    Watch,
)
from claims.synthetic import synthesize

from .factories import (
    ArticleLinkFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceFactory,
    PartyFactory,
    SourceFactory,
    SpeakerFactory,
)
from .test_visibility import _fill, _params

pytestmark = pytest.mark.django_db

# Routes a GET must not visit: it would end the session the walk depends on.
SKIPPED = ("logout",)


def _named_routes(patterns=None, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(route, name) for every named URL pattern, walking includes."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _named_routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((route, namespace + pattern.name))
    return found


class World:
    """The objects the URLs name, all published, and the means to make each of them bigger."""

    def __init__(self, senior, reader):
        self.party = PartyFactory(slug="counted-party")
        self.speaker = SpeakerFactory(party=self.party)
        self.source = SourceFactory(url="https://counted.example.org/story")
        self.dispute = DisputeFactory(slug="counted-dispute")
        self.claim = ClaimFactory(dispute=self.dispute, party=self.party, speaker=self.speaker, source=self.source)
        self.other = ClaimFactory(dispute=self.dispute, party=self.party, quote=self.claim.quote)
        self.evidence = EvidenceFactory(dispute=self.dispute, released_by=self.party, source=self.source)
        self.link = EvidenceLink.objects.create(evidence=self.evidence, claim=self.claim, effect="supports")
        self.article = ArticleLinkFactory(dispute=self.dispute, source=SourceFactory())
        self.appearance = Appearance.objects.create(claim=self.claim, source=SourceFactory())
        self.check = self._check()
        for user in (senior, reader):
            Watch.objects.create(user=user, dispute=self.dispute)
            Watch.objects.create(user=user, party=self.party)
            Watch.objects.create(user=user, source=self.source)
        self.grow(1)

    def _check(self) -> SourceCheck:
        check = SourceCheck.objects.create(
            source=self.source, outcome="ok", http_status=200, text=self.claim.quote, text_sha256="a" * 64
        )
        for claim in Claim.objects.filter(source=self.source):
            QuoteCheck.objects.create(check_run=check, claim=claim, present=True, score=100)
        return check

    def grow(self, n: int) -> None:
        """``n`` more of everything that hangs off the objects the URLs name."""
        for i in range(n):
            speaker = SpeakerFactory(party=self.party)
            claim = ClaimFactory(dispute=self.dispute, party=self.party, speaker=speaker, source=self.source)
            ClaimFactory(dispute=self.dispute, stance="denies", source=SourceFactory())
            Appearance.objects.create(claim=self.claim, source=SourceFactory())
            Appearance.objects.create(claim=claim, source=SourceFactory())
            evidence = EvidenceFactory(dispute=self.dispute, released_by=self.party, source=self.source)
            EvidenceLink.objects.create(evidence=evidence, claim=claim, effect="contradicts")
            EvidenceLink.objects.create(evidence=self.evidence, claim=claim, effect="supports")
            EvidenceLink.objects.create(evidence=self.evidence, stance="denies", effect="contradicts")
            ArticleLinkFactory(dispute=self.dispute, source=SourceFactory())
            ArticleLinkFactory(dispute=DisputeFactory(), source=self.source)
            self._check()
            # History: each object the URLs name is edited again.
            for row in (self.claim, self.dispute, self.evidence, self.article, self.source, self.party):
                row.refresh_from_db()
                row.save()

    def value(self, route: str, param: str) -> str:
        """The object of the route's kind for one of its parameters."""
        kind = self._kind(route)
        if param == "slug":
            return self.party.slug if kind == "party" else self.dispute.slug
        if param == "other":
            return str(self.other.pk)
        if param == "kind":
            return "claim"
        if param == "history_id":
            if "appearances/" in route:
                return str(Appearance.history.filter(id=self.appearance.pk).latest("history_id").history_id)
            return str(Claim.history.filter(id=self.claim.pk).latest("history_id").history_id)
        if param == "check_id":
            return str(self.check.pk)
        if param == "app_label":
            return "claims"
        if param == "token":
            return "not-a-token"
        objects = {
            "claim": self.claim,
            "evidence": self.evidence,
            "evidencelink": self.link,
            "articlelink": self.article,
            "source": self.source,
            "appearance": self.appearance,
            "party": self.party,
            "speaker": self.speaker,
            "dispute": self.dispute,
            "sourcecheck": self.check,
        }
        if kind in objects:
            return str(objects[kind].pk)
        if route.replace("^", "").startswith("admin/claims/"):
            # Another model's admin page: its first row, the same one at both sizes (a row the
            # growth makes later must not turn a "not found" into a page between the two sizes).
            first = apps.get_model("claims", kind).objects.order_by("pk").first()
            return str(first.pk) if first is not None else "999999999"
        return str(self.claim.pk)

    @staticmethod
    def _kind(route: str) -> str:
        path = route.replace("^", "")
        if path.startswith("admin/claims/"):
            return path.split("/")[2]
        for prefix, kind in (
            ("feeds/parties/", "party"),
            ("parties/", "party"),
            ("api/claims/", "claim"),
            ("api/evidence/", "evidence"),
            ("api/sources/", "source"),
            ("api/checks/", "sourcecheck"),
            ("evidence-links/", "evidencelink"),
            ("evidence/", "evidence"),
            ("articles/", "articlelink"),
            ("sources/", "source"),
            ("appearances/", "appearance"),
            ("checks/", "sourcecheck"),
        ):
            if path.startswith(prefix):
                return kind
        return "claim"


def _pages(world: World) -> list[tuple[str, str, bool]]:
    """(name, url, admin) for every named route."""
    pages = []
    for route, name in _named_routes():
        if any(word in name for word in SKIPPED):
            continue
        admin = route.startswith("admin/")
        if admin and not (route == "admin/" or route.replace("^", "").startswith("admin/claims/")):
            continue
        url = _fill(route, {param: world.value(route, param) for param in _params(route)})
        pages.append((name, url, admin))
    return pages


def _walk(clients: dict[str, Client], pages) -> dict[tuple[str, str], tuple[int, int]]:
    """Per (who, page): the status and the number of queries of the second of two visits
    (the first fills what is cached across requests, as in production)."""
    seen = {}
    for who, client in clients.items():
        for name, url, admin in pages:
            if admin != (who == "admin") or (who == "API token") != url.startswith("/api/"):
                continue
            first = client.get(url)
            if first.status_code == 405:
                continue  # POST only
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            seen[(who, f"{name} {url}")] = (response.status_code, len(queries))
    return seen


def test_no_page_costs_more_queries_as_the_data_grows(senior, reader, staff, settings):
    settings.RATELIMIT_ENABLE = False
    clients = {
        "visitor": Client(),
        "reader": Client(),
        "senior editor": Client(),
        # The partials htmx asks for at the same addresses (helpers.HTMX).
        "senior editor, htmx": Client(headers={"HX-Request": "true"}),
        "admin": Client(),
        # The API, as a script with a reader's token reads it (its pages of claims, evidence, checks).
        "API token": Client(headers={"Authorization": f"Bearer {ApiToken.issue(reader, 'counting')[1]}"}),
    }
    for who, user in (("reader", reader), ("senior editor", senior), ("senior editor, htmx", senior), ("admin", staff)):
        clients[who].force_login(user)
    synthesize(disputes=4, claims_per_dispute=3, evidence_per_dispute=1, articles_per_dispute=1, seed=1)
    world = World(senior, reader)
    pages = _pages(world)
    small = _walk(clients, pages)

    synthesize(disputes=30, claims_per_dispute=8, evidence_per_dispute=3, articles_per_dispute=3, seed=2)
    world.grow(6)
    large = _walk(clients, pages)

    answered = {who: sum(status == 200 for (w, _), (status, _) in small.items() if w == who) for who in clients}
    assert sum(answered.values()) > 200 and min(answered.values()) >= 10, f"the walk lost its pages: {answered}"
    grew = {page: (small[page], large.get(page)) for page in small if large.get(page) != small[page]}
    assert not grew, "pages whose (status, queries) changed as the data grew, small → large:\n" + "\n".join(
        f"{who}: {page}: {before} → {after}" for (who, page), (before, after) in sorted(grew.items())
    )
