"""Is a claim's quote still in the page? Normalised, then exact, then fuzzy (rapidfuzz) near candidates.

Quotes are copied by people: curly or straight quotation marks, typographic
apostrophes, dashes, doubled spaces, line breaks, case, footnote markers such as
"[4]" between two words. Those differences are normalised away, and an exact match
scores 100. Otherwise rapidfuzz scores the passages that share pieces of the quote
(candidate windows); a score at or above ``threshold`` counts as present (a small
edit), and the passage found is reported either way with its context, so an editor
can see what the page says now.

Cost: the page text is normalised once per check (``PageText``), word by word with a
cache, and every quote is searched in it; the exact search is one ``str.find``; the fuzzy
search runs only on a few windows around places where pieces ("anchors") of the quote
occur, so a 1 MB page or a 2,000-word quote stays linear in practice.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
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
        # Invisible format characters (zero-width space/joiners, soft hyphen, BOM) vanish.
        "\u00ad": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u200e": None,
        "\u200f": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
# Reference markers a reader skips when copying a sentence: [4], [12], [a], [citation needed].
_MARKER = re.compile(r"\[(?:\d{1,3}|[a-z]|citation needed|note \d{1,3})\]")
_WORD = re.compile(r"\S+")
_ANCHORS = 24  # pieces of the quote looked up in the page
_HITS_PER_ANCHOR = 20  # a piece found more often than this says nothing about where the quote is
_WINDOWS = 3  # candidate places scored with rapidfuzz
_PUNCTUATION = "\"'.,;:!?()[]-"


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


def _fold_word(word: str, cache: dict[str, str]) -> str:
    folded = cache.get(word)
    if folded is None:
        folded = _MARKER.sub("", unicodedata.normalize("NFKC", word).translate(_FOLD).casefold())
        cache[word] = folded
    return folded


class PageText:
    """A page's text normalised once for every quote searched in it.

    ``folded`` is the text's words, each with quotes, dashes, case and reference markers
    folded, joined by single spaces (one C-level pass plus a dictionary lookup per word).
    The original position of a folded span is worked out only for the passages reported.
    """

    def __init__(self, text: str):
        self.text = text or ""
        self._spans: list[tuple[int, int]] | None = None
        self._index: list[int] | None = None
        # Fast path: fold the whole text in C; it keeps one folded word per original word unless
        # a marker or an odd compatibility character stood alone, which the word count tells.
        words = _MARKER.sub("", unicodedata.normalize("NFKC", self.text).translate(_FOLD).casefold()).split()
        if len(words) != len(self.text.split()):
            cache: dict[str, str] = {}
            words, self._index = [], []
            for i, word in enumerate(self.text.split()):
                for piece in _fold_word(word, cache).split():
                    words.append(piece)
                    self._index.append(i)
        self.folded = " ".join(words)

    def _original_word(self, folded_word: int) -> tuple[int, int]:
        """(start, end) in the original text of the folded word number ``folded_word``."""
        if self._spans is None:  # once per page, and only when a passage is reported
            self._spans = [m.span() for m in _WORD.finditer(self.text)]
        k = self._index[folded_word] if self._index is not None else folded_word
        return self._spans[min(k, len(self._spans) - 1)]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span for the folded span ``[start, end)``."""
        folded = self.folded
        first = folded.count(" ", 0, start)
        last = first + folded.count(" ", start, max(end - 1, start))
        first_start, first_end = self._original_word(first)
        last_start, last_end = self._original_word(last) if last != first else (first_start, first_end)
        into_first = start - (folded.rfind(" ", 0, start) + 1)
        into_last = end - (folded.rfind(" ", 0, max(end - 1, 0)) + 1)
        orig_start = min(first_start + into_first, first_end - 1)
        orig_end = max(min(last_start + into_last, last_end), orig_start + 1)
        return orig_start, orig_end

    def find(self, quote: str, threshold: float = DEFAULT_THRESHOLD) -> QuoteMatch:
        """Find ``quote``; report presence, a 0–100 score, the passage and its context."""
        needle = normalise(quote).strip(" \"'")
        haystack = self.folded
        if not needle or not haystack:
            return QuoteMatch(present=False, score=0.0)
        start = haystack.find(needle)
        if start >= 0:
            score, end = 100.0, start + len(needle)
        else:
            found = self._fuzzy(needle)
            if found is None:
                return QuoteMatch(present=False, score=0.0)
            score, start, end = found
        orig_start, orig_end = self.original_span(start, end)
        text = self.text
        return QuoteMatch(
            present=score >= threshold,
            score=score,
            matched_text=text[orig_start:orig_end],
            prefix=_context(text[max(0, orig_start - CONTEXT) : orig_start], left=True),
            suffix=_context(text[orig_end : orig_end + CONTEXT], left=False),
        )

    def _fuzzy(self, needle: str) -> tuple[float, int, int] | None:
        haystack = self.folded
        best = None
        for lo, hi in self._candidates(needle):
            window = haystack[lo:hi]
            alignment = fuzz.partial_ratio_alignment(needle, window)
            if alignment is None or alignment.score == 0:
                continue
            start, end = _widen_to_words(haystack, lo + alignment.dest_start, lo + alignment.dest_end)
            found = _best_window(needle, haystack, start, end, reach=3 if len(needle) < 1000 else 1)
            if best is None or found[0] > best[0]:
                best = found
        return best

    def _candidates(self, needle: str) -> list[tuple[int, int]]:
        """Up to ``_WINDOWS`` spans of the folded text where the quote may sit, found by looking up
        pieces of it: each place a piece occurs votes for where the quote would start."""
        haystack = self.folded
        size = len(needle)
        slack = max(size // 4, 40)
        if len(haystack) <= size + 2 * slack:
            return [(0, len(haystack))]
        length = max(4, min(12, size // 6))
        step = max(1, (size - length) // _ANCHORS)
        votes: Counter[int] = Counter()
        bucket = max(slack // 2, 20)
        for offset in range(0, max(size - length, 0) + 1, step):
            anchor = needle[offset : offset + length]
            hits: list[int] = []
            at = haystack.find(anchor)
            while at >= 0 and len(hits) <= _HITS_PER_ANCHOR:
                hits.append(at)
                at = haystack.find(anchor, at + 1)
            if len(hits) > _HITS_PER_ANCHOR:
                continue
            for at in hits:
                votes[(at - offset) // bucket] += 1
        if not votes:
            # Nothing of the quote is in the page verbatim: a short quote still gets its best
            # passage (a cheap bit-parallel scan); a long one is plainly not there.
            return [(0, len(haystack))] if size <= 64 else []
        spans = []
        for key, _ in votes.most_common(_WINDOWS):
            lo = max(0, key * bucket - slack)
            spans.append((lo, min(len(haystack), key * bucket + size + slack + bucket)))
        return spans


def normalise(text: str) -> str:
    """Fold quotes, dashes, case, whitespace and reference markers, as the page text is folded."""
    cache: dict[str, str] = {}
    return " ".join(piece for word in (text or "").split() for piece in _fold_word(word, cache).split())


def find_quote(quote: str, text: str | PageText, threshold: float = DEFAULT_THRESHOLD) -> QuoteMatch:
    """Find ``quote`` in ``text`` (a string, or a ``PageText`` made once for several quotes)."""
    page = text if isinstance(text, PageText) else PageText(text)
    return page.find(quote, threshold)


def _best_window(needle: str, text: str, start: int, end: int, reach: int = 3) -> tuple[float, int, int]:
    """Refine a rough alignment: try moving each edge by up to ``reach`` words and keep the
    window most like the quote as a whole, so an inserted or changed word costs only itself."""
    starts, ends = [start], [end]
    s = start
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
    return _show_changed_edges(needle, text, *best)


def _show_changed_edges(needle: str, text: str, score: float, start: int, end: int) -> tuple[float, int, int]:
    """A changed first or last word of the quote scores a little better left out of the passage
    than shown; the reader needs to see it. So when the passage is shorter than the quote and
    does not end (start) with the quote's last (first) word, the next word is taken in."""
    quote_words = needle.split()
    shown = (start, end)
    words = text[start:end].split()
    if len(words) < len(quote_words) and words and words[-1].strip(_PUNCTUATION) != quote_words[-1].strip(_PUNCTUATION):
        nxt = text.find(" ", end + 1)
        end = len(text) if nxt < 0 else nxt
    words = text[start:end].split()
    if len(words) < len(quote_words) and words and words[0].strip(_PUNCTUATION) != quote_words[0].strip(_PUNCTUATION):
        start = text.rfind(" ", 0, max(start - 1, 0)) + 1 if start > 0 else 0
    if (start, end) != shown:
        score = fuzz.ratio(needle, text[start:end].strip(" \"'"))
    return round(score, 1), start, end


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
