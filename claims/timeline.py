"""The dispute timeline: claims, evidence and later articles laid out by date and party.

This module only computes geometry (plain numbers and labels); the SVG itself is
drawn by the ``timeline`` partial in ``templates/claims/dispute_detail.html`` so
that Django's escaping applies to every label. No inline styles: marks carry
classes (``stance-affirms``, ``evidence``, ``article``) that the stylesheet colours.
"""

import datetime
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property

from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy

from claims import positions as positions_module

WIDTH = 960
LABEL_WIDTH = 200  # room for the lane labels (party names) on the left
RIGHT_PAD = 24
AXIS_HEIGHT = 36
LANE_HEIGHT = 44
BOTTOM_PAD = 12
MARK_SIZE = 7
ARTICLES_LANE = gettext_lazy("Later articles")
UNATTRIBUTED_LANE = gettext_lazy("Unattributed evidence")
# Dates on the timeline, short: each language words them ("15 Mar 2023", "15 мар 2023").
DAY_FORMAT = pgettext_lazy("date format: a day on the timeline (Django date syntax)", "j M Y")
TICK_DAY_FORMAT = pgettext_lazy("date format: a timeline tick, day and month (Django date syntax)", "j M")
TICK_MONTH_FORMAT = pgettext_lazy("date format: a timeline tick, month and year (Django date syntax)", "M Y")
# Marks falling on the same day in one lane are nudged apart in a small grid.
DODGE_COLUMNS = 5
DODGE_STEP = 9


@dataclass
class Lane:
    label: str
    y: float
    index: int

    @property
    def top(self) -> float:
        return self.y - LANE_HEIGHT / 2

    @property
    def label_y(self) -> float:
        return self.y + 4

    @cached_property
    def label_lines(self) -> list[tuple[float, str]]:
        """The label on one line, or wrapped on two (cut with "…" past that), with each line's y."""
        lines = wrap_label(self.label)
        if len(lines) == 1:
            return [(self.label_y, lines[0])]
        return [(self.y - 3, lines[0]), (self.y + 11, lines[1])]

    @property
    def is_cut(self) -> bool:
        return "".join(text for _, text in self.label_lines).replace(" ", "") != self.label.replace(" ", "")


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Mark:
    kind: str  # "claim", "evidence" or "article"
    x: float
    y: float
    href: str
    label: str
    css_class: str
    date: datetime.date

    @property
    def points(self) -> str:
        """A diamond for articles (SVG polygon points)."""
        s = MARK_SIZE + 1
        corners = [(self.x, self.y - s), (self.x + s, self.y), (self.x, self.y + s), (self.x - s, self.y)]
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)

    @property
    def rect_x(self) -> float:
        return self.x - MARK_SIZE

    @property
    def rect_y(self) -> float:
        return self.y - MARK_SIZE


@dataclass
class ShiftLine:
    """A party's change of position: a line from the mark of its earlier stance to the later one."""

    x1: float
    y1: float
    x2: float
    y2: float
    label: str

    @property
    def label_x(self) -> float:
        return round((self.x1 + self.x2) / 2, 1)

    @property
    def label_y(self) -> float:
        return round(min(self.y1, self.y2) - 10, 1)


@dataclass
class Timeline:
    width: int = WIDTH
    height: int = AXIS_HEIGHT + BOTTOM_PAD
    lanes: list[Lane] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    undated: int = 0
    start: datetime.date | None = None
    end: datetime.date | None = None
    counts: dict[str, int] = field(default_factory=dict)
    positions: list = field(default_factory=list)
    shift_lines: list[ShiftLine] = field(default_factory=list)

    @property
    def shifted_positions(self) -> list:
        """The parties (or, on a party's page, the disputes) whose position changed."""
        return [p for p in self.positions if p.has_shifted]

    @property
    def is_empty(self) -> bool:
        return not self.marks

    @property
    def plot_left(self) -> int:
        return LABEL_WIDTH

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT_PAD

    @property
    def axis_y(self) -> int:
        return AXIS_HEIGHT - 6

    @property
    def description(self) -> str:
        """What the picture shows, for screen readers (the SVG's <desc>)."""
        if self.is_empty:
            return gettext("Nothing on this dispute has a date yet.")
        claims, evidence, articles = (self.counts.get(kind, 0) for kind in ("claim", "evidence", "article"))
        counts = gettext("%(claims)s, %(evidence)s and %(articles)s") % {
            "claims": ngettext("%(count)d claim", "%(count)d claims", claims) % {"count": claims},
            "evidence": ngettext("%(count)d piece of evidence", "%(count)d pieces of evidence", evidence)
            % {"count": evidence},
            "articles": ngettext("%(count)d later article", "%(count)d later articles", articles) % {"count": articles},
        }
        parts = [
            gettext("%(counts)s, from %(start)s to %(end)s, one row per party: %(lanes)s.")
            % {
                "counts": counts,
                "start": _day(self.start),
                "end": _day(self.end),
                "lanes": ", ".join(str(lane.label) for lane in self.lanes),
            }
        ]
        if shifted := self.shifted_positions:
            paths = "; ".join(f"{p.name}: {p.path}" for p in shifted)
            parts.append(gettext("Changes of position: %(paths)s.") % {"paths": paths})
        if self.undated:
            parts.append(
                ngettext("%(count)d undated item is not shown.", "%(count)d undated items are not shown.", self.undated)
                % {"count": self.undated}
            )
        return " ".join(parts)


