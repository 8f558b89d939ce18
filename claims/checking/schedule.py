"""When to check a source again: back off for stable pages, tighten for young or disputed ones.

Due checks live in the database (``Source.next_check_at``); beat only runs the sweep
that turns due sources into jobs. Nothing is held as a long broker countdown.
"""

from __future__ import annotations

import datetime
import random

from . import outcomes

HOUR = datetime.timedelta(hours=1)
MIN_DELAY = datetime.timedelta(minutes=30)
MAX_DELAY = datetime.timedelta(days=7)


def base_delay(source_age: datetime.timedelta) -> datetime.timedelta:
    """Young sources are edited most: hourly on the first two days, six-hourly for two weeks, then daily."""
    if source_age < datetime.timedelta(days=2):
        return HOUR
    if source_age < datetime.timedelta(days=14):
        return 6 * HOUR
    return 24 * HOUR


def next_check_delay(
    *,
    source_age: datetime.timedelta,
    stable_runs: int,
    outcome: str,
    disputed: bool = False,
    retry_after: float | None = None,
) -> datetime.timedelta:
    """The wait before the next scheduled check.

    ``stable_runs`` is how many checks in a row found the same main text: each one
    doubles the wait (up to a week). A change resets it. A dead or failing page is
    looked at again daily-ish; a refused one (unsafe, robots, too large) weekly. A
    source cited in a live dispute is watched twice as closely. Retry-After is a floor.
    """
    if outcome in outcomes.REFUSED:
        delay = MAX_DELAY
    elif outcome in outcomes.UNREACHABLE:
        delay = 12 * HOUR * (2 ** min(stable_runs, 3))
    else:
        delay = base_delay(source_age) * (2 ** min(stable_runs, 8))
    if disputed:
        delay /= 2
    delay = max(MIN_DELAY, min(delay, MAX_DELAY))
    if retry_after:
        delay = max(delay, datetime.timedelta(seconds=retry_after))
    return delay


def retry_delay(attempt: int, *, base: float = 30.0, cap: float = 3600.0) -> datetime.timedelta:
    """Exponential backoff with full jitter for a failed attempt (1-based)."""
    ceiling = min(cap, base * (2 ** max(attempt - 1, 0)))
    return datetime.timedelta(seconds=random.uniform(ceiling / 2, ceiling))
