"""The dispute timeline: layout computed from loaded rows, drawn as accessible inline SVG."""

import datetime
import re

import pytest
from django.template.loader import render_to_string

from claims.models import Stance
from claims.timeline import ARTICLES_LANE, UNATTRIBUTED_LANE, build_timeline

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, EvidenceFactory, PartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    dispute = DisputeFactory()
    russia, usa = PartyFactory(name="Russia"), PartyFactory(name="United States")
    claims = [
        ClaimFactory(dispute=dispute, party=usa, stance=Stance.AFFIRMS, said_on=datetime.date(2023, 3, 14)),
        ClaimFactory(dispute=dispute, party=russia, stance=Stance.DENIES, said_on=datetime.date(2023, 3, 15)),
        ClaimFactory(dispute=dispute, party=russia, stance=Stance.DENIES, said_on=None),
    ]
    evidence = [
        EvidenceFactory(dispute=dispute, released_by=usa, released_on=datetime.date(2023, 3, 16)),
        EvidenceFactory(dispute=dispute, released_by=None, released_on=datetime.date(2023, 3, 20)),
    ]
    articles = [ArticleLinkFactory(dispute=dispute, linked_on=datetime.date(2023, 4, 1))]
    return claims, evidence, articles


def test_one_lane_per_party_then_unattributed_evidence_then_articles(story):
    timeline = build_timeline(*story)
    assert [lane.label for lane in timeline.lanes] == ["United States", "Russia", UNATTRIBUTED_LANE, ARTICLES_LANE]


def test_marks_are_placed_left_to_right_by_date(story):
    timeline = build_timeline(*story)
    ordered = sorted(timeline.marks, key=lambda m: m.date)
    xs = [m.x for m in ordered]
    assert xs == sorted(xs)
    assert timeline.plot_left <= xs[0] and xs[-1] <= timeline.plot_right


def test_undated_items_are_counted_not_drawn(story):
    timeline = build_timeline(*story)
    assert timeline.undated == 1
    assert len(timeline.marks) == 5
    assert "1 undated item is not shown." in timeline.description


def test_marks_sit_in_their_partys_lane(story):
    claims, _, _ = story
    timeline = build_timeline(*story)
    russia = next(lane for lane in timeline.lanes if lane.label == "Russia")
    mark = next(m for m in timeline.marks if m.href == f"#claim-{claims[1].pk}")
    assert mark.y == russia.y
    assert "stance-denies" in mark.css_class


def test_many_claims_on_one_day_do_not_all_overlap():
    dispute = DisputeFactory()
    party = PartyFactory()
    claims = [ClaimFactory(dispute=dispute, party=party, said_on=datetime.date(2023, 3, 14)) for _ in range(6)]
    timeline = build_timeline(claims, [], [])
    assert len({(m.x, m.y) for m in timeline.marks}) == 6


def test_building_makes_no_queries(story, django_assert_num_queries):
    claims, evidence, articles = story
    # As the selector loads them: related rows already joined.
    for claim in claims:
        claim.party, claim.speaker  # noqa: B018
    for item in evidence:
        item.released_by  # noqa: B018
    for link in articles:
        link.source  # noqa: B018
    with django_assert_num_queries(0):
        build_timeline(claims, evidence, articles)


def _svg(story) -> str:
    timeline = build_timeline(*story)
    return render_to_string("claims/dispute_detail.html#timeline", {"timeline": timeline})


def test_svg_has_title_desc_and_labels_for_screen_readers(story):
    svg = _svg(story)
    assert 'aria-labelledby="timeline-title"' in svg and 'aria-describedby="timeline-desc"' in svg
    assert '<title id="timeline-title">' in svg
    assert re.search(r'<desc id="timeline-desc">3 claims, 2 pieces of evidence and 1 later article', svg)
    # Every mark is a link with a spoken label and a tooltip.
    assert svg.count('<a class="mark-link"') == 5
    assert svg.count("aria-label=") >= 5


def test_svg_has_no_inline_style_attributes(story):
    svg = _svg(story)
    assert "style=" not in svg
    assert "<script" not in svg


def test_labels_are_escaped():
    dispute = DisputeFactory()
    claim = ClaimFactory(dispute=dispute, party=PartyFactory(name="<b>Bad</b>"), quote="<script>x</script>")
    svg = render_to_string("claims/dispute_detail.html#timeline", {"timeline": build_timeline([claim], [], [])})
    assert "<script>x" not in svg and "<b>Bad" not in svg


def test_empty_timeline_says_nothing_is_dated():
    claim = ClaimFactory(said_on=None)
    html = render_to_string("claims/dispute_detail.html#timeline", {"timeline": build_timeline([claim], [], [])})
    assert "Nothing on this dispute has a date yet." in html and "<svg" not in html
