"""CSV exports as a spreadsheet reads them: parsed with the csv module."""

import csv
import io

import pytest
from django.urls import reverse

from claims.models import Appearance, Dispute, Source, Stance

from .factories import (
    ArticleLinkFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceFactory,
    PartyFactory,
    SourceFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so spreadsheets read it as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_dispute_claims_csv_has_one_row_per_claim_with_quote_and_source(client):
    dispute = DisputeFactory(proposition="A jet hit the drone.")
    us = PartyFactory(name="United States")
    source = SourceFactory(url="https://news.example.org/a", title="Report", check_state=Source.CheckState.GONE)
    ClaimFactory(
        dispute=dispute,
        party=us,
        speaker=SpeakerFactory(party=us, name="Gen. Milley", role="Chairman"),
        quote='We have "absolute" evidence, и точка',
        source=source,
    )
    ClaimFactory(dispute=dispute, stance=Stance.DENIES, party=PartyFactory(name="Russia"), quote="No contact.")
    got = rows(client.get(reverse("claims:dispute-claims-csv", args=[dispute.slug])))
    assert [r["party"] for r in got] == ["United States", "Russia"]
    first = got[0]
    assert first["quote"] == 'We have "absolute" evidence, и точка'
    assert (first["speaker"], first["speaker_role"], first["stance"]) == ("Gen. Milley", "Chairman", "Affirms")
    assert (first["source_url"], first["source_last_check"]) == ("https://news.example.org/a", "Gone")
    assert first["said_on"] == "2023-03-15"
    assert first["link"].startswith(f"http://testserver/disputes/{dispute.slug}/#claim-")


def test_formulas_are_defused(client):
    dispute = DisputeFactory()
    ClaimFactory(dispute=dispute, quote='=HYPERLINK("http://evil.example","click")')
    [row] = rows(client.get(reverse("claims:dispute-claims-csv", args=[dispute.slug])))
    assert row["quote"] == '\'=HYPERLINK("http://evil.example","click")'


def test_dispute_sources_csv_lists_every_source_once_with_its_uses(client):
    dispute = DisputeFactory()
    shared = SourceFactory(url="https://news.example.org/shared")
    ClaimFactory(dispute=dispute, source=shared, party=PartyFactory(name="US"))
    EvidenceFactory(dispute=dispute, source=shared, title="Footage")
    ArticleLinkFactory(dispute=dispute, source=SourceFactory(url="https://later.example.org/x"), relation="updates")
    got = rows(client.get(reverse("claims:dispute-sources-csv", args=[dispute.slug])))
    assert [r["url"] for r in got] == ["https://news.example.org/shared", "https://later.example.org/x"]
    assert got[0]["used_as"].startswith("claim ") and "evidence" in got[0]["used_as"] and "Footage" in got[0]["used_as"]
    assert got[1]["used_as"] == "article (updates)"


def test_draft_dispute_exports_are_404_to_readers_but_not_editors(client, reader, editor):
    draft = DisputeFactory(is_published=False)
    ClaimFactory(dispute=draft)
    client.force_login(reader)
    assert client.get(reverse("claims:dispute-claims-csv", args=[draft.slug])).status_code == 404
    assert client.get(reverse("claims:dispute-sources-csv", args=[draft.slug])).status_code == 404
    client.force_login(editor)
    assert len(rows(client.get(reverse("claims:dispute-claims-csv", args=[draft.slug])))) == 1


def test_search_csv_exports_what_the_search_finds(client):
    hit = DisputeFactory(proposition="The drone was in international airspace.")
    ClaimFactory(dispute=hit, party=PartyFactory(name="US"), stance=Stance.AFFIRMS)
    ClaimFactory(dispute=hit, party=PartyFactory(name="Russia"), stance=Stance.DENIES)
    DisputeFactory(proposition="Something else entirely.")
    got = rows(client.get(reverse("claims:disputes-csv"), {"q": "airspace"}))
    assert [r["slug"] for r in got] == [hit.slug]
    assert (got[0]["affirming_parties"], got[0]["denying_parties"], got[0]["claims"]) == ("US", "Russia", "2")
    assert got[0]["status"] == "Disputed"


def test_search_csv_counts_claims_and_names_each_party_once_in_order(client):
    dispute = DisputeFactory()
    us, uk, russia = PartyFactory(name="US"), PartyFactory(name="UK"), PartyFactory(name="Russia")
    for party in (us, uk, us):
        ClaimFactory(dispute=dispute, party=party, stance=Stance.AFFIRMS)
    ClaimFactory(dispute=dispute, party=russia, stance=Stance.DENIES)
    empty = DisputeFactory()
    got = {r["slug"]: r for r in rows(client.get(reverse("claims:disputes-csv")))}
    assert (got[dispute.slug]["claims"], got[dispute.slug]["affirming_parties"]) == ("4", "UK; US")
    assert got[dispute.slug]["denying_parties"] == "Russia"
    assert (got[empty.slug]["claims"], got[empty.slug]["affirming_parties"]) == ("0", "")


def test_search_csv_is_rate_limited_as_a_heavy_request(client, settings):
    """Thousands of disputes for anyone who asks: the heavy pages' limit, then 429."""
    settings.RATELIMIT_HEAVY = "2/m"
    DisputeFactory()
    assert [client.get(reverse("claims:disputes-csv")).status_code for _ in range(2)] == [200, 200]
    limited = client.get(reverse("claims:disputes-csv"))
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"


def test_search_csv_filters_by_status_and_hides_drafts(client):
    disputed = DisputeFactory()
    ClaimFactory(dispute=disputed, stance=Stance.AFFIRMS)
    ClaimFactory(dispute=disputed, stance=Stance.DENIES)
    ClaimFactory(dispute=DisputeFactory())
    ClaimFactory(dispute=DisputeFactory(is_published=False))
    assert len(rows(client.get(reverse("claims:disputes-csv")))) == 2
    got = rows(client.get(reverse("claims:disputes-csv"), {"status": Dispute.Status.DISPUTED}))
    assert [r["slug"] for r in got] == [disputed.slug]


def test_search_csv_with_bad_filters_is_400(client):
    assert client.get(reverse("claims:disputes-csv"), {"status": "nonsense"}).status_code == 400


@pytest.mark.parametrize("name", ["claims:disputes-csv", "claims:dispute-claims-csv", "claims:dispute-sources-csv"])
def test_exports_refuse_post(client, name):
    dispute = DisputeFactory()
    args = [] if name == "claims:disputes-csv" else [dispute.slug]
    assert client.post(reverse(name, args=args)).status_code == 405


def test_export_query_counts_do_not_grow(client, django_assert_num_queries):
    dispute = DisputeFactory()
    ClaimFactory(dispute=dispute)
    EvidenceFactory(dispute=dispute, source=SourceFactory())
    ArticleLinkFactory(dispute=dispute)
    budgets = [
        (reverse("claims:dispute-claims-csv", args=[dispute.slug]), 3),  # dispute, claims, their other appearances
        # dispute, claims, their other appearances, evidence, articles
        (reverse("claims:dispute-sources-csv", args=[dispute.slug]), 5),
        (reverse("claims:disputes-csv"), 1),  # disputes with their claim counts and parties' names
    ]
    client.get(reverse("claims:disputes-csv"))  # fills the filter's cached party list (claims/public_parties.py)
    for url, n in budgets:
        with django_assert_num_queries(n):
            client.get(url)
    for _ in range(4):
        claim = ClaimFactory(dispute=dispute, party=PartyFactory())
        Appearance.objects.create(claim=claim, source=SourceFactory())
        EvidenceFactory(dispute=dispute, source=SourceFactory())
        ArticleLinkFactory(dispute=dispute)
        ClaimFactory(dispute=DisputeFactory())
    client.get(reverse("claims:disputes-csv"))  # the writes above dropped the cached party list
    for url, n in budgets:
        with django_assert_num_queries(n):
            assert client.get(url).status_code == 200


def test_search_csv_filters_by_party_slug(client):
    kremlin = PartyFactory(name="Kremlin", slug="kremlin")
    mine = DisputeFactory()
    ClaimFactory(dispute=mine, party=kremlin)
    ClaimFactory(dispute=DisputeFactory())
    got = rows(client.get(reverse("claims:disputes-csv"), {"party": "kremlin"}))
    assert [r["slug"] for r in got] == [mine.slug]


@pytest.mark.django_db
def test_pages_link_to_their_exports_and_feeds(client):
    from claims.models import Dispute
    from tests.factories import ClaimFactory

    claim = ClaimFactory(dispute__slug="contact")
    page = client.get(claim.dispute.get_absolute_url()).text
    assert "/disputes/contact/claims.csv" in page and "/disputes/contact/sources.csv" in page
    assert "/feeds/disputes/contact/atom/" in page
    home = client.get("/", {"q": "said", "status": Dispute.Status.SINGLE_SIDED}).text
    assert "/disputes.csv?" in home and "q=said" in home
