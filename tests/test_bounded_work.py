"""No request does unbounded work: stored check texts are capped, the check diff's work is
bounded whatever the texts, computed once per pair of checks, and rate-limited per reader.

The bound is asserted by counting the alignment cells the diff spends (``DiffWork``), not by
timing it: before, two 40,000-word texts cost SequenceMatcher about 30 s of one worker.
"""

import random

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claims.checking import selectors
from claims.checking.selectors import DIFF_CELL_BUDGET, DiffWork, text_diff
from claims.models import SourceCheck
from tests.factories import ClaimFactory, SourceFactory


def _words(n: int, seed: int, vocabulary: int = 50_000) -> list[str]:
    rng = random.Random(seed)
    return [f"w{rng.randrange(vocabulary)}" for _ in range(n)]


def _fit(text: str, limit: int) -> str:
    return text[:limit]


def _largest_inputs(limit: int) -> dict[str, tuple[str, str]]:
    """Pairs of texts of the largest size a check may store, in the shapes that hurt diffs."""
    words = _words(limit // 5, seed=1)
    one_paragraph = " ".join(words)
    edited = list(words)
    for i in range(0, len(edited), 50):  # a word changed every 50: many small changes
        edited[i] = "changed"
    paragraphs = "\n".join(" ".join(words[i : i + 80]) for i in range(0, len(words), 80))
    other = " ".join(_words(limit // 5, seed=2))
    return {
        "distinct words, one paragraph, many edits": (_fit(one_paragraph, limit), _fit(" ".join(edited), limit)),
        "paragraphs, every other one rewritten": (
            _fit(paragraphs, limit),
            _fit("\n".join(p if i % 2 else p[::-1] for i, p in enumerate(paragraphs.split("\n"))), limit),
        ),
        "two unrelated texts": (_fit(one_paragraph, limit), _fit(other, limit)),
        "one-character paragraphs": ("a\n" * (limit // 2), "b\n" * (limit // 2)),
        "the same word repeated, shifted": ("x " * (limit // 2), "y " + "x " * (limit // 2 - 1)),
        "short paragraphs, interleaved": (
            "\n".join(f"p{i}" for i in range(limit // 8)),
            "\n".join(f"p{i}" for i in range(limit // 8) if i % 3),
        ),
    }


def _sides(pieces) -> tuple[str, str]:
    old = "".join(p.text for p in pieces if p.op in ("same", "removed"))
    new = "".join(p.text for p in pieces if p.op in ("same", "added"))
    return old, new


@pytest.mark.parametrize("shape", list(_largest_inputs(1000)))
def test_diff_of_the_largest_allowed_texts_stays_within_its_work_budget(shape, settings):
    old, new = _largest_inputs(settings.CHECKER_MAX_TEXT_CHARS)[shape]
    work = DiffWork()
    pieces = text_diff(old, new, work)
    assert work.cells <= DIFF_CELL_BUDGET
    # The output is never bigger than the two inputs, and says exactly what both were.
    assert sum(len(p.text) for p in pieces) <= len(old) + len(new)
    assert _sides(pieces) == (old, new)


def test_a_small_edit_in_a_long_text_is_still_shown_word_by_word(settings):
    words = _words(settings.CHECKER_MAX_TEXT_CHARS // 8, seed=3)
    old = "\n".join(" ".join(words[i : i + 100]) for i in range(0, len(words), 100))
    new = old.replace(words[1234], "replaced", 1)
    work = DiffWork()
    pieces = text_diff(old, new, work)
    changed = [(p.op, p.text) for p in pieces if p.op != "same"]
    assert changed == [("removed", words[1234]), ("added", "replaced")]
    assert work.coarse_blocks == 0


def test_past_the_budget_a_change_is_shown_whole_rather_than_aligned():
    work = DiffWork(budget=10)
    pieces = text_diff("one two three four five six", "one 2 three 4 five 6", work)
    assert work.cells <= 10 and work.coarse_blocks == 1
    assert [(p.op, p.text) for p in pieces] == [
        ("same", "one "),
        ("removed", "two three four five six"),
        ("added", "2 three 4 five 6"),
    ]


@hsettings(max_examples=60, deadline=None)
@given(
    old=st.text(alphabet=st.sampled_from("ab \n\txy"), max_size=80),
    new=st.text(alphabet=st.sampled_from("ab \n\txy"), max_size=80),
    budget=st.integers(min_value=0, max_value=400),
)
def test_any_diff_gives_back_both_texts_within_any_budget(old, new, budget):
    work = DiffWork(budget=budget)
    pieces = text_diff(old, new, work)
    assert work.cells <= budget
    assert _sides(pieces) == (old, new)


@pytest.mark.django_db
def test_stored_check_text_is_capped_at_the_setting_and_marked_truncated(settings):
    settings.CHECKER_MAX_TEXT_CHARS = 1000
    paragraph = "word " * 29 + "word\n"
    check = SourceCheck.objects.create(source=SourceFactory(), outcome="ok", text=paragraph * 100)
    check.refresh_from_db()
    assert len(check.text) <= 1000 and check.text_truncated
    assert check.text.endswith("word")  # cut at a paragraph's end, not mid-word


@pytest.mark.django_db
def test_text_within_the_cap_is_kept_whole(settings):
    check = SourceCheck.objects.create(source=SourceFactory(), outcome="ok", text="short text")
    check.refresh_from_db()
    assert check.text == "short text" and not check.text_truncated


def _two_checks(source, old: str, new: str) -> tuple[SourceCheck, SourceCheck]:
    first = SourceCheck.objects.create(source=source, outcome="ok", text=old, text_sha256="a" * 64)
    second = SourceCheck.objects.create(source=source, outcome="ok", text=new, text_sha256="b" * 64)
    SourceCheck.objects.filter(pk=second.pk).update(started_at=first.started_at.replace(year=first.started_at.year + 1))
    return first, second


@pytest.mark.django_db
def test_diff_page_says_when_the_texts_were_cut(client, settings):
    settings.CHECKER_MAX_TEXT_CHARS = 100
    source = ClaimFactory().source
    _two_checks(source, "old words " * 20, "new words " * 20)
    html = client.get(reverse("claims:source-check-diff", args=[source.pk])).content.decode()
    assert "Only the first 100 characters of a page" in html


@pytest.mark.django_db
def test_diff_of_a_pair_is_computed_once(client, monkeypatch):
    source = ClaimFactory().source
    _two_checks(source, "before the edit", "after the edit")
    calls = []
    real = selectors.text_diff
    monkeypatch.setattr(selectors, "text_diff", lambda *a, **k: calls.append(1) or real(*a, **k))
    url = reverse("claims:source-check-diff", args=[source.pk])
    for _ in range(3):
        assert "<del>before</del>" in client.get(url).content.decode()
    assert len(calls) == 1


@pytest.mark.django_db
def test_heavy_pages_answer_429_with_retry_after_past_the_rate(client, settings):
    settings.RATELIMIT_HEAVY = "2/m"
    source = ClaimFactory().source
    first, _ = _two_checks(source, "before", "after")
    diff = reverse("claims:source-check-diff", args=[source.pk])
    assert [client.get(diff).status_code for _ in range(2)] == [200, 200]
    limited = client.get(diff)
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert "Too many requests" in limited.content.decode()
    assert client.get(reverse("claims:source-check-text", args=[first.pk])).status_code == 429
