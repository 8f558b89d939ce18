"""The read-only JSON API: tokens, lists with filters and pages, details, visibility, query budgets.

And the OpenAPI description checked against the API's own answers with schemathesis.
"""

import datetime

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from claims.models import ApiToken, Appearance, Dispute, EvidenceLink, QuoteCheck, Source, SourceCheck, Stance

from .factories import ClaimFactory, DisputeFactory, EvidenceFactory, PartyFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(reader):
    return ApiToken.issue(reader, "tests")[1]


@pytest.fixture
def api(client, token):
    """A client that sends the bearer token."""

    def get(path, **params):
        return client.get(path, params, headers={"Authorization": f"Bearer {token}"})

    return get


def world(n=1):
    """n disputed disputes with claims on both sides, evidence with a link, and a checked source."""
    for i in range(n):
        dispute = DisputeFactory(proposition=f"Jet {i} hit the drone.")
        source = SourceFactory(check_state=Source.CheckState.GONE)
        yes = ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS, source=source, party=PartyFactory())
        ClaimFactory(dispute=dispute, stance=Stance.DENIES, party=PartyFactory())
        evidence = EvidenceFactory(dispute=dispute, released_by=yes.party, source=source)
        EvidenceLink.objects.create(evidence=evidence, claim=yes, effect="supports", strength="strong")
        check = SourceCheck.objects.create(source=source, outcome="gone", http_status=404)
        QuoteCheck.objects.create(check_run=check, claim=yes, present=False, score=12.5)
        Appearance.objects.create(
            claim=yes,
            source=SourceFactory(),
            quote_exact="The jet hit it",
            appeared_on=datetime.date(2023, 3, 15),
        )


# --- authentication --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/disputes", "/api/claims", "/api/evidence", "/api/sources", "/api/checks"])
def test_no_token_is_401(client, path):
    assert client.get(path).status_code == 401


