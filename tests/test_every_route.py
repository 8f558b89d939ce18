"""Classes of defect checked on every route the URL resolver knows, so a route added
tomorrow is covered the day it is added: HEAD is answered wherever GET is, and a private
site asks a stranger to log in everywhere but a small, explicit allowlist."""

import itertools
from urllib.parse import urlsplit

import pytest
from django.test import Client

from claims.models import ApiToken

from .factories import UserFactory
from .test_visibility import _candidates, _fill, _params, _routes, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.django_db

# Enough samples per route to meet public, draft and missing objects; the admin's many
# routes keep the walk quick.
SAMPLES_PER_ROUTE = 4


def every_url(world) -> list[str]:  # noqa: F811
    candidates = _candidates(world)
    urls = []
    for route in _routes():
        names = _params(route)
        pools = [candidates.get(name, candidates["pk"]) for name in names]
        combos = list(itertools.product(*pools))
        step = max(1, len(combos) // SAMPLES_PER_ROUTE)
        urls += [_fill(route, dict(zip(names, combo, strict=True))) for combo in combos[::step]]
    # Routes answering differently with their query arguments.
    return urls + ["/?page=2&q=proposition", "/disputes.csv?q=quote", "/api/disputes?page=1"]


@pytest.fixture
def superuser_client():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_head_is_answered_wherever_get_is(world, superuser_client, settings):  # noqa: F811
    """HEAD gets GET's status and headers with no body (RFC 9110: a server that answers GET
    answers HEAD); a monitor or a link checker using HEAD must not see 405."""
    settings.RATELIMIT_ENABLE = False
    token = ApiToken.issue(UserFactory(username="apiuser", is_staff=True, is_superuser=True), "head")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    mismatched = {}
    checked = 0
    for url in every_url(world):
        if url.startswith(("/accounts/logout/", "/admin/logout/")):
            continue
        extra = auth if url.startswith("/api/") else {}
        got = superuser_client.get(url, **extra)
        head = superuser_client.head(url, **extra)
        if got.status_code == 405:
            continue  # a POST-only route: HEAD may be refused with it
        checked += 1
        if head.status_code != got.status_code or head.content:
            mismatched[url] = (got.status_code, head.status_code, len(head.content))
        elif got.status_code == 200:
            assert head["Content-Type"] == got["Content-Type"], url
    assert not mismatched, f"HEAD answered differently from GET (GET, HEAD, HEAD body bytes): {mismatched}"
    assert checked > 100


# What a private site serves to a stranger without asking for a login: the login pages
# and static files. Feeds and the API's endpoints answer a stranger themselves (403 without
# a feed token, 401 without a bearer token, 404/405 for what is not there), with no content.
# The unsubscribe link in an email works without a login (its signed token is the authority);
# so does the language switcher (the login page has it), which only sets a cookie and shows nothing.
ALLOWED_TO_STRANGERS = (
    "/accounts/login/",
    "/admin/login/",
    "/static/",
    "/notifications/unsubscribe/",
    "/i18n/setlang/",
)
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")


def test_a_private_site_asks_a_stranger_to_log_in_everywhere(world, settings):  # noqa: F811
    settings.SITE_PRIVATE = True
    stranger = Client(raise_request_exception=False)
    exposed = {}
    checked = 0
    for url in every_url(world) + ["/api/docs", "/api/openapi.json"]:
        if url.startswith(ALLOWED_TO_STRANGERS):
            continue
        for method in ("get", "post"):
            response = getattr(stranger, method)(url)
            checked += 1
            if response.status_code in (301, 302):
                if urlsplit(response["Location"]).path in LOGIN_PAGES:
                    continue
                exposed[f"{method.upper()} {url}"] = f"{response.status_code} to {response['Location']}"
            elif response.status_code in (401, 403, 404, 405) and url.startswith(("/api/", "/feeds/")):
                # Token-checked routes answer a stranger themselves, with nothing of the site in it.
                assert b"proposition" not in response.content.lower(), url
            else:
                exposed[f"{method.upper()} {url}"] = response.status_code
    assert not exposed, f"a private site answered a stranger without asking for a login: {exposed}"
    assert checked > 200


def test_api_docs_need_a_login_on_a_private_site(client, settings, reader):
    settings.SITE_PRIVATE = True
    for path in ("/api/docs", "/api/openapi.json"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path
    client.force_login(reader)
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Claim tracker API"
    assert client.get("/api/docs").status_code == 200


def test_api_docs_stay_public_on_a_public_site(client):
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200


# Made the same for everyone, whoever asks (no viewer, no drafts, no token in them), so they may be
# public: the feeds, and the embeddable card, its oEmbed and the share image (tests/test_embed.py
# proves a signed-in editor gets the stranger's bytes and no cookie).
SAME_FOR_EVERYONE = ("/feeds/", "/embed/", "/oembed")


def test_no_page_made_for_a_signed_in_user_is_publicly_cacheable(world, settings):  # noqa: F811
    """Pages carry the viewer's name, drafts and CSRF tokens: a shared cache must not keep
    them. Only what is the same for everyone, whoever asks, may say public."""
    settings.RATELIMIT_ENABLE = False
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="editor-cache", is_staff=True, is_superuser=True))
    cacheable = {}
    for url in every_url(world):
        if url.startswith(("/accounts/logout/", "/admin/logout/")):
            continue
        response = client.get(url)
        if response.status_code != 200 or url.endswith("/share.png"):
            continue
        control = response.get("Cache-Control", "")
        if "private" not in control and "no-store" not in control and not url.startswith(SAME_FOR_EVERYONE):
            cacheable[url] = control or "(no Cache-Control)"
    assert not cacheable, f"pages a shared cache could keep for the next visitor: {cacheable}"


def test_no_page_but_the_embeddable_card_may_be_framed(world, superuser_client, settings):  # noqa: F811
    """Clickjacking: every response (pages, errors, the API, feeds) refuses to be framed,
    by X-Frame-Options and CSP frame-ancestors alike; only /embed/ says who may frame it."""
    settings.RATELIMIT_ENABLE = False
    settings.EMBED_ALLOWED_ORIGINS = ["https://news.example.org"]
    framable, embeds = {}, 0
    extra = ["/oembed?url=x", "/no-such-page/", f"/embed/disputes/{world['published'].slug}/"]
    for url in every_url(world) + extra:
        if url.startswith(("/accounts/logout/", "/admin/logout/")):
            continue
        response = superuser_client.get(url)
        policy = response.get("Content-Security-Policy", "")
        if url.startswith("/embed/") and response.status_code == 200:
            assert "X-Frame-Options" not in response.headers, url
            assert "frame-ancestors https://news.example.org" in policy, url
            embeds += 1
        elif response.get("X-Frame-Options") != "DENY" or (
            "frame-ancestors" in policy and "frame-ancestors 'none'" not in policy
        ):  # a policy of its own (a check's text: sandbox) may leave framing to X-Frame-Options
            framable[url] = (response.status_code, response.get("X-Frame-Options"), policy)
    assert not framable, f"responses that another site could frame: {framable}"
    assert embeds >= 1
