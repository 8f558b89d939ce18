"""Every in-place editing view answers htmx and plain requests differently, so it says so in Vary."""

import pytest
from django.urls import get_resolver

from .factories import ArticleLinkFactory, ClaimFactory, EvidenceFactory
from .helpers import HTMX

pytestmark = pytest.mark.django_db

EDITING_MODULES = ("claims.views.editing_", "claims.views.history")


def _editing_routes():
    for pattern in get_resolver().url_patterns:
        for inner in getattr(pattern, "url_patterns", [pattern]):
            callback = getattr(inner, "callback", None)
            if callback is None or not callback.__module__.startswith(EDITING_MODULES):
                continue
            if inner.name != "history":  # the history page is the same for htmx and plain requests
                yield inner


def _url_for(route, world) -> str:
    path = str(route.pattern)
    values = {
        "<slug:slug>": world["dispute"].slug,
        "<str:kind>": "claim",
        "<int:history_id>": str(world["history_id"]),
    }
    for key, value in values.items():
        path = path.replace(key, value)
    name = route.name or ""
    pk = world["pk"].get(name.split("-")[0], world["pk"]["claim"])
    if name.startswith("evidence-link-remove"):
        pk = world["pk"]["evidence-link"]
    return "/" + path.replace("<int:pk>", str(pk))


def test_every_editing_view_varies_on_hx_request(senior_client):
    claim = ClaimFactory()
    evidence = EvidenceFactory(dispute=claim.dispute)
    link = evidence.links.create(claim=claim, effect="supports")
    article = ArticleLinkFactory(dispute=claim.dispute)
    world = {
        "dispute": claim.dispute,
        "history_id": claim.history.earliest("history_date").history_id,
        "pk": {"claim": claim.pk, "evidence": evidence.pk, "article": article.pk, "evidence-link": link.pk},
    }
    routes = list(_editing_routes())
    assert len(routes) >= 20
    for route in routes:
        if "delete" in (route.name or ""):
            continue  # deleting would take the objects the other routes need; their GET is checked below
        url = _url_for(route, world)
        response = senior_client.get(url, **HTMX)
        if response.status_code == 405:
            response = senior_client.post(url, {}, **HTMX)
        assert "HX-Request" in response.get("Vary", ""), (route.name, url, response.status_code)
    for name in ("dispute-delete", "claim-delete", "evidence-delete", "article-delete"):
        route = next(r for r in routes if r.name == name)
        response = senior_client.get(_url_for(route, world), **HTMX)
        assert "HX-Request" in response.get("Vary", ""), name
