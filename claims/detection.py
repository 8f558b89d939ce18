"""A suggested language for a quote as it is typed or pasted, or none when the text cannot say.

``lingua-language-detector`` ships its language models inside the package (nothing is
downloaded at run time). The detector is built once per process, on first use, for a
bounded set of languages (those a newsroom covering international disputes meets most),
which keeps its memory and first-call time small; see docs/languages.md for the figures.

A suggestion is only made when the text can carry one: a wrong label is worse than none,
because an editor tends to accept what is pre-filled. So there is no suggestion for

* short texts (fewer than ``MIN_LETTERS`` letters; fewer than ``MIN_CJK`` characters for
  Chinese, Japanese and Korean, whose characters each carry more): "Нет" could be Russian,
  Ukrainian, Bulgarian or Serbian;
* mixed texts, where no script holds ``MIN_SCRIPT_SHARE`` of the letters ("Путин said
  no" is neither Russian nor English);
* texts whose best language is below ``MIN_CONFIDENCE``, or not clearly ahead of the
  next (``MIN_MARGIN``). Lingua's confidences are shares among the candidate languages, so
  a plain English sentence scores ~0.65 with French and Dutch sharing the rest; the margin
  is what tells a clear case from a close one ("Нет": Russian 0.66, Ukrainian 0.34).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

from claims import languages

# BCP 47 tag → lingua's name for the language. Bounded on purpose: a larger set costs memory
# and makes close languages (Bosnian, Croatian, Serbian) split the confidence of a short text.
DETECTED = {
    "en": "ENGLISH",
    "ru": "RUSSIAN",
    "uk": "UKRAINIAN",
    "be": "BELARUSIAN",
    "ar": "ARABIC",
    "fa": "PERSIAN",
    "ur": "URDU",
    "he": "HEBREW",
    "tr": "TURKISH",
    "fr": "FRENCH",
    "de": "GERMAN",
    "es": "SPANISH",
    "pt": "PORTUGUESE",
    "it": "ITALIAN",
    "nl": "DUTCH",
    "pl": "POLISH",
    "ro": "ROMANIAN",
    "el": "GREEK",
    "ka": "GEORGIAN",
    "hy": "ARMENIAN",
    "zh": "CHINESE",
    "ja": "JAPANESE",
    "ko": "KOREAN",
    "hi": "HINDI",
}
MIN_CONFIDENCE = 0.60
MIN_MARGIN = 0.40
MIN_LETTERS = 20
MIN_CJK = 6
MIN_SCRIPT_SHARE = 0.85
# Japanese mixes kanji, hiragana and katakana in one sentence; Korean may mix in hanja.
_CJK_WORDS = frozenset({"CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HANGUL"})

_detector = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Suggestion:
    tag: str
    name: str
    confidence: float


def _get_detector():
    """The detector, built on first use (a few milliseconds and ~50 MB for these languages)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                chosen = [getattr(Language, name) for name in DETECTED.values()]
                _detector = LanguageDetectorBuilder.from_languages(*chosen).build()
    return _detector


def _enough_text(text: str) -> bool:
    counts = Counter()
    for script, n in languages.script_counts(text).items():
        counts["CJK" if script in _CJK_WORDS else script] += n
    letters = sum(counts.values())
    if not letters:
        return False
    script, top = counts.most_common(1)[0]
    if top / letters < MIN_SCRIPT_SHARE:
        return False
    return top >= (MIN_CJK if script == "CJK" else MIN_LETTERS)


def suggest_language(text: str) -> Suggestion | None:
    """The language ``text`` is in, when it says so clearly enough; otherwise None."""
    text = (text or "").strip()[:2000]  # the first paragraphs say it; a long paste costs no more
    if not _enough_text(text):
        return None
    values = _get_detector().compute_language_confidence_values(text)
    best, runner_up = values[0], (values[1].value if len(values) > 1 else 0.0)
    if best.value < MIN_CONFIDENCE or best.value - runner_up < MIN_MARGIN:
        return None
    tag = next(tag for tag, name in DETECTED.items() if name == best.language.name)
    return Suggestion(tag=tag, name=languages.language_name(tag), confidence=best.value)
