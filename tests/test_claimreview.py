"""ClaimReview JSON-LD on dispute pages with a verdict, read back from the rendered page."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from claims.models import Dispute, Party, Stance

from .factories import ClaimFactory, DisputeFactory, PartyFactory, SourceFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r'<script type="application/ld\+json" nonce="([^"]*)">(.*?)</script>', re.S)


def jsonld(client, dispute) -> list[tuple[str, dict]]:
    response = client.get(dispute.get_absolute_url())
    assert response.status_code == 200
    return [(nonce, json.loads(body)) for nonce, body in SCRIPT.findall(response.content.decode())]


def settled(verdict=Dispute.Verdict.FALSE, proposition="A Russian Su-27 struck the US MQ-9."):
    dispute = DisputeFactory(proposition=proposition)
    us = PartyFactory(name="US Department of Defense")
    milley = SpeakerFactory(party=us, name="Gen. Mark Milley", role="Chairman of the Joint Chiefs")
    first = SourceFactory(url="https://news.example.org/first", title="First report", publisher="Example News")
    ClaimFactory(
        dispute=dispute,
        party=us,
        speaker=milley,
        stance=Stance.AFFIRMS,
        source=first,
        said_on=datetime.date(2023, 3, 15),
    )
    ClaimFactory(dispute=dispute, party=us, stance=Stance.AFFIRMS, said_on=datetime.date(2023, 3, 16))
    ClaimFactory(
        dispute=dispute,
        party=PartyFactory(name="Russian Ministry of Defence"),
        stance=Stance.DENIES,
        said_on=datetime.date(2023, 3, 14),
    )
    dispute.refresh_from_db()
    dispute.verdict = verdict
    dispute.verdict_reasoning = "The released footage shows the strike."
    dispute.verdict_at = timezone.make_aware(datetime.datetime(2023, 3, 20, 9, 0))
    dispute.save()
    return dispute


def test_dispute_with_verdict_embeds_a_complete_claimreview(client, settings):
    settings.ORGANISATION_NAME = "The Claim Desk"
    dispute = settled()
    [(nonce, data)] = jsonld(client, dispute)
    assert nonce  # the CSP nonce, so the browser accepts the element
    assert data["@context"] == "https://schema.org" and data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == "A Russian Su-27 struck the US MQ-9."
    assert data["url"] == f"http://testserver{dispute.get_absolute_url()}"
    assert data["datePublished"] == "2023-03-20"
    assert data["author"] == {"@type": "Organization", "name": "The Claim Desk", "url": settings.SITE_URL + "/"}
    assert data["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
    }
    item = data["itemReviewed"]
    assert item["@type"] == "Claim"
    # The claim is the affirming side's: its earliest affirming claim, not the earlier denial.
    assert item["author"]["@type"] == "Person" and item["author"]["name"] == "Gen. Mark Milley"
    assert item["author"]["affiliation"]["name"] == "US Department of Defense"
    assert item["datePublished"] == "2023-03-15"
    assert item["firstAppearance"]["url"] == "https://news.example.org/first"
    assert item["firstAppearance"]["@type"] == "CreativeWork"
    assert [a["url"] for a in item["appearance"]][0] == "https://news.example.org/first"
    assert len(item["appearance"]) == 2


def test_nonce_matches_the_csp_header(client):
    dispute = settled()
    response = client.get(dispute.get_absolute_url())
    [(nonce, _)] = [(n, b) for n, b in SCRIPT.findall(response.content.decode())]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_dispute_without_verdict_has_no_claimreview(client):
    dispute = DisputeFactory()
    ClaimFactory(dispute=dispute)
    assert jsonld(client, dispute) == []


def test_unproven_verdict_is_named_not_rated(client):
    dispute = settled(verdict=Dispute.Verdict.UNPROVEN)
    [(_, data)] = jsonld(client, dispute)
    assert data["reviewRating"]["alternateName"] == "Unproven"
    assert "ratingValue" not in data["reviewRating"]


def test_markup_in_the_proposition_cannot_break_out_of_the_script(client):
    nasty = "Contact </script><script>alert(1)</script> & “quotes” — контакт"
    dispute = settled(proposition=nasty)
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in page
    [(_, data)] = jsonld(client, dispute)
    assert data["claimReviewed"] == nasty


def test_party_without_speaker_is_the_claim_author(client):
    dispute = DisputeFactory()
    party = Party.objects.create(name="Kremlin", slug="kremlin")
    ClaimFactory(dispute=dispute, party=party, stance=Stance.AFFIRMS)
    dispute.refresh_from_db()
    dispute.verdict = Dispute.Verdict.MOSTLY_TRUE
    dispute.save()
    [(_, data)] = jsonld(client, dispute)
    assert data["itemReviewed"]["author"] == {"@type": "Organization", "name": "Kremlin"}
    assert data["reviewRating"]["ratingValue"] == 4
