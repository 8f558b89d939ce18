"""The party page: a party's claims across visible disputes and how they fared."""

import datetime
import time

import pytest
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import selectors
from claims.models import Claim, Dispute, DisputePageStamp, Party, Stance
from claims.selectors import CLAIMS_PER_PARTY_PAGE, party_page_data
from claims.synthetic import synthesize

from .factories import ClaimFactory, DisputeFactory, PartyFactory, SpeakerFactory
from .helpers import HTMX, SIGNED_IN_QUERIES, CacheCalls

pytestmark = pytest.mark.django_db


def _url(party) -> str:
    return reverse("claims:party-detail", args=[party.slug])


def _settled(verdict: str):
    return DisputeFactory(verdict=verdict)


def test_lists_the_partys_claims_across_disputes(client):
    party = PartyFactory(name="Navy")
    ClaimFactory(party=party, dispute=DisputeFactory(proposition="First dispute"), quote="Quote one")
    ClaimFactory(party=party, dispute=DisputeFactory(proposition="Second dispute"), quote="Quote two")
    ClaimFactory(dispute=DisputeFactory(proposition="Not ours"), quote="Someone else")
    html = client.get(_url(party)).text
    assert "First dispute" in html and "Second dispute" in html
    assert "Quote one" in html and "Quote two" in html
    assert "Not ours" not in html


def test_unknown_party_is_404(client):
    assert client.get("/parties/nobody/").status_code == 404


def test_post_is_not_allowed(client):
    assert client.post(_url(PartyFactory())).status_code == 405


def test_claims_on_drafts_are_hidden_from_anonymous_but_shown_to_editors(editor_client):
    party = PartyFactory()
    ClaimFactory(party=party, dispute=DisputeFactory(proposition="Draft dispute", is_published=False))
    assert "Draft dispute" not in Client().get(_url(party)).text
    assert "Draft dispute" in editor_client.get(_url(party)).text


@pytest.mark.parametrize(
    "verdict,stance,outcome",
    [
        (Dispute.Verdict.TRUE, Stance.AFFIRMS, "for"),
        (Dispute.Verdict.MOSTLY_TRUE, Stance.AFFIRMS, "for"),
        (Dispute.Verdict.TRUE, Stance.DENIES, "against"),
        (Dispute.Verdict.FALSE, Stance.DENIES, "for"),
        (Dispute.Verdict.MOSTLY_FALSE, Stance.AFFIRMS, "against"),
        (Dispute.Verdict.MIXED, Stance.AFFIRMS, ""),
        (Dispute.Verdict.UNPROVEN, Stance.DENIES, ""),
        ("", Stance.AFFIRMS, ""),
        (Dispute.Verdict.TRUE, Stance.QUALIFIED, ""),
    ],
)
def test_verdict_settles_a_claim_for_or_against_its_party(anonymous_user, verdict, stance, outcome):
    party = PartyFactory()
    ClaimFactory(party=party, stance=stance, dispute=DisputeFactory(verdict=verdict))
    data = party_page_data(party=party, user=anonymous_user)
    assert data.claims[0].outcome == outcome
    assert (data.settled_for, data.settled_against) == (int(outcome == "for"), int(outcome == "against"))


def test_record_counts_disputes_not_claims(client):
    party = PartyFactory()
    won = _settled(Dispute.Verdict.TRUE)
    ClaimFactory(party=party, dispute=won, stance=Stance.AFFIRMS)
    ClaimFactory(party=party, dispute=won, stance=Stance.AFFIRMS)
    ClaimFactory(party=party, dispute=_settled(Dispute.Verdict.FALSE), stance=Stance.DENIES)
    ClaimFactory(party=party, dispute=_settled(Dispute.Verdict.FALSE), stance=Stance.AFFIRMS)
    ClaimFactory(party=party, dispute=DisputeFactory(), stance=Stance.AFFIRMS)
    html = client.get(_url(party)).text
    assert "<dt>Disputes with its claims</dt><dd>4</dd>" in html
    assert "<dt>Settled for it</dt><dd>2</dd>" in html
    assert "<dt>Settled against it</dt><dd>1</dd>" in html
    assert html.count("outcome-for") == 3 and html.count("outcome-against") == 1


def test_htmx_request_gets_the_claims_partial(client):
    party = ClaimFactory(dispute=DisputeFactory(is_published=True)).party
    response = client.get(_url(party), **HTMX)
    assert response.text.lstrip().startswith('<div id="party-claims">')
    assert "HX-Request" in response["Vary"]


@pytest.fixture
def anonymous_user():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


# The party, the record (one aggregate), its claims, its speakers, its positions over time (one query);
# on PostgreSQL also the newest page stamp, under which the record is cached (views/parties.py): for a
# visitor it is read with what the stored whole page is keyed by (selectors.visitor_party_page_version).
PARTY_QUERIES = 5 + (connection.vendor == "postgresql")
# On a repeat view the record and positions come from that cache.
PARTY_QUERIES_WARM = 4


def _record_and_claims(html: str) -> str:
    return html[html.index('<div id="party-claims">') : html.index("</main>")]


