"""Languages of what people said: BCP 47 tags, their names and scripts, and the direction to draw them.

A claim's quote is kept in the language it was said in (``Claim.quote_language``), with an
optional translation into the site's language. Tags are checked and put in their canonical
form with ``langcodes`` (``en_gb`` → ``en-GB``, ``iw`` → ``he``); a tag's likely script
(``ru`` → Cyrillic) lets a form refuse a quote labelled with a language its letters cannot be
written in. See docs/languages.md.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

import langcodes
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _

# Scripts written right to left (ISO 15924), for ``dir`` when a text's language is known.
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Mand", "Samr", "Rohg"})

# The first word of a character's Unicode name says its script for the scripts a newsroom
# meets; ISO 15924 codes a language's likely script maps to, as sets of those words.
_SCRIPT_WORDS = {
    "Latn": {"LATIN"},
    "Cyrl": {"CYRILLIC"},
    "Grek": {"GREEK"},
    "Arab": {"ARABIC"},
    "Hebr": {"HEBREW"},
    "Deva": {"DEVANAGARI"},
    "Beng": {"BENGALI"},
    "Geor": {"GEORGIAN"},
    "Armn": {"ARMENIAN"},
    "Thai": {"THAI"},
    "Hans": {"CJK"},
    "Hant": {"CJK"},
    "Hani": {"CJK"},
    "Jpan": {"CJK", "HIRAGANA", "KATAKANA"},
    "Kore": {"HANGUL", "CJK"},
}
# Languages commonly written in more than one script: their likely script says nothing
# about a given text (Serbian in Latin letters is still Serbian).
_MULTI_SCRIPT = frozenset({"sr", "bs", "uz", "az", "kk", "tk", "mn", "pa", "ku", "ms", "ha", "sd", "ks", "tg", "ky"})
# Fewer letters than this say too little about a text's script to refuse a label.
_SCRIPT_MIN_LETTERS = 8


def normalise_tag(value: str) -> str:
    """``value`` as a canonical BCP 47 tag, or "" for none; ValidationError for a tag that names no language."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        valid = langcodes.tag_is_valid(value)
        language = langcodes.Language.get(value) if valid else None
    except (ValueError, LookupError):
        valid, language = False, None
    if not valid or language is None or not language.is_valid() or language.language in (None, "und", "mul", "zxx"):
        raise ValidationError(
            _("“%(value)s” is not a language tag: use a BCP 47 tag such as en, ru, ar or zh-Hant."),
            code="invalid_language",
            params={"value": value[:40]},
        )
    return langcodes.standardize_tag(value)


def language_name(tag: str) -> str:
    """The language's name in the reader's interface language: "Russian" for ``ru``, or "русский"."""
    return _language_name(tag, interface_language())


@lru_cache(maxsize=1024)
def _language_name(tag: str, in_language: str) -> str:
    if not tag:
        return ""
    try:
        return langcodes.Language.get(tag).display_name(in_language)
    except (ValueError, LookupError):
        return tag


@lru_cache(maxsize=64)
def _script_name(word: str, in_language: str) -> str:
    """A script's name ("Cyrillic", "кириллица") from the first word of its letters' Unicode names."""
    code = "Hani" if word == "CJK" else next((code for code, words in _SCRIPT_WORDS.items() if words == {word}), "")
    return langcodes.Language.make(script=code).script_name(in_language) if code else word.title()


@lru_cache(maxsize=512)
def likely_script(tag: str) -> str:
    """The ISO 15924 script a text in ``tag`` is most likely written in ("" when unknown)."""
    if not tag:
        return ""
    try:
        return langcodes.Language.get(tag).maximize().script or ""
    except (ValueError, LookupError):
        return ""


def direction(tag: str) -> str:
    """``rtl`` or ``ltr`` for a known language; ``auto`` (the browser looks at the text) for none."""
    if not tag:
        return "auto"
    return "rtl" if likely_script(tag) in RTL_SCRIPTS else "ltr"


@lru_cache(maxsize=1)
def site_language() -> str:
    """The language the site is written in (and translations are made into), as a BCP 47 tag."""
    return langcodes.standardize_tag(settings.LANGUAGE_CODE)


def interface_language() -> str:
    """The language the reader is reading the interface in (LocaleMiddleware's choice), as a BCP 47 tag.

    Outside a request (feeds, e-mail, tasks) it is the site's language.
    """
    return _standard_tag(translation.get_language() or settings.LANGUAGE_CODE)


