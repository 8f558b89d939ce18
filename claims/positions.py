"""Positions over time: each party's stance on a dispute, step by step, and where it shifted.

Worked out from claims already loaded (no queries): a party's dated claims in the order they
were said, consecutive claims of the same stance merged into one step. A claim its speaker
withdrew is left out (it was taken back, not replaced by another stance); a superseded or
corrected claim was the position until it was replaced, so it counts. A **shift** is a step to
another stance: "denies → qualified → affirms" has two.

The dispute page groups a dispute's claims by party (``by_party``); the party page groups a
party's claims by dispute (``by_dispute``). ``claims.timeline`` draws the shifts as lines
between the marks; ``claims.feed_items.create_for_position_shift`` tells readers.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from claims.models import Claim, ClaimStanding, Stance


@dataclass
class Step:
    """One stance held from a date on, first said in ``claim``."""

    stance: str
    said_on: datetime.date
    said_on_display: str
    claim_id: int

    @property
    def label(self) -> str:
        return Stance(self.stance).label.lower()


@dataclass
class Shift:
    before: Step
    after: Step

    @property
    def label(self) -> str:
        return f"{self.before.label} → {self.after.label}"


@dataclass
class Positions:
    """One party's positions on one dispute (``name`` is the party's or the dispute's, as grouped)."""

    key: int
    name: str
    url: str
    steps: list[Step] = field(default_factory=list)

    @property
    def shifts(self) -> list[Shift]:
        return [Shift(a, b) for a, b in zip(self.steps, self.steps[1:], strict=False)]

    @property
    def has_shifted(self) -> bool:
        return len(self.steps) > 1

    @property
    def path(self) -> str:
        """ "denies → qualified → affirms"."""
        return " → ".join(step.label for step in self.steps)


def counts(claim: Claim) -> bool:
    """Whether a claim is one of its party's positions: dated, and not withdrawn."""
    return claim.said_on is not None and claim.standing != ClaimStanding.WITHDRAWN


def _positions(
    claims: Iterable[Claim], key: Callable[[Claim], int], name: Callable[[Claim], str], url: Callable[[Claim], str]
) -> list[Positions]:
    groups: dict[int, Positions] = {}
    for claim in sorted((c for c in claims if counts(c)), key=lambda c: (c.said_on, c.pk)):
        group = groups.setdefault(key(claim), Positions(key(claim), name(claim), url(claim)))
        if not group.steps or group.steps[-1].stance != claim.stance:
            group.steps.append(Step(claim.stance, claim.said_on, claim.said_on_display, claim.pk))
    return list(groups.values())


def by_party(claims: Iterable[Claim]) -> list[Positions]:
    """A dispute's claims (party loaded): each party's positions, in the order the parties first spoke."""
    return _positions(claims, lambda c: c.party_id, lambda c: c.party.name, lambda c: c.party.get_absolute_url())


def by_dispute(claims: Iterable[Claim]) -> list[Positions]:
    """One party's claims (dispute loaded): its positions on each dispute."""
    return _positions(claims, lambda c: c.dispute_id, lambda c: c.dispute.proposition, lambda c: c.get_absolute_url())


def preceding_position(claim: Claim) -> Claim | None:
    """The party's claim on the dispute said just before ``claim`` (one query), or None."""
    if claim.said_on is None:
        return None
    earlier = (
        Claim.objects.filter(dispute_id=claim.dispute_id, party_id=claim.party_id, said_on__isnull=False)
        .exclude(pk=claim.pk)
        .exclude(standing=ClaimStanding.WITHDRAWN)
        .filter(said_on__lte=claim.said_on)
        .exclude(said_on=claim.said_on, pk__gt=claim.pk)
    )
    return earlier.order_by("-said_on", "-pk").first()
