"""Feed items: one per thing that happened on a dispute, never one per edit.

Each is made by the service that made the event (``claims.services``) or by the checker
(``claims.checking.runner``); the writes here go through them, as the pages and admin do.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims import feed_items, services
from claims.models import Claim, Dispute, FeedItem, SourceCheck, Stance

from .factories import ClaimFactory, DisputeFactory, PartyFactory, SourceFactory

pytestmark = pytest.mark.django_db


def kinds(dispute):
    return list(FeedItem.objects.filter(dispute=dispute).order_by("created_at", "pk").values_list("kind", flat=True))


def claim(dispute, user, stance=Stance.AFFIRMS, **data):
    data.setdefault("party", PartyFactory())
    data.setdefault("quote", f"We say it {stance}.")
    return services.claim_create(dispute=dispute, user=user, stance=stance, **data)


def test_first_claim_is_a_claim_and_opposite_one_a_counterclaim_that_makes_it_disputed(editor):
    dispute = DisputeFactory()
    claim(dispute, editor, Stance.AFFIRMS)
    claim(dispute, editor, Stance.DENIES)
    assert kinds(dispute) == ["claim", "counterclaim", "status"]
    status = FeedItem.objects.get(dispute=dispute, kind="status")
    assert (status.old_value, status.new_value) == ("single_sided", "disputed")
    assert status.title.startswith("Now disputed")


def test_claim_feed_item_names_party_stance_and_quote(editor):
    party = PartyFactory(name="Ministry of Defence")
    made = claim(
        DisputeFactory(), editor, Stance.DENIES, party=party, quote="No contact occurred.", source_url="https://x.org/a"
    )
    item = FeedItem.objects.get(claim=made)
    assert "Ministry of Defence denies" in item.title
    assert "No contact occurred." in item.summary
    assert item.source_id == made.source_id


def test_editing_a_claim_makes_no_new_feed_item(editor):
    made = claim(DisputeFactory(), editor)
    before = list(FeedItem.objects.values_list("uid", flat=True))
    services.claim_update(claim=made, user=editor, version=made.version, quote="Corrected wording.")
    assert list(FeedItem.objects.values_list("uid", flat=True)) == before


def test_new_evidence_and_article_are_feed_items(editor):
    dispute = DisputeFactory()
    services.evidence_create(
        dispute=dispute,
        user=editor,
        kind="footage",
        title="Declassified footage",
        released_on=datetime.date(2023, 3, 2),
    )
    services.article_create(dispute=dispute, user=editor, url="https://news.example.org/later", relation="reports")
    assert kinds(dispute) == ["evidence", "article"]
    assert "Declassified footage" in FeedItem.objects.get(kind="evidence").title


def test_verdict_is_one_feed_item_not_also_a_status_change(editor, senior):
    dispute = DisputeFactory()
    claim(dispute, editor, Stance.AFFIRMS)
    claim(dispute, editor, Stance.DENIES)
    dispute.refresh_from_db()
    verdict = {"verdict": Dispute.Verdict.TRUE, "reasoning": "The footage shows it."}
    services.dispute_settle(dispute=dispute, user=senior, version=dispute.version, **verdict)
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.SETTLED
    assert kinds(dispute)[-1] == "verdict"
    assert kinds(dispute).count("status") == 1  # only the earlier single-sided → disputed
    verdict = FeedItem.objects.get(kind="verdict")
    assert verdict.new_value == "true" and verdict.summary == "The footage shows it."


def test_saving_a_dispute_without_changes_makes_no_feed_item(editor):
    dispute = DisputeFactory()
    services.dispute_update(dispute=dispute, user=editor, version=dispute.version, summary="More background.")
    assert kinds(dispute) == []


def _check(source, outcome, minutes, **kwargs):
    """A finished check as the checker records it: the row, then its feed items."""
    started = datetime.datetime(2026, 1, 1, 12, minutes, tzinfo=datetime.UTC)
    check = SourceCheck.objects.create(source=source, outcome=outcome, started_at=started, **kwargs)
    feed_items.create_for_source_check(check)
    return check


def test_source_problems_reach_every_dispute_that_cites_the_source_once(editor):
    source = SourceFactory()
    first = claim(DisputeFactory(), editor, source_url=source.url)
    second = claim(DisputeFactory(), editor, source_url=source.url)
    services.evidence_create(dispute=first.dispute, user=editor, kind="footage", title="F", source_url=source.url)
    check = _check(source, SourceCheck.Outcome.GONE, 0, http_status=404)
    feed_items.create_for_source_check(check)  # the same check again is not news again
    items = FeedItem.objects.filter(source_check=check)
    assert sorted(items.values_list("dispute_id", flat=True)) == sorted([first.dispute_id, second.dispute_id])
    assert all(d.kind == "source_died" and "HTTP 404" in d.summary for d in items)


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
    source = SourceFactory()
    ClaimFactory(source=source)
    _check(source, SourceCheck.Outcome.OK, 0)
    check = _check(source, SourceCheck.Outcome.OK, 1, changed=True)
    [item] = FeedItem.objects.filter(source_check=check)
    assert item.kind == "source_changed"
    check.outcome = SourceCheck.Outcome.QUOTE_MISSING
    check.save(update_fields=["outcome"])
    feed_items.create_for_source_check(check)
    [again] = FeedItem.objects.filter(source_check=check)
    assert (again.uid, again.kind) == (item.uid, "quote_missing")
    assert again.title.startswith("Quote missing from source")


def test_deleting_a_counterclaim_is_a_status_change_but_emptying_the_dispute_is_not(editor, senior):
    dispute = DisputeFactory()
    yes = claim(dispute, editor, Stance.AFFIRMS)
    no = claim(dispute, editor, Stance.DENIES)
    services.claim_delete(claim=no, user=senior)
    assert kinds(dispute)[-1] == "status"
    assert FeedItem.objects.filter(dispute=dispute, kind="status").newest_first().first().new_value == "single_sided"
    services.claim_delete(claim=yes, user=senior)
    assert kinds(dispute).count("status") == 2


# What was done while a dispute was a draft -----------------------------------------------------

DRAFT_MARK = "ZQDRAFTONLY"


def public_feeds(client, dispute, party) -> str:
    """Every public feed the dispute shows in, as a stranger reads them."""
    urls = [
        reverse("claims:feed-dispute", args=[dispute.slug]),
        reverse("claims:feed-dispute-atom", args=[dispute.slug]),
        reverse("claims:feed-disputed"),
        reverse("claims:feed-disputed-atom"),
        reverse("claims:feed-party", args=[party.slug]),
    ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    return "\n".join(bodies)


def test_draft_time_work_stays_out_of_the_public_feeds_and_publication_tells_what_stands(client, editor, senior):
    dispute = services.dispute_create(user=editor, proposition=f"{DRAFT_MARK} working title naming an insider")
    wrong = claim(
        dispute,
        editor,
        Stance.DENIES,
        party=PartyFactory(name=f"{DRAFT_MARK} Wrongly Named Party"),
        quote=f"{DRAFT_MARK} quote never published",
    )
    services.claim_delete(claim=wrong, user=senior)
    dispute = services.dispute_update(
        dispute=dispute, user=editor, version=dispute.version, proposition="A Russian jet hit the US drone."
    )
    us, russia = PartyFactory(name="United States"), PartyFactory(name="Russia")
    claim(
        dispute,
        editor,
        Stance.AFFIRMS,
        party=us,
        quote="The jet struck the propeller.",
        said_on=datetime.date(2023, 3, 14),
    )
    claim(
        dispute, editor, Stance.DENIES, party=russia, quote="There was no contact.", said_on=datetime.date(2023, 3, 15)
    )
    draft_items = FeedItem.objects.filter(dispute=dispute).count()
    assert draft_items >= 3 and FeedItem.objects.filter(dispute=dispute, made_on_draft=False).count() == 0

    dispute = services.dispute_publish(dispute=dispute, user=senior)

    feeds = public_feeds(client, dispute, us)
    assert DRAFT_MARK not in feeds
    public = FeedItem.objects.published().filter(dispute=dispute).order_by("pk")
    assert [(i.kind, i.claim.party.name) for i in public] == [("claim", "United States"), ("counterclaim", "Russia")]
    assert all("A Russian jet hit the US drone." in item.title for item in public)
    assert "The jet struck the propeller." in feeds and "There was no contact." in feeds
    # The newsroom keeps its record: the draft-time items are still there, just never public.
    assert FeedItem.objects.filter(dispute=dispute, made_on_draft=True).count() == draft_items

    # Taken back to draft and published again: nothing is told twice; what was added meanwhile is told once.
    services.dispute_publish(dispute=dispute, user=senior, publish=False)
    later = claim(dispute, editor, Stance.AFFIRMS, party=PartyFactory(name="NATO"), quote="We saw the footage.")
    services.dispute_publish(dispute=dispute, user=senior)
    told = list(FeedItem.objects.published().filter(dispute=dispute).values_list("claim_id", flat=True))
    assert len(told) == len(set(told)) == 3 and later.pk in told


def test_a_feed_item_never_shows_a_claim_that_is_now_on_another_dispute(client, editor):
    """A backstop for rows moved before moves were refused: the item's dispute is what was published."""
    public = DisputeFactory(proposition="The drone was hit.")
    draft = DisputeFactory(proposition="A draft.", is_published=False)
    moved = claim(public, editor, Stance.AFFIRMS, quote="Words first said on the public dispute.")
    Claim.objects.filter(pk=moved.pk).update(dispute=draft, quote=f"{DRAFT_MARK} draft wording")
    body = client.get(reverse("claims:feed-dispute", args=[public.slug])).content.decode()
    assert DRAFT_MARK not in body


