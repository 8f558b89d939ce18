"""Feed items: one per thing that happened on a dispute, never one per edit."""

import datetime

import pytest

from claims.models import Dispute, FeedItem, SourceCheck, Stance

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, EvidenceFactory, PartyFactory, SourceFactory

pytestmark = pytest.mark.django_db


def kinds(dispute):
    return list(FeedItem.objects.filter(dispute=dispute).order_by("created_at", "pk").values_list("kind", flat=True))


def test_first_claim_is_a_claim_and_opposite_one_a_counterclaim_that_makes_it_disputed():
    dispute = DisputeFactory()
    ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS)
    ClaimFactory(dispute=dispute, stance=Stance.DENIES)
    assert kinds(dispute) == ["claim", "counterclaim", "status"]
    status = FeedItem.objects.get(dispute=dispute, kind="status")
    assert (status.old_value, status.new_value) == ("single_sided", "disputed")
    assert status.title.startswith("Now disputed")


def test_claim_feed_item_names_party_stance_and_quote():
    party = PartyFactory(name="Ministry of Defence")
    claim = ClaimFactory(party=party, stance=Stance.DENIES, quote="No contact occurred.")
    dev = FeedItem.objects.get(claim=claim)
    assert "Ministry of Defence denies" in dev.title
    assert "No contact occurred." in dev.summary
    assert dev.source_id == claim.source_id


def test_editing_a_claim_makes_no_new_feed_item():
    claim = ClaimFactory()
    before = list(FeedItem.objects.values_list("uid", flat=True))
    claim.quote = "Corrected wording."
    claim.save()
    assert list(FeedItem.objects.values_list("uid", flat=True)) == before


def test_new_evidence_and_article_are_feed_items():
    dispute = DisputeFactory()
    EvidenceFactory(dispute=dispute, title="Declassified footage")
    ArticleLinkFactory(dispute=dispute)
    assert kinds(dispute) == ["evidence", "article"]
    assert "Declassified footage" in FeedItem.objects.get(kind="evidence").title


def test_verdict_is_one_feed_item_not_also_a_status_change():
    dispute = DisputeFactory()
    ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS)
    ClaimFactory(dispute=dispute, stance=Stance.DENIES)
    dispute.refresh_from_db()
    dispute.verdict = Dispute.Verdict.TRUE
    dispute.verdict_reasoning = "The footage shows it."
    dispute.save()
    assert kinds(dispute)[-1] == "verdict"
    assert kinds(dispute).count("status") == 1  # only the earlier single-sided → disputed
    verdict = FeedItem.objects.get(kind="verdict")
    assert verdict.new_value == "true" and verdict.summary == "The footage shows it."


def test_saving_a_dispute_without_changes_makes_no_feed_item():
    dispute = DisputeFactory()
    dispute.summary = "More background."
    dispute.save()
    assert kinds(dispute) == []


def _check(source, outcome, minutes, **kwargs):
    started = datetime.datetime(2026, 1, 1, 12, minutes, tzinfo=datetime.UTC)
    return SourceCheck.objects.create(source=source, outcome=outcome, started_at=started, **kwargs)


def test_source_problems_reach_every_dispute_that_cites_the_source_once():
    source = SourceFactory()
    first = ClaimFactory(source=source)
    second = ClaimFactory(source=source)
    EvidenceFactory(dispute=first.dispute, source=source)
    check = _check(source, SourceCheck.Outcome.GONE, 0, http_status=404)
    check.save()  # a second save of the same check is not news again
    devs = FeedItem.objects.filter(source_check=check)
    assert sorted(devs.values_list("dispute_id", flat=True)) == sorted([first.dispute_id, second.dispute_id])
    assert all(d.kind == "source_died" and "HTTP 404" in d.summary for d in devs)


def test_a_source_that_stays_dead_is_reported_once_but_changes_each_time():
    source = SourceFactory()
    ClaimFactory(source=source)
    _check(source, SourceCheck.Outcome.OK, 0)
    _check(source, SourceCheck.Outcome.GONE, 1)
    _check(source, SourceCheck.Outcome.GONE, 2)
    _check(source, SourceCheck.Outcome.CHANGED, 3, changed=True)
    _check(source, SourceCheck.Outcome.CHANGED, 4, changed=True)
    _check(source, SourceCheck.Outcome.QUOTE_MISSING, 5)
    got = list(FeedItem.objects.filter(source=source, source_check__isnull=False).order_by("created_at", "pk"))
    assert [d.kind for d in got] == ["source_died", "source_changed", "source_changed", "quote_missing"]


def test_ok_check_is_not_news():
    source = SourceFactory()
    ClaimFactory(source=source)
    _check(source, SourceCheck.Outcome.OK, 0)
    assert not FeedItem.objects.filter(source_check__isnull=False).exists()


def test_feed_items_move_the_dispute_up_the_recently_active_list():
    source = SourceFactory()
    old = ClaimFactory(source=source).dispute
    ClaimFactory()
    _check(source, SourceCheck.Outcome.GONE, 0)
    assert Dispute.objects.recently_active().first() == old


def test_a_check_saved_again_with_a_refined_outcome_is_one_feed_item_redescribed():
    # As the checker does: create with the fetch's outcome, then save the final one.
    source = SourceFactory()
    ClaimFactory(source=source)
    _check(source, SourceCheck.Outcome.OK, 0)
    check = _check(source, SourceCheck.Outcome.OK, 1, changed=True)
    [dev] = FeedItem.objects.filter(source_check=check)
    assert dev.kind == "source_changed"
    check.outcome = SourceCheck.Outcome.QUOTE_MISSING
    check.save(update_fields=["outcome"])
    [again] = FeedItem.objects.filter(source_check=check)
    assert (again.uid, again.kind) == (dev.uid, "quote_missing")
    assert again.title.startswith("Quote missing from source")


def test_deleting_a_counterclaim_is_a_status_change_but_emptying_the_dispute_is_not():
    dispute = DisputeFactory()
    yes = ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS)
    no = ClaimFactory(dispute=dispute, stance=Stance.DENIES)
    no.delete()
    assert kinds(dispute)[-1] == "status"
    assert FeedItem.objects.filter(dispute=dispute, kind="status").first().new_value == "single_sided"
    yes.delete()
    assert kinds(dispute).count("status") == 2
