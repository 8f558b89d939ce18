"""Is a claim's quote still in the page? Normalised, then exact, then fuzzy (rapidfuzz).

Quotes are copied by people: curly or straight quotation marks, typographic
apostrophes, dashes, doubled spaces, line breaks, case. Those differences are
normalised away, and an exact match scores 100. Otherwise rapidfuzz finds the best
aligned passage; a score at or above ``threshold`` counts as present (a small edit),
and the passage found is reported either way with its context, so an editor can see
what the page says now.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

DEFAULT_THRESHOLD = 90.0
CONTEXT = 60

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
    }
)


@dataclass
class QuoteMatch:
    present: bool
    score: float
    matched_text: str = ""
    prefix: str = ""
    suffix: str = ""

    @property
    def exact(self) -> bool:
        return self.score >= 100.0


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Fold quotes, dashes, case and whitespace; return the folded text and, per folded
    character, the index of the original character it came from."""
    out: list[str] = []
    where: list[int] = []
    last_space = True
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).translate(_FOLD).casefold()
        for piece in folded:
            if piece.isspace() or unicodedata.category(piece) in {"Cf"}:
                if piece.isspace() and not last_space:
                    out.append(" ")
                    where.append(i)
                    last_space = True
                continue
            out.append(piece)
            where.append(i)
            last_space = False
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def normalise(text: str) -> str:
    return normalise_with_map(text)[0]


def find_quote(quote: str, text: str, threshold: float = DEFAULT_THRESHOLD) -> QuoteMatch:
    """Find ``quote`` in ``text``; report presence, a 0–100 score, the passage and its context."""
    needle = normalise(quote).strip(" \"'")
    haystack, where = normalise_with_map(text)
    if not needle or not haystack:
        return QuoteMatch(present=False, score=0.0)
    start = haystack.find(needle)
    if start >= 0:
        score, end = 100.0, start + len(needle)
    else:
        alignment = fuzz.partial_ratio_alignment(needle, haystack)
        if alignment is None or alignment.score == 0:
            return QuoteMatch(present=False, score=0.0)
        start, end = _widen_to_words(haystack, alignment.dest_start, alignment.dest_end)
        score, start, end = _best_window(needle, haystack, start, end)
    orig_start = where[start]
    orig_end = where[end - 1] + 1
    return QuoteMatch(
        present=score >= threshold,
        score=score,
        matched_text=text[orig_start:orig_end],
        prefix=_context(text[max(0, orig_start - CONTEXT) : orig_start], left=True),
        suffix=_context(text[orig_end : orig_end + CONTEXT], left=False),
    )


def _best_window(needle: str, text: str, start: int, end: int, reach: int = 3) -> tuple[float, int, int]:
    """Refine a rough alignment: try moving each edge by up to ``reach`` words and keep the
    window most like the quote as a whole, so an inserted or changed word costs only itself."""
    starts, ends = [start], [end]
    s = e = start
    for _ in range(reach):  # earlier and later word starts
        s = text.rfind(" ", 0, max(s - 1, 0)) + 1 if s > 0 else 0
        starts.append(s)
    s = start
    for _ in range(reach):
        nxt = text.find(" ", s + 1)
        if nxt < 0 or nxt + 1 >= end:
            break
        s = nxt + 1
        starts.append(s)
    e = end
    for _ in range(reach):  # later and earlier word ends
        nxt = text.find(" ", e + 1)
        e = len(text) if nxt < 0 else nxt
        ends.append(e)
    e = end
    for _ in range(reach):
        prev = text.rfind(" ", start, e - 1)
        if prev <= start:
            break
        e = prev
        ends.append(e)
    best = (-1.0, start, end)
    for a in set(starts):
        for b in set(ends):
            if b > a:
                score = fuzz.ratio(needle, text[a:b].strip(" \"'"))
                if score > best[0]:
                    best = (score, a, b)
    return round(best[0], 1), best[1], best[2]


def _widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow an alignment to whole words so the passage shown reads naturally."""
    while start > 0 and text[start - 1] != " ":
        start -= 1
    while end < len(text) and text[end] != " ":
        end += 1
    return start, end


def _context(text: str, *, left: bool) -> str:
    flat = " ".join(text.split())
    return flat[-CONTEXT:] if left else flat[:CONTEXT]
