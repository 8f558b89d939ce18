"""Reads the check pages share: a source's check history, two checks for a diff."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from rapidfuzz.distance import Indel

from claims.models import QuoteCheck, Source, SourceCheck

_TOKENS = re.compile(r"\s+|[^\s]+")


def check_history(source: Source, user=None, limit: int = 50) -> list[SourceCheck]:
    """The latest checks of ``source``, newest first, with their quote results; each knows the
    previous check that had text (``previous_text_id``) so the page can link a diff. Two queries.

    Quote results are only those ``user`` may see (``QuoteCheck.visible_to``); without a user,
    what a stranger may see.
    """
    quotes = QuoteCheck.objects.visible_to(user).select_related("claim")
    checks = list(
        SourceCheck.objects.filter(source=source)
        .defer("text")
        .prefetch_related(Prefetch("quote_checks", queryset=quotes))
        .order_by("-started_at")[:limit]
    )
    older_with_text = None
    for check in reversed(checks):
        check.previous_text_id = older_with_text
        if check.text_sha256:
            older_with_text = check.pk
        check.quotes_missing = [q for q in check.quote_checks.all() if not q.present]
    return checks


def _check_id(raw: str | None) -> int | None:
    """A check id from the query string, or None for anything that is not a plausible id."""
    if not raw or not raw.isascii() or not raw.isdecimal() or len(raw) > 18:
        return None
    return int(raw) or None


def checks_for_diff(source: Source, a: str | None, b: str | None) -> tuple[SourceCheck | None, SourceCheck | None]:
    """The two checks to compare; by default the latest check with text and the one before it."""
    with_text: QuerySet[SourceCheck] = SourceCheck.objects.filter(source=source).exclude(text_sha256="")
    first, second = _check_id(a), _check_id(b)
    if first and second:
        found = {c.pk: c for c in with_text.filter(pk__in=[first, second])}
        return found.get(first), found.get(second)
    latest = list(with_text.order_by("-started_at")[:2])
    if len(latest) < 2:
        return None, latest[0] if latest else None
    return latest[1], latest[0]


@dataclass
class DiffPiece:
    op: str  # "same", "added" or "removed"
    text: str


# How many cells (tokens of one side × tokens of the other) one diff may align in total.
# Alignment is rapidfuzz's bit-parallel LCS, so a cell costs about 1/64 of a machine word
# operation: 50 million cells is some tens of milliseconds. Past the budget a changed stretch
# is shown as a whole removed block and a whole added block instead of word by word.
DIFF_CELL_BUDGET = 50_000_000

# The levels a diff works down through: paragraphs (lines), sentences, words. Each tokeniser
# splits a text into pieces that join back into exactly that text.
_PARAGRAPHS = re.compile(r"[^\n]*\n|[^\n]+")
_SENTENCES = re.compile(r"[^.!?\n]*(?:[.!?]+[^\S\n]*|\n)|[^.!?\n]+")
_LEVELS = (_PARAGRAPHS, _SENTENCES, _TOKENS)


@dataclass
class DiffWork:
    """What one diff spent: alignment cells used, and how many stretches were left unaligned."""

    budget: int = DIFF_CELL_BUDGET
    cells: int = 0
    coarse_blocks: int = 0

    def take(self, a: int, b: int) -> bool:
        if a * b > self.budget - self.cells:
            return False
        self.cells += a * b
        return True


def _common_ends(a: list[str], b: list[str]) -> tuple[int, int]:
    """The length of the common prefix and of the common suffix (not overlapping it)."""
    limit = min(len(a), len(b))
    start = 0
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start, end


def _whole(old: str, new: str) -> list[DiffPiece]:
    return [piece for piece in (DiffPiece("removed", old), DiffPiece("added", new)) if piece.text]


def _diff(old: str, new: str, level: int, work: DiffWork) -> list[DiffPiece]:
    """Diff two texts at ``level`` (0 paragraphs, 1 sentences, 2 words), going a level finer
    inside each changed stretch. Common ends cost linear time; the middle is aligned by LCS
    while the budget lasts, else its pieces are paired in order (an edited paragraph against
    its edited self), else shown whole."""
    if not old or not new or level >= len(_LEVELS):
        return _whole(old, new)
    a, b = _LEVELS[level].findall(old), _LEVELS[level].findall(new)
    start, end = _common_ends(a, b)
    mid_a, mid_b = a[start : len(a) - end], b[start : len(b) - end]
    pieces = [DiffPiece("same", "".join(a[:start]))]
    if mid_a and mid_b and work.take(len(mid_a), len(mid_b)):
        pending_a: list[str] = []
        pending_b: list[str] = []
        for op in Indel.opcodes(mid_a, mid_b):
            if op.tag == "equal":
                pieces += _changed(pending_a, pending_b, level, work)
                pending_a, pending_b = [], []
                pieces.append(DiffPiece("same", "".join(mid_a[op.src_start : op.src_end])))
            else:
                pending_a += mid_a[op.src_start : op.src_end]
                pending_b += mid_b[op.dest_start : op.dest_end]
        pieces += _changed(pending_a, pending_b, level, work)
    elif mid_a and mid_b and level + 1 < len(_LEVELS):
        # Too long to align here: pair the pieces in order and align inside each pair.
        for piece_a, piece_b in zip(mid_a, mid_b, strict=False):
            pieces += _diff(piece_a, piece_b, level + 1, work)
        pieces += _whole("".join(mid_a[len(mid_b) :]), "".join(mid_b[len(mid_a) :]))
    else:
        if mid_a and mid_b:
            work.coarse_blocks += 1
        pieces += _whole("".join(mid_a), "".join(mid_b))
    pieces.append(DiffPiece("same", "".join(a[len(a) - end :])))
    return pieces


def _changed(old: list[str], new: list[str], level: int, work: DiffWork) -> list[DiffPiece]:
    """A changed stretch, one level finer: as many paragraphs on each side are paired in order
    (each was edited), otherwise the stretch is diffed as one text."""
    if len(old) == len(new) > 1:
        return [piece for a, b in zip(old, new, strict=True) for piece in _diff(a, b, level + 1, work)]
    return _diff("".join(old), "".join(new), level + 1, work)


def _merge(pieces: list[DiffPiece]) -> list[DiffPiece]:
    """Adjacent pieces of one kind as one; a removal always before the addition beside it."""
    merged: list[DiffPiece] = []
    for piece in pieces:
        if not piece.text:
            continue
        if merged and merged[-1].op == piece.op:
            merged[-1] = DiffPiece(piece.op, merged[-1].text + piece.text)
        elif merged and piece.op == "removed" and merged[-1].op == "added":
            # "added, removed" reads badly; swapping them keeps both sides' texts the same.
            previous = merged.pop()
            if merged and merged[-1].op == "removed":
                merged[-1] = DiffPiece("removed", merged[-1].text + piece.text)
            else:
                merged.append(piece)
            merged.append(previous)
        else:
            merged.append(piece)
    return merged


def text_diff(old: str, new: str, work: DiffWork | None = None) -> list[DiffPiece]:
    """A diff of two texts as pieces the template marks up (and escapes): paragraphs first,
    then sentences, then words inside what changed.

    The work is bounded whatever the texts: tokenising and matching common beginnings and
    ends are linear, and alignment never uses more than ``work.budget`` cells. Joining the
    "same" and "removed" pieces gives ``old`` back, the "same" and "added" pieces ``new``.
    """
    work = work if work is not None else DiffWork()
    return _merge(_diff(old or "", new or "", 0, work))


def cached_text_diff(old: SourceCheck, new: SourceCheck) -> list[DiffPiece]:
    """``text_diff`` of two checks' texts, computed once per pair: check texts never change."""
    key = f"check-diff:v1:{old.pk}:{old.text_sha256}:{new.pk}:{new.text_sha256}"
    pieces = cache.get(key)
    if pieces is None:
        pieces = text_diff(old.text, new.text)
        cache.set(key, pieces, timeout=24 * 3600)
    return pieces
