"""Reads the check pages share: a source's check history, two checks for a diff."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from claims.models import Dispute, QuoteCheck, Source, SourceCheck

_TOKENS = re.compile(r"\s+|[^\s]+")


def check_history(source: Source, user=None, limit: int = 50) -> list[SourceCheck]:
    """The latest checks of ``source``, newest first, with their quote results; each knows the
    previous check that had text (``previous_text_id``) so the page can link a diff. Two queries.

    Quote results are only those of claims on disputes ``user`` may see: a source cited by a
    published dispute and by a draft must not show the draft's quotes. Without a user, only
    published disputes count.
    """
    visible = Dispute.objects.visible_to(user) if user is not None else Dispute.objects.published()
    quotes = QuoteCheck.objects.filter(claim__dispute__in=visible).select_related("claim")
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


def text_diff(old: str, new: str) -> list[DiffPiece]:
    """A word-level diff of two texts as pieces the template marks up (and escapes)."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    pieces: list[DiffPiece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(DiffPiece("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(DiffPiece("added", "".join(b[j1:j2])))
    return pieces