def in_site_language[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` in the site's language (LANGUAGE_CODE), whatever the reader's.

    For what is written once for everyone, not for one reader: feeds, embeds, oEmbed, share
    images, CSV exports, link previews, ClaimReview, webhook payloads, e-mail and the feed
    items stored in the database. Their caches then need not vary by language.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            result = func(*args, **kwargs)
        # Say so, or LocaleMiddleware (after the override ended) labels it with the reader's
        # language; it only fills Content-Language in when the view has not.
        if isinstance(result, HttpResponseBase) and "Content-Language" not in result:
            result["Content-Language"] = settings.LANGUAGE_CODE
        return result

    return wrapper


@lru_cache(maxsize=16)
def _standard_tag(code: str) -> str:
    return langcodes.standardize_tag(code)


def same_language(a: str, b: str) -> bool:
    """Whether two tags name the same language, regions aside (en-GB and en-US are both English)."""
    if not a or not b:
        return False
    return langcodes.Language.get(a).language == langcodes.Language.get(b).language


def same_language_safe(a: str, b: str) -> bool:
    """``same_language`` for tags that may not be valid (typed, not yet checked): False then."""
    try:
        return same_language(a, b)
    except (ValueError, LookupError):
        return False


def script_counts(text: str) -> Counter:
    """How many letters of ``text`` are in each script, by the first word of their Unicode names.

    Combining marks count as letters: Devanagari's vowel signs are half of what is written.
    """
    counts: Counter = Counter()
    for char in text:
        if char.isalpha() or unicodedata.category(char) in ("Mn", "Mc"):
            name = unicodedata.name(char, "")
            if name:
                counts[name.split(" ", 1)[0]] += 1
    return counts


def script_mismatch(text: str, tag: str) -> str:
    """Why ``text`` cannot be in language ``tag`` (its letters are another script), or "".

    Says nothing for short texts, for languages written in several scripts, and for
    scripts this module does not know: a refusal must be certain.
    """
    if not tag or not text:
        return ""
    language = langcodes.Language.get(tag)
    if language.language in _MULTI_SCRIPT and not language.script:
        return ""
    script = likely_script(tag)
    words = _SCRIPT_WORDS.get(script)
    counts = script_counts(text)
    letters = sum(counts.values())
    if not words or letters < _SCRIPT_MIN_LETTERS:
        return ""
    in_script = sum(n for word, n in counts.items() if word in words)
    if in_script * 2 >= letters:
        return ""
    found = _script_name(counts.most_common(1)[0][0], interface_language())
    return _("This text is written mostly in %(script)s letters, which %(language)s is not written in.") % {
        "script": found,
        "language": language_name(tag),
    }


# Offered first in the language field; any other valid tag can be typed.
COMMON_TAGS = (
    *("en", "ru", "uk", "ar", "fa", "he", "zh-Hans", "zh-Hant", "ja"),
    *("ko", "hi", "tr", "fr", "de", "es", "pt", "it", "pl"),
)


def common_languages() -> tuple[tuple[str, str], ...]:
    """The languages offered first, named in the reader's interface language."""
    return _common_languages(interface_language())


@lru_cache(maxsize=8)
def _common_languages(in_language: str) -> tuple[tuple[str, str], ...]:
    return tuple((tag, _language_name(tag, in_language)) for tag in COMMON_TAGS)


# BCP 47 primary language subtag → PostgreSQL text search configuration: a quote is stemmed
# with its language's (migration 0017_search_languages holds the SQL copy; a test keeps the
# two equal). Languages PostgreSQL has no configuration for are indexed unstemmed ('simple').
SEARCH_CONFIGS = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


def search_config(tag: str) -> str:
    """The text search configuration a text in ``tag`` is stemmed with ("simple" when none fits)."""
    return SEARCH_CONFIGS.get((tag or "").split("-", 1)[0].lower(), "simple")


@lru_cache(maxsize=1)
def search_configs() -> tuple[str, ...]:
    """Every configuration a search query is parsed in: the site's first, then the others, then simple."""
    others = sorted(set(SEARCH_CONFIGS.values()) - {"english"})
    return ("english", *others, "simple")


# "ru: Шойгу" — a name tagged with its language; a line without a tag is a name in no
# particular language (a transliteration such as "Choïgou" may be tagged "fr").
_TAGGED_NAME = re.compile(r"^\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)\s*:\s*(\S.*)$")


def parse_names(text: str) -> list[tuple[str, str]]:
    """Other names, one a line, as ``(tag, name)``: "ru: Шойгу" → ``("ru", "Шойгу")``, "Choïgou" → ``("", "Choïgou")``.

    Raises ValidationError naming the line whose tag names no language.
    """
    names = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _TAGGED_NAME.match(line)
        if match is None:
            names.append(("", line))
            continue
        try:
            tag = normalise_tag(match.group(1))
        except ValidationError:
            raise ValidationError(
                _("Line %(number)d: “%(tag)s” is not a language tag. Write “ru: Шойгу”, or the name alone.")
                % {"number": number, "tag": match.group(1)}
            ) from None
        names.append((tag, match.group(2).strip()))
    return names


def name_for_language(name: str, others: str, tag: str) -> str:
    """The name to show on a site in language ``tag``: the first other name tagged with it, else ``name``."""
    for other_tag, other in parse_names_safe(others):
        if other_tag and same_language_safe(other_tag, tag):
            return other
    return name


def parse_names_safe(text: str) -> list[tuple[str, str]]:
    """``parse_names`` for display: a line that would not validate is taken as a plain name."""
    try:
        return parse_names(text)
    except ValidationError:
        return [("", line.strip()) for line in (text or "").splitlines() if line.strip()]
