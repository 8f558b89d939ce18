"""The dispute page: claims side by side by stance, evidence, later articles, timeline, access."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Appearance, CheckJob, Dispute, EvidenceLink, Source, Stance
from claims.selectors import CLAIMS_PER_COLUMN
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
from .helpers import HTMX, SIGNED_IN_QUERIES

pytestmark = pytest.mark.django_db


def _url(dispute) -> str:
    return reverse("claims:dispute-detail", args=[dispute.slug])


def _between(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end)]


def test_anonymous_reads_a_published_dispute(client):
    dispute = DisputeFactory(proposition="The drone was downed deliberately.")
    response = client.get(_url(dispute))
    assert response.status_code == 200
    assert "The drone was downed deliberately." in response.text


@pytest.mark.parametrize("who", [None, "reader"])
def test_draft_is_not_found_for_anonymous_and_readers(client, reader, who):
    dispute = DisputeFactory(is_published=False)
    if who:
        client.force_login(reader)
    assert client.get(_url(dispute)).status_code == 404


@pytest.mark.parametrize("fixture", ["editor_client", "senior_client", "staff_client"])
def test_draft_is_visible_to_editors_and_staff(request, fixture):
    dispute = DisputeFactory(is_published=False, proposition="Draft proposition")
    response = request.getfixturevalue(fixture).get(_url(dispute))
    assert response.status_code == 200
    assert "Draft — not public" in response.text


def test_post_is_not_allowed(client):
    dispute = DisputeFactory()
    assert client.post(_url(dispute)).status_code == 405


def test_claims_sit_in_columns_by_stance(client):
    dispute = DisputeFactory()
    ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS, quote="We hit it on purpose.")
    ClaimFactory(dispute=dispute, stance=Stance.DENIES, quote="There was no contact at all.")
    ClaimFactory(dispute=dispute, stance=Stance.QUALIFIED, quote="Contact happened, but not by design.")
    html = client.get(_url(dispute)).text
    assert "We hit it on purpose." in _between(html, 'id="column-affirms"', 'id="column-denies"')
    assert "There was no contact at all." in _between(html, 'id="column-denies"', 'id="column-qualified"')
    assert "Contact happened, but not by design." in _between(html, 'id="column-qualified"', 'id="evidence"')


def test_claim_card_shows_party_speaker_quote_paraphrase_date_and_source_badge(client):
    party = PartyFactory(name="Ministry of Defence", slug="mod")
    speaker = SpeakerFactory(party=party, name="Gen. Ivanov", role="Spokesman")
    source = SourceFactory(title="Briefing transcript", check_state=Source.CheckState.OK)
    claim = ClaimFactory(
        party=party,
        speaker=speaker,
        quote="Our jets never touched it.",
        paraphrase="The ministry denies contact.",
        said_on=datetime.date(2023, 3, 1),
        said_on_precision="month",
        source=source,
    )
    CheckJob.objects.all().delete()  # the checker has finished with the new source
    html = client.get(_url(claim.dispute)).text
    card = html[html.index(f'<article id="claim-{claim.pk}" class="claim-card') :]
    card = card[: card.index("</article>")]
    assert 'href="/parties/mod/"' in card
    assert "Gen. Ivanov, Spokesman" in card
    assert "Our jets never touched it." in card
    assert "The ministry denies contact." in card
    assert "March 2023" in card and "1 March 2023" not in card
    assert "Briefing transcript" in card
    assert "check-ok" in card and "OK" in card


def test_evidence_shows_what_it_supports_and_contradicts(client):
    dispute = DisputeFactory()
    claim = ClaimFactory(dispute=dispute, party=PartyFactory(name="Coast Guard"))
    item = EvidenceFactory(dispute=dispute, title="Radar track")
    EvidenceLink.objects.create(evidence=item, claim=claim, effect="contradicts", strength="strong")
    EvidenceLink.objects.create(evidence=item, stance=Stance.AFFIRMS, effect="supports", strength="weak")
    html = client.get(_url(dispute)).text
    block = _between(html, f'id="evidence-{item.pk}"', 'id="articles"')
    assert "Radar track" in block
    assert "Strongly contradicts" in block and f'href="#claim-{claim.pk}"' in block
    assert "Coast Guard’s claim" in block
    assert "Weakly supports" in block and "the “Affirms” side" in block


def test_later_articles_show_their_relation(client):
    link = ArticleLinkFactory(relation="retracts", source=SourceFactory(title="Paper retracts its report"))
    html = client.get(_url(link.dispute)).text
    block = _between(html, f'id="article-{link.pk}"', 'id="timeline"')
    assert "Retracts" in block and "Paper retracts its report" in block


def test_warning_banner_names_the_source_with_a_problem(client):
    dispute = DisputeFactory()
    ClaimFactory(dispute=dispute, source=SourceFactory(title="Vanished page", check_state=Source.CheckState.GONE))
    ClaimFactory(dispute=dispute, source=SourceFactory(title="Healthy page", check_state=Source.CheckState.OK))
    CheckJob.objects.all().delete()
    html = client.get(_url(dispute)).text
    banner = _between(html, 'class="banner banner-warning"', "</aside>")
    assert "Vanished page" in banner and "Gone" in banner
    assert "Healthy page" not in banner


def test_no_banner_when_sources_are_fine(client):
    dispute = DisputeFactory()
    ClaimFactory(dispute=dispute, source=SourceFactory(check_state=Source.CheckState.OK))
    assert "banner-warning" not in client.get(_url(dispute)).text


def test_page_includes_the_timeline_svg(client):
    claim = ClaimFactory(said_on=datetime.date(2023, 3, 14))
    html = client.get(_url(claim.dispute)).text
    assert '<svg class="timeline"' in html
    assert f'href="#claim-{claim.pk}"' in _between(html, '<svg class="timeline"', "</svg>")


def test_htmx_request_gets_the_body_partial_only(client):
    dispute = DisputeFactory(proposition="Partial proposition")
    response = client.get(_url(dispute), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="dispute-body"' in response.text and "Partial proposition" in response.text
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client):
    dispute = DisputeFactory()
    response = client.get(_url(dispute), **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.text


def _sized_dispute(claims: int, evidence: int, articles: int) -> Dispute:
    synthesize(
        disputes=1,
        claims_per_dispute=claims,
        evidence_per_dispute=evidence,
        articles_per_dispute=articles,
        published_share=1.0,
    )
    dispute = Dispute.objects.order_by("-pk").first()
    # Every claim appeared in two more sources (the other claims'), so the cards' appearances
    # are read too: whatever their number, one query.
    claims = list(dispute.claims.filter(source__isnull=False).order_by("pk"))
    Appearance.objects.bulk_create(
        Appearance(claim=claim, source_id=other.source_id)
        for index, claim in enumerate(claims)
        for other in (claims[index - 1], claims[index - 2])
        if other.source_id != claim.source_id
    )
    # With a verdict, so the head's ClaimReview JSON-LD (its own query) is rendered too.
    Dispute.objects.filter(pk=dispute.pk).update(verdict=Dispute.Verdict.FALSE, status=Dispute.Status.SETTLED)
    return dispute


# Session-less anonymous request: the page version (for the ETag), the dispute, its claims,
# their further appearances, evidence, evidence links, articles. The ClaimReview JSON-LD in the
# head (with a verdict) reuses the claims and their appearances.
ANONYMOUS_QUERIES = 7
# A big dispute's default page reads only the cards it shows, so its problem banner and its
# ClaimReview (with a verdict: its claims, and their appearances) read what they need.
CUT_DOWN_EXTRA_QUERIES = 3


@pytest.mark.parametrize("size", [(2, 1, 1), (200, 50, 100)])
def test_query_count_does_not_grow_with_the_dispute(client, django_assert_num_queries, size):
    dispute = _sized_dispute(*size)
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        response = client.get(_url(dispute), {"all": "1"})  # every card rendered
    assert response.status_code == 200
    assert response.text.count('class="claim-card') == size[0]
    assert response.text.count('<span class="appearance-tag">Also in</span>') >= size[0]


@pytest.mark.parametrize("size", [(40, 15, 20), (200, 50, 100)])
def test_a_cut_down_page_reads_the_same_queries_whatever_the_size(client, django_assert_num_queries, size):
    dispute = _sized_dispute(*size)
    with django_assert_num_queries(ANONYMOUS_QUERIES + CUT_DOWN_EXTRA_QUERIES):
        response = client.get(_url(dispute))
    assert response.status_code == 200
    assert f"Claims ({size[0]})" in response.text and f"Show all {size[1]} pieces of evidence" in response.text


@pytest.mark.parametrize("size", [(2, 1, 1), (200, 50, 100)])
def test_query_count_for_an_editor_does_not_grow_either(editor_client, django_assert_num_queries, size):
    editor_client.get(_url(DisputeFactory()))  # warm anything cached per process, not per dispute
    dispute = _sized_dispute(*size)
    extra = CUT_DOWN_EXTRA_QUERIES if size[0] > CLAIMS_PER_COLUMN else 0
    with django_assert_num_queries(ANONYMOUS_QUERIES + extra + SIGNED_IN_QUERIES):
        response = editor_client.get(_url(dispute))
    assert response.status_code == 200


# The page version, the dispute (who may see it): rows, ClaimReview and cards come from the
# cache while the dispute's page stamp stands (claims/card_cache.py, views/disputes.py _page_data).
WARM_QUERIES = 2


@pytest.mark.parametrize("size", [(2, 1, 1), (200, 50, 100)])
def test_another_view_of_an_unchanged_dispute_reads_only_its_version(
    client, editor_client, django_assert_num_queries, size
):
    dispute = _sized_dispute(*size)
    first = Client().get(_url(dispute))
    with django_assert_num_queries(WARM_QUERIES):  # a query string never asked: the body is rendered
        again = Client().get(_url(dispute), {"utm_source": "newsletter"})
    assert again.text.count('class="claim-card') == first.text.count('class="claim-card') > 0
    editor_client.get(_url(dispute))
    with django_assert_num_queries(WARM_QUERIES + SIGNED_IN_QUERIES):  # editors' bodies are never shared
        response = editor_client.get(_url(dispute))
    assert response.text.count("/edit/") > 1  # editing links on the cards


def test_badge_says_checking_while_a_check_is_queued(client):
    claim = ClaimFactory(source=SourceFactory(check_state=Source.CheckState.OK))
    CheckJob.objects.get_or_create(source=claim.source, state=CheckJob.State.QUEUED)
    html = client.get(_url(claim.dispute)).text
    card = html[html.index(f'<article id="claim-{claim.pk}"') :]
    assert "Checking…" in card[: card.index("</article>")]