def test_a_claim_stays_on_its_dispute(editor):
    first, other = DisputeFactory(), DisputeFactory()
    made = claim(first, editor)
    with pytest.raises(ValidationError) as error:
        services.claim_update(claim=made, user=editor, version=made.version, dispute=other)
    assert "stays on its dispute" in error.value.message_dict["dispute"][0]
    assert Claim.objects.get(pk=made.pk).dispute_id == first.pk


def test_every_way_of_publishing_tells_what_the_dispute_holds(client, editor, senior):
    """The page's button (above), the admin's form (dispute_update) and a restore of a published version."""
    by_form = services.dispute_create(user=editor, proposition="Working title one")
    claim(by_form, editor, Stance.AFFIRMS, quote="Said on the first.")
    by_form = services.dispute_update(
        dispute=by_form, user=senior, version=by_form.version, proposition="The bridge was hit.", is_published=True
    )
    assert by_form.slug == "the-bridge-was-hit"
    assert FeedItem.objects.published().filter(dispute=by_form, kind="claim").count() == 1

    restored = services.dispute_create(user=editor, proposition="The dam was hit.")
    services.dispute_publish(dispute=restored, user=senior)
    published = restored.history.order_by("-history_id").first()
    services.dispute_publish(dispute=restored, user=senior, publish=False)
    later = claim(restored, editor, Stance.DENIES, quote="Said while it was taken back.")
    services.object_restore(model=Dispute, record=published, user=senior)
    assert Dispute.objects.get(pk=restored.pk).is_published
    assert FeedItem.objects.published().filter(dispute=restored, claim=later).count() == 1


def test_a_restore_never_moves_a_claim_to_another_dispute(editor, senior):
    first, other = DisputeFactory(), DisputeFactory()
    made = claim(first, editor)
    Claim.objects.filter(pk=made.pk).update(dispute=other)  # as a move made before moves were refused
    record = made.history.order_by("history_id").first()
    services.object_restore(model=Claim, record=record, user=senior)
    assert Claim.objects.get(pk=made.pk).dispute_id == other.pk