# The lane label's room (LABEL_WIDTH less its margins) in ems of its 13 px bold type.
LABEL_EMS = (LABEL_WIDTH - 8 - 6) / 13


@cache  # a few hundred distinct characters; measuring each label char by char was most of a party page
def _em_width(char: str) -> float:
    """A character's rough width in ems in a bold sans-serif: what decides how much of a label fits.

    Counting characters cut Cyrillic names short of their room, and let capitals and wide
    scripts run into the plot: "Министерство обороны России" is 27 letters, each about as wide
    as a Latin capital.
    """
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    # Measured in Chromium (13 px bold DejaVu Sans): "United States government" 194 px,
    # "Министерство обороны" 176 px; these estimates err wide.
    if char.isspace():
        return 0.32
    if not char.isalpha():
        return 0.5
    if "CYRILLIC" in unicodedata.name(char, "") or "GREEK" in unicodedata.name(char, ""):
        return 0.82 if char.isupper() else 0.7
    if char in "iljtfrI.,;:'|":
        return 0.46
    if char in "mwMW":
        return 1.05
    return 0.8 if char.isupper() else 0.7


def wrap_label(label: str, ems: float = LABEL_EMS) -> list[str]:
    """``label`` on one line if it fits, else on two, broken between words; the rest cut with "…"."""
    if sum(_em_width(c) for c in label) <= ems:
        return [label]
    words, first = label.split(), ""
    while words and sum(_em_width(c) for c in f"{first} {words[0]}".strip()) <= ems:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one word longer than a line: cut it
        return [fit_label(label, ems)]
    return [first, fit_label(" ".join(words), ems)] if words else [first]


def fit_label(label: str, ems: float = LABEL_EMS) -> str:
    """``label`` cut with "…" to what fits in ``ems`` (whole, if it fits)."""
    if sum(_em_width(c) for c in label) <= ems:
        return label
    room, kept = ems - _em_width("…"), []
    for char in label:
        room -= _em_width(char)
        if room < 0:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _day(value: datetime.date | None) -> str:
    return date_format(value, str(DAY_FORMAT)) if value else ""


def _ticks(start: datetime.date, end: datetime.date, left: float, right: float) -> list[Tick]:
    span = (end - start).days
    count = 6 if span >= 6 else max(span, 1) + 1
    ticks = []
    for i in range(count):
        day = start + datetime.timedelta(days=round(span * i / max(count - 1, 1)))
        if span > 3 * 365:
            label = str(day.year)
        elif span > 90:
            label = date_format(day, str(TICK_MONTH_FORMAT))
        else:
            label = date_format(day, str(TICK_DAY_FORMAT))
        x = left + (right - left) * ((day - start).days / span if span else 0.0)
        if not ticks or ticks[-1].label != label:
            ticks.append(Tick(x=round(x, 1), label=label))
    return ticks


