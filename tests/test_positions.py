"""Position shifts: each party's stance over time, drawn on the timeline, told in the feed and the track record."""

import datetime

import pytest

from claims import positions, services
from claims.models import ClaimStanding, FeedItem, Stance
from claims.timeline import build_timeline

from .factories import ClaimFactory, DisputeFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2023, 3, 14)


def day(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


@pytest.fixture
def shifting():
    """Russia denies (14 Mar), denies again (15), qualifies (20), affirms (25); the US affirms throughout."""
    dispute = DisputeFactory(proposition="A Russian jet struck the US drone.")
    russia, us = PartyFactory(name="Russian government"), PartyFactory(name="United States government")
    claims = [
        ClaimFactory(dispute=dispute, party=russia, stance=Stance.DENIES, said_on=day(0)),
        ClaimFactory(dispute=dispute, party=russia, stance=Stance.DENIES, said_on=day(1)),
        ClaimFactory(dispute=dispute, party=russia, stance=Stance.QUALIFIED, said_on=day(6)),
        ClaimFactory(dispute=dispute, party=russia, stance=Stance.AFFIRMS, said_on=day(11)),
        ClaimFactory(dispute=dispute, party=us, stance=Stance.AFFIRMS, said_on=day(0)),
        ClaimFactory(dispute=dispute, party=us, stance=Stance.AFFIRMS, said_on=day(6)),
    ]
    return dispute, russia, us, claims


def test_each_partys_steps_merge_repeats_and_leave_out_withdrawn_and_undated(shifting):
    dispute, russia, us, claims = shifting
    ClaimFactory(dispute=dispute, party=us, stance=Stance.DENIES, said_on=None)  # undated: no position in time
    withdrawn = ClaimFactory(dispute=dispute, party=us, stance=Stance.DENIES, said_on=day(8))
    withdrawn.standing, withdrawn.withdrawn_on, withdrawn.withdrawn_url = "withdrawn", day(9), "https://e.org/w"
    withdrawn.save()
    loaded = list(dispute.claims.select_related("party"))
    by_name = {p.name: p for p in positions.by_party(loaded)}
    assert by_name["Russian government"].path == "denies → qualified → affirms"
    assert [s.label for s in by_name["Russian government"].shifts] == ["denies → qualified", "qualified → affirms"]
    assert by_name["Russian government"].steps[0].said_on == day(0)  # the first time it was said
    assert not by_name["United States government"].has_shifted


def test_the_dispute_timeline_draws_each_shift_between_its_marks(client, shifting):
    dispute, *_ = shifting
    timeline = build_timeline(list(dispute.claims.select_related("party")), [], [])
    assert [line.label for line in timeline.shift_lines] == ["denies → qualified", "qualified → affirms"]
    marks = {m.href: m for m in timeline.marks}
    first = timeline.shift_lines[0]
    # From the first denial (not the repeat) to the qualified claim, in Russia's lane.
    assert (first.x1, first.y1) == (marks[f"#claim-{shifting[3][0].pk}"].x, marks[f"#claim-{shifting[3][0].pk}"].y)
    assert (first.x2, first.y2) == (marks[f"#claim-{shifting[3][2].pk}"].x, marks[f"#claim-{shifting[3][2].pk}"].y)
    assert "Russian government: denies → qualified → affirms" in timeline.description

    html = client.get(dispute.get_absolute_url()).content.decode()
    assert html.count('class="shift-line"') == 2 and ">denies → qualified</text>" in html
    assert "Positions over time" in html and "Change of position" in html
    positions_html = html[html.index("Positions over time") :]
    positions_html = positions_html[: positions_html.index("</ul>")]
    assert "Russian government" in positions_html and "United States government" not in positions_html
    assert "14 March 2023" in positions_html and "25 March 2023" in positions_html


def test_a_shift_is_a_feed_item_and_a_repeat_is_not(shifting):
    dispute, russia, us, _ = shifting
    user = UserFactory()
    FeedItem.objects.all().delete()
    services.claim_create(
        dispute=dispute, user=user, party=russia, stance=Stance.AFFIRMS, quote="Yes.", said_on=day(12)
    )
    assert not FeedItem.objects.filter(kind=FeedItem.Kind.POSITION_SHIFT).exists()  # still affirms
    services.claim_create(dispute=dispute, user=user, party=russia, stance=Stance.DENIES, quote="No.", said_on=day(13))
    item = FeedItem.objects.get(kind=FeedItem.Kind.POSITION_SHIFT)
    assert item.title == "Russian government changed its position on “A Russian jet struck the US drone.”"
    assert item.summary == "From affirms (26 March 2023) to denies (27 March 2023)."
    assert (item.old_value, item.new_value) == (Stance.AFFIRMS, Stance.DENIES)


def test_editing_a_claims_stance_into_a_change_is_a_feed_item(shifting):
    dispute, russia, us, claims = shifting
    FeedItem.objects.all().delete()
    later = claims[5]  # the US's second affirmation
    services.claim_update(claim=later, user=UserFactory(), version=later.version, stance=Stance.QUALIFIED)
    item = FeedItem.objects.get(kind=FeedItem.Kind.POSITION_SHIFT)
    assert item.title.startswith("United States government changed its position")


def test_a_withdrawn_claim_is_not_a_position_to_shift_from(shifting):
    dispute, russia, us, claims = shifting
    latest = claims[3]  # Russia affirms, 25 March
    services.claim_update(
        claim=latest,
        user=UserFactory(),
        version=latest.version,
        standing=ClaimStanding.WITHDRAWN,
        withdrawn_on=day(12),
        withdrawn_url="https://e.org/w",
    )
    FeedItem.objects.filter(kind=FeedItem.Kind.POSITION_SHIFT).delete()
    # Back to qualified: the same as its last position that stands, so no change.
    services.claim_create(
        dispute=dispute, user=UserFactory(), party=russia, stance=Stance.QUALIFIED, quote="Partly.", said_on=day(13)
    )
    assert not FeedItem.objects.filter(kind=FeedItem.Kind.POSITION_SHIFT).exists()


def test_the_party_page_shows_its_changes_of_position_in_its_record(client, shifting, django_assert_max_num_queries):
    dispute, russia, us, _ = shifting
    other = DisputeFactory(proposition="The drone was in international airspace.")
    ClaimFactory(dispute=other, party=russia, stance=Stance.QUALIFIED, said_on=day(0))
    ClaimFactory(dispute=other, party=russia, stance=Stance.DENIES, said_on=day(1))
    with django_assert_max_num_queries(6):  # the newest page stamp on PostgreSQL (views/parties.py)
        html = client.get(russia.get_absolute_url()).content.decode()
    record = html[html.index("How its claims fared") : html.index("</dl>")]
    assert "Changes of position</dt><dd>3</dd>" in record
    section = html[html.index('id="positions"') :]
    assert section.count('class="shift-line"') == 3
    assert "The drone was in international airspace." in section and "qualified → denies" in section
    # Marks lead to the claims on their dispute pages.
    assert f'href="{dispute.get_absolute_url()}#claim-' in section

    us_page = client.get(us.get_absolute_url()).content.decode()
    assert "Changes of position</dt><dd>0</dd>" in us_page and 'id="positions"' not in us_page


def test_drafts_stay_out_of_a_readers_positions(client, shifting):
    dispute, russia, *_ = shifting
    draft = DisputeFactory(proposition="A secret proposition.", is_published=False)
    ClaimFactory(dispute=draft, party=russia, stance=Stance.QUALIFIED, said_on=day(0))
    ClaimFactory(dispute=draft, party=russia, stance=Stance.DENIES, said_on=day(1))
    html = client.get(russia.get_absolute_url()).content.decode()
    assert "A secret proposition." not in html