def test_wrong_and_revoked_tokens_are_401(client, reader):
    row, raw = ApiToken.issue(reader, "x")
    assert client.get("/api/disputes", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/disputes", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    row.revoke()
    assert client.get("/api/disputes", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_session_does_not_open_the_api(client, reader):
    client.force_login(reader)
    assert client.get("/api/disputes").status_code == 401


def test_only_the_hash_of_a_token_is_stored(reader):
    row, raw = ApiToken.issue(reader, "x")
    assert raw not in (row.key_hash, row.prefix) and row.prefix == raw[:8]


def test_create_api_token_command_prints_a_working_token(client, reader, capsys):
    call_command("create_api_token", reader.username, "--name", "graphics desk")
    raw = capsys.readouterr().out.strip()
    assert client.get("/api/disputes", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_api_is_reachable_with_a_token_on_a_private_site(api, settings):
    settings.SITE_PRIVATE = True
    assert api("/api/disputes").status_code == 200


def test_post_is_refused(client, token):
    response = client.post("/api/disputes", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405


# --- lists, filters, pages, details ---------------------------------------------------------------


def test_disputes_list_pages_and_counts(api):
    world(3)
    first = api("/api/disputes", page_size=2).json()
    second = api("/api/disputes", page_size=2, page=2).json()
    assert first["count"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    assert first["items"][0]["proposition"] == "Jet 2 hit the drone."  # most recently active first
    assert first["items"][0]["status"] == "disputed" and first["items"][0]["claim_count"] == 2
    assert first["items"][0]["url"].startswith("http://testserver/disputes/")


def test_readers_do_not_see_drafts_but_editors_do(client, api, editor):
    world(1)
    Dispute.objects.update(is_published=False, published_at=None)
    assert api("/api/disputes").json()["count"] == 0
    assert api("/api/claims").json()["count"] == 0
    raw = ApiToken.issue(editor, "e")[1]
    assert client.get("/api/disputes", headers={"Authorization": f"Bearer {raw}"}).json()["count"] == 1


def test_dispute_filters(api):
    world(2)
    party = PartyFactory(slug="kremlin")
    lone = DisputeFactory(proposition="The US provokes escalation.")
    ClaimFactory(dispute=lone, party=party)
    assert [d["slug"] for d in api("/api/disputes", party="kremlin").json()["items"]] == [lone.slug]
    assert api("/api/disputes", status="disputed").json()["count"] == 2
    assert api("/api/disputes", q="provokes").json()["count"] == 1
    assert api("/api/disputes", status="nonsense").status_code == 422


def test_dispute_detail_has_its_claims(api):
    world(1)
    dispute = Dispute.objects.get()
    data = api(f"/api/disputes/{dispute.slug}").json()
    assert [c["stance"] for c in data["claims"]] == ["affirms", "denies"]
    assert data["claims"][0]["source_url"].startswith("https://news.example.org/")
    assert api("/api/disputes/no-such").status_code == 404


def test_claims_filter_by_dispute_party_and_stance(api):
    world(2)
    dispute = Dispute.objects.first()
    items = api("/api/claims", dispute=dispute.slug, stance="denies").json()["items"]
    assert len(items) == 1 and items[0]["dispute"] == dispute.slug and items[0]["stance"] == "denies"
    party = items[0]["party"]["slug"]
    assert api("/api/claims", party=party).json()["count"] == 1
    assert api(f"/api/claims/{items[0]['id']}").json()["quote"] == items[0]["quote"]
    assert api("/api/claims/999999").status_code == 404


def test_a_claim_lists_its_further_appearances(api):
    world(1)
    further = Appearance.objects.get()
    affirms = api("/api/claims", stance="affirms").json()["items"][0]
    assert affirms["source_url"].startswith("https://news.example.org/")
    assert affirms["appearances"] == [
        {
            "source_id": further.source_id,
            "source_url": further.source.url,
            "quote_exact": "The jet hit it",
            "quote_prefix": "",
            "quote_suffix": "",
            "appeared_on": "2023-03-15",
        }
    ]
    assert api("/api/claims", stance="denies").json()["items"][0]["appearances"] == []
    assert [c["id"] for c in api("/api/claims", source=further.source_id).json()["items"]] == [affirms["id"]]
    dispute = Dispute.objects.get()
    detail = api(f"/api/disputes/{dispute.slug}").json()
    assert detail["claims"][0]["appearances"][0]["source_url"] == further.source.url


def test_evidence_lists_its_links(api):
    world(1)
    [item] = api("/api/evidence").json()["items"]
    assert item["links"][0]["effect"] == "supports" and item["links"][0]["strength"] == "strong"
    assert api(f"/api/evidence/{item['id']}").json()["title"] == item["title"]


def test_sources_and_checks(api):
    world(1)
    source = api("/api/sources", problems=True).json()["items"][0]
    assert source["check_state"] == "gone"
    [check] = api("/api/checks", source=source["id"]).json()["items"]
    assert check["outcome"] == "gone" and check["http_status"] == 404
    assert check["quote_checks"][0]["present"] is False
    assert api(f"/api/checks/{check['id']}").json()["id"] == check["id"]


def test_readers_do_not_see_sources_only_drafts_cite(api):
    world(1)
    hidden = SourceFactory()
    draft = DisputeFactory(is_published=False)
    ClaimFactory(dispute=draft, source=hidden)
    assert hidden.pk not in [s["id"] for s in api("/api/sources").json()["items"]]
    assert api(f"/api/sources/{hidden.pk}").status_code == 404


# --- query budgets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/api/disputes", 5),  # token, user and group permissions, count, page
        ("/api/claims", 6),  # + further appearances
        ("/api/evidence", 6),  # + links
        ("/api/sources", 5),
        ("/api/checks", 6),  # + quote checks
    ],
)
def test_list_queries_do_not_grow_with_the_page(api, django_assert_num_queries, path, queries):
    world(1)
    with django_assert_num_queries(queries):
        small = api(path).json()
    world(4)
    with django_assert_num_queries(queries):
        large = api(path).json()
    assert len(large["items"]) > len(small["items"]) >= 1


def test_dispute_detail_queries_do_not_grow_with_claims(api, django_assert_num_queries):
    world(1)
    dispute = Dispute.objects.get()
    with django_assert_num_queries(6):  # token, user and group permissions, dispute, claims, appearances
        api(f"/api/disputes/{dispute.slug}")
    for i in range(5):
        claim = ClaimFactory(dispute=dispute, party=PartyFactory())
        Appearance.objects.create(claim=claim, source=SourceFactory(url=f"https://more.example.com/{i}"))
    with django_assert_num_queries(6):
        assert len(api(f"/api/disputes/{dispute.slug}").json()["claims"]) == 7


# --- the OpenAPI description against the API's own answers ----------------------------------------


def test_openapi_and_docs_are_served(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/disputes", "/api/claims/{id}", "/api/checks"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content


@pytest.fixture
def wsgi_keeps_test_connection():
    """As Django's test client does: a request through the real WSGI handler must not close the
    connection that holds the test's transaction (it would on PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, settings, wsgi_keeps_test_connection):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]  # schemathesis calls the WSGI app as localhost
    world(2)
    user = UserFactory(username="schemathesis", is_staff=True)
    raw = ApiToken.issue(user, "schemathesis")[1]
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    schema.token = raw
    return schema


def test_api_answers_match_its_openapi_description(api_schema):
    """Every operation, with generated parameters: status, content type and body as the schema says."""
    # Driven through Hypothesis directly: schemathesis' pytest plugin does not yet run under pytest 9.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 10
    headers = {"Authorization": f"Bearer {api_schema.token}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def check(case):
            case.call_and_validate(headers=headers)

        check()


def test_a_check_date_is_iso(api):
    world(1)
    check = api("/api/checks").json()["items"][0]
    assert datetime.datetime.fromisoformat(check["started_at"]).tzinfo is not None


def test_nul_in_a_filter_is_dropped_not_a_server_error(api):
    # Every query string is cleaned once, before any view (claims/middleware.py,
    # QueryStringMiddleware): the NUL never reaches the database, the search runs on "ab".
    response = api("/api/disputes", q="a\x00b")
    assert response.status_code == 200 and response.json()["count"] == 0


def test_active_since_accepts_any_offset(api):
    world(1)
    assert api("/api/disputes", active_since="2000-01-01T00:00:00-19:14").json()["count"] == 1
    assert api("/api/disputes", active_since="9999-12-31T23:00:00-05:00").json()["count"] == 0


# --- the API-tokens page -------------------------------------------------------------------------------


def test_api_tokens_page_needs_login(client):
    response = client.get("/account/api-tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_user_makes_a_token_sees_it_once_uses_it_and_revokes_it(client, reader):
    client.force_login(reader)
    made = client.post("/account/api-tokens/", {"action": "create", "name": "graphics desk"}).content.decode()
    raw = made.split('<code id="new-token">')[1].split("</code>")[0]
    page = client.get("/account/api-tokens/").content.decode()
    assert "graphics desk" in page and raw[:8] in page and raw not in page  # never shown again
    client.logout()
    assert client.get("/api/disputes", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    client.force_login(reader)
    token = ApiToken.objects.get(user=reader)
    client.post("/account/api-tokens/", {"action": "revoke", "token_id": token.pk})
    client.logout()
    assert client.get("/api/disputes", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_token_needs_a_name(client, reader):
    client.force_login(reader)
    response = client.post("/account/api-tokens/", {"action": "create", "name": " "})
    assert response.status_code == 400 and b"Say what the token is for." in response.content
    assert not ApiToken.objects.exists()


def test_nobody_revokes_someone_elses_token(client, reader, editor):
    theirs, _ = ApiToken.issue(editor, "theirs")
    client.force_login(reader)
    assert client.post("/account/api-tokens/", {"action": "revoke", "token_id": theirs.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_api_tokens_page_refuses_put(client, reader):
    client.force_login(reader)
    assert client.put("/account/api-tokens/").status_code == 405


def test_revoking_an_api_token_with_a_garbled_id_is_404(client, reader):
    token, _ = ApiToken.issue(reader, "kept")
    client.force_login(reader)
    response = client.post("/account/api-tokens/", {"action": "revoke", "token_id": "abc"})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