def test_a_repeat_view_takes_the_record_from_the_cache(client, reader, django_assert_num_queries):
    synthesize(disputes=10, claims_per_dispute=5, parties=2, published_share=1.0)
    party = Party.objects.order_by("pk").first()
    client.force_login(reader)
    first = client.get(_url(party)).text
    if connection.vendor != "postgresql":
        pytest.skip("the record is cached under the newest page stamp, which SQLite does not keep")
    with django_assert_num_queries(PARTY_QUERIES_WARM + SIGNED_IN_QUERIES):  # stamp, party, claims, speakers
        again = client.get(_url(party)).text
    assert _record_and_claims(again) == _record_and_claims(first)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored page is keyed by the newest page stamp")
def test_another_visitor_gets_the_stored_page_from_one_query_and_one_cache_round_trip():
    synthesize(disputes=10, claims_per_dispute=5, parties=2, published_share=1.0)
    party = Party.objects.order_by("pk").first()
    first = Client().get(_url(party)).text
    with CaptureQueriesContext(connection) as queries, CacheCalls() as calls:
        again = Client().get(_url(party)).text
    assert (len(queries), len(calls)) == (1, 1)
    assert _record_and_claims(again) == _record_and_claims(first)
    assert "\x00" not in again


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored page is keyed by the newest page stamp")
def test_a_stored_page_follows_the_party_its_speakers_and_its_claims():
    party = PartyFactory(name="Navy")
    claim = ClaimFactory(party=party, quote="First words.")
    url = _url(party)
    Client().get(url)
    SpeakerFactory(party=party, name="Pat Newcomer")  # no claim yet: quoted below, then shown
    ClaimFactory(party=party, dispute=claim.dispute, speaker=party.speakers.get(name="Pat Newcomer"))
    assert "Pat Newcomer" in Client().get(url).text
    party.description = "The navy's press office."
    party.save()
    assert "press office" in Client().get(url).text
    Claim.objects.filter(pk=claim.pk).update(quote="Edited words.")
    assert "Edited words." in Client().get(url).text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="no page stamps on SQLite")
@pytest.mark.parametrize("viewer", ["visitor", "reader"])
def test_a_write_committed_out_of_order_shows_within_a_minute(client, reader, monkeypatch, viewer):
    """The newest stamp of all can miss a write that took an older stamp and committed later
    (selectors.NEWEST_STAMP_SECONDS): what was cached under it lives a minute, not ten."""
    from claims.views import parties

    monkeypatch.setattr(parties, "_relative_time_bucket", lambda: 1)  # the ten-minute bucket stays put
    if viewer == "reader":
        client.force_login(reader)
    party = PartyFactory()
    early, late = DisputeFactory(), DisputeFactory()
    ClaimFactory(party=party, dispute=early, quote="Before the write.")
    ClaimFactory(party=party, dispute=late)
    late.save()
    late.save()  # the late dispute's stamp is now well ahead of the early one's
    newest = DisputePageStamp.objects.aggregate(newest=Max("changed"))["newest"]
    assert "Claims (2)" in client.get(_url(party)).text
    # A claim added to the early dispute by a write that took stamp newest - 1 and committed after
    # the page (and the party's record: its count of claims) was cached.
    ClaimFactory(party=party, dispute=early, quote="After the write.")
    DisputePageStamp.objects.filter(dispute_id=early.pk).update(changed=newest - 1)
    assert DisputePageStamp.objects.aggregate(newest=Max("changed"))["newest"] == newest
    later = time.time() + selectors.NEWEST_STAMP_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    html = client.get(_url(party)).text
    assert "After the write." in html and "Claims (3)" in html


@pytest.mark.parametrize("disputes", [1, 40])
def test_query_count_does_not_grow_with_the_partys_claims(client, django_assert_num_queries, disputes):
    synthesize(disputes=disputes, claims_per_dispute=5, parties=2, published_share=1.0)
    party = Party.objects.order_by("pk").first()
    count = Claim.objects.filter(party=party).count()
    with django_assert_num_queries(PARTY_QUERIES):
        response = client.get(_url(party))
    assert response.text.count('<li class="claim-row ') == min(count, CLAIMS_PER_PARTY_PAGE)


def test_long_record_is_paginated_newest_first(client):
    party = PartyFactory()
    dispute = DisputeFactory()
    for day in range(1, CLAIMS_PER_PARTY_PAGE + 3):
        ClaimFactory(party=party, dispute=dispute, said_on=datetime.date(2023, 1, 1) + datetime.timedelta(days=day))
    first = client.get(_url(party)).text
    assert f"Claims ({CLAIMS_PER_PARTY_PAGE + 2})" in first and "page 1 of 2" in first
    assert first.index("22 February 2023") < first.index("21 February 2023")
    second = client.get(_url(party), {"page": 2}).text
    assert second.count('<li class="claim-row ') == 2
    assert "2 January 2023" in second


def test_party_known_only_from_drafts_is_hidden_from_strangers(client, editor_client):
    from .factories import SpeakerFactory

    speaker = SpeakerFactory(name="Draft Only Spokesperson")
    ClaimFactory(party=speaker.party, speaker=speaker, dispute=DisputeFactory(is_published=False))
    url = speaker.party.get_absolute_url()
    stranger = Client()
    assert stranger.get(url).status_code == 404
    assert speaker.party.name not in stranger.get("/").text
    assert stranger.get(f"/feeds/parties/{speaker.party.slug}/").status_code == 404
    assert "Draft Only Spokesperson" in editor_client.get(url).text


def test_party_on_a_published_dispute_is_public(client):
    claim = ClaimFactory(dispute=DisputeFactory(is_published=True))
    response = client.get(claim.party.get_absolute_url())
    assert response.status_code == 200
    assert claim.party.name in response.text