def _short(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _party_lane(claim) -> str:
    return claim.party.display_name


def _on_this_page(claim) -> str:
    return f"#claim-{claim.pk}"


def build_timeline(
    claims,
    evidence,
    articles,
    *,
    lane_of: Callable = _party_lane,
    href_of: Callable = _on_this_page,
    group_positions: Callable = positions_module.by_party,
) -> Timeline:
    """Lay out already-loaded claims, evidence and article links; makes no queries.

    Lanes: one per party in order of first appearance (claims' parties, then
    parties that released evidence), then unattributed evidence, then articles.
    The party page passes ``lane_of`` (one lane per dispute), ``href_of`` (marks lead to
    the dispute pages) and ``group_positions`` (``positions.by_dispute``). Each change of a
    party's position is a line between the two marks (``shift_lines``).
    """
    claims = list(claims)
    items: list[tuple[str, datetime.date | None, str, str, str, str]] = []
    for claim in claims:
        speaker = f" ({claim.speaker.display_name})" if claim.speaker_id else ""
        label = (
            f"{claim.said_on_display}: {claim.party.display_name}{speaker} "
            f"{claim.get_stance_display().lower()}: {_short(claim.quote or claim.paraphrase)}"
        )
        css = f"claim stance-{claim.stance}"
        if claim.is_set_apart:
            # Still drawn where it was said, greyed: the page keeps what was said and when.
            label += f" ({claim.get_standing_display().lower()})"
            css += " set-apart"
        items.append(("claim", claim.said_on, lane_of(claim), href_of(claim), label, css))
    for item in evidence:
        lane = item.released_by.display_name if item.released_by_id else str(UNATTRIBUTED_LANE)
        label = gettext("%(date)s: evidence (%(kind)s) — %(title)s") % {
            "date": item.released_on_display,
            "kind": item.get_kind_display().lower(),
            "title": _short(item.title),
        }
        items.append(("evidence", item.released_on, lane, f"#evidence-{item.pk}", label, f"evidence kind-{item.kind}"))
    for link in articles:
        title = link.source.title or link.source.host
        label = gettext("%(date)s: article %(relation)s — %(title)s") % {
            "date": _day(link.linked_on),
            "relation": link.get_relation_display().lower(),
            "title": _short(title),
        }
        items.append(
            (
                "article",
                link.linked_on,
                str(ARTICLES_LANE),
                f"#article-{link.pk}",
                label,
                f"article relation-{link.relation}",
            )
        )

    timeline = Timeline()
    timeline.counts = {kind: sum(1 for i in items if i[0] == kind) for kind in ("claim", "evidence", "article")}
    dated = [i for i in items if i[1] is not None]
    timeline.undated = len(items) - len(dated)
    if not dated:
        return timeline

    lane_names: list[str] = []
    for kind_order in ("claim", "evidence", "article"):
        for kind, _, lane, *_rest in dated:
            if kind == kind_order and lane not in lane_names:
                lane_names.append(lane)
    # Articles and unattributed evidence always sit at the bottom.
    for special in (str(UNATTRIBUTED_LANE), str(ARTICLES_LANE)):
        if special in lane_names:
            lane_names.remove(special)
            lane_names.append(special)
    timeline.lanes = [
        Lane(label=name, y=AXIS_HEIGHT + LANE_HEIGHT * i + LANE_HEIGHT / 2, index=i)
        for i, name in enumerate(lane_names)
    ]
    lane_y = {lane.label: lane.y for lane in timeline.lanes}
    timeline.height = AXIS_HEIGHT + LANE_HEIGHT * len(lane_names) + BOTTOM_PAD

    start = min(i[1] for i in dated)
    end = max(i[1] for i in dated)
    timeline.start, timeline.end = start, end
    span = (end - start).days
    left = LABEL_WIDTH + MARK_SIZE * 2
    right = WIDTH - RIGHT_PAD - MARK_SIZE * 2 - DODGE_STEP * (DODGE_COLUMNS - 1)
    timeline.ticks = _ticks(start, end, left, right)

    crowd: dict[tuple[str, datetime.date], int] = defaultdict(int)
    for kind, day, lane, href, label, css in sorted(dated, key=lambda i: (i[1], i[0])):
        n = crowd[(lane, day)]
        crowd[(lane, day)] += 1
        # Everything on one day sits at the start of the axis, where a phone shows it without scrolling.
        x = left + (right - left) * ((day - start).days / span if span else 0.0)
        x += DODGE_STEP * (n % DODGE_COLUMNS)
        # Rows of the grid: on the lane's centre line, then just above it, then just below.
        y = lane_y[lane] + (0, -1, 1)[(n // DODGE_COLUMNS) % 3] * DODGE_STEP
        timeline.marks.append(
            Mark(kind=kind, x=round(x, 1), y=round(y, 1), href=href, label=label, css_class=css, date=day)
        )
    _draw_shifts(timeline, claims, href_of, group_positions)
    return timeline


def _draw_shifts(timeline: Timeline, claims: list, href_of: Callable, group_positions: Callable) -> None:
    timeline.positions = group_positions(claims)
    by_pk = {claim.pk: claim for claim in claims}
    mark_at = {mark.href: mark for mark in timeline.marks if mark.kind == "claim"}
    for group in timeline.positions:
        for shift in group.shifts:
            start = mark_at.get(href_of(by_pk[shift.before.claim_id]))
            end = mark_at.get(href_of(by_pk[shift.after.claim_id]))
            if start is not None and end is not None:
                timeline.shift_lines.append(ShiftLine(start.x, start.y, end.x, end.y, shift.label))
