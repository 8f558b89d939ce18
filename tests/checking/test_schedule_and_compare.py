"""Re-check cadence and quote matching on real-world variations (pure functions)."""

import datetime

from claims.checking.compare import find_quote, normalise
from claims.checking.schedule import next_check_delay, retry_delay

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
TEXT = (
    "Russia’s defence ministry denied it. “The Russian fighters did not use their onboard weapons, "
    "did not come into contact with the unmanned aerial vehicle,” the ministry said — adding nothing more."
)


def test_young_source_is_checked_hourly_and_old_one_daily():
    assert next_check_delay(source_age=HOUR, stable_runs=0, outcome="ok") == HOUR
    assert next_check_delay(source_age=30 * DAY, stable_runs=0, outcome="ok") == DAY


def test_stable_page_backs_off_up_to_a_week():
    delays = [next_check_delay(source_age=30 * DAY, stable_runs=n, outcome="ok") for n in range(5)]
    assert delays == [DAY, 2 * DAY, 4 * DAY, 7 * DAY, 7 * DAY]


def test_disputed_source_is_watched_twice_as_closely():
    assert next_check_delay(source_age=30 * DAY, stable_runs=1, outcome="ok", disputed=True) == DAY


def test_retry_after_is_a_floor_and_refusals_wait_a_week():
    assert next_check_delay(source_age=HOUR, stable_runs=0, outcome="ok", retry_after=7200) == 2 * HOUR
    assert next_check_delay(source_age=HOUR, stable_runs=0, outcome="unsafe") == 7 * DAY


def test_retry_delay_grows_with_jitter():
    first = [retry_delay(1).total_seconds() for _ in range(20)]
    third = [retry_delay(3).total_seconds() for _ in range(20)]
    assert all(15 <= d <= 30 for d in first) and all(60 <= d <= 120 for d in third)
    assert len(set(first)) > 1


def test_straight_quotes_match_curly_ones():
    match = find_quote('"The Russian fighters did not use their onboard weapons"', TEXT)
    assert match.present and match.score == 100
    assert match.matched_text == "The Russian fighters did not use their onboard weapons"


def test_typographic_apostrophe_and_case_and_spacing_are_ignored():
    match = find_quote("RUSSIA'S   defence\n ministry  denied", TEXT)
    assert match.exact and match.matched_text == "Russia’s defence ministry denied"
    assert match.suffix.startswith("it. “The Russian")


def test_an_edited_word_is_tolerated_with_a_lower_score():
    match = find_quote("did not come into physical contact with the unmanned aerial vehicle", TEXT)
    assert match.present and 90 <= match.score < 100
    assert "did not come into contact with the unmanned aerial vehicle" in match.matched_text


def test_a_different_statement_is_missing():
    match = find_quote("Russian jets struck the propeller of the drone over the sea", TEXT)
    assert not match.present and match.score < 90


def test_dashes_and_ellipses_normalise():
    assert normalise("said — adding…") == "said - adding..."
