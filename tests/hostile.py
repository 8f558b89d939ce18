"""Hostile input the review found, and Hypothesis strategies that make more of it."""

from django.db import connection
from hypothesis import strategies as st

# Every class of code point that has broken something somewhere: C0 and C1 controls (pasted
# from Word and PDFs), NUL, right-to-left text and bidi overrides, combining marks (decomposed),
# emoji (astral plane, ZWJ sequences), the XML non-characters.
EVERY_CLASS = (
    "Tab\there, VT\x0bFF\x0cNUL\x00BEL\x07ESC\x1bDEL\x7fNEL\x85CSI\x9b; "
    "RTL: \u0627\u0644\u0637\u0627\u0626\u0631\u0629 \u05de\u05d8\u05d5\u05e1; "
    "override \u202egnp.exe\u202c isolate \u2067x\u2069; "
    "combining: Cafe\u0301 n\u0303; emoji: \U0001f6e9\ufe0f \U0001f469\u200d\U0001f4bb; "
    "non-chars: \ufffe\uffff; line sep\u2028para sep\u2029end"
)

MALFORMED_URLS = [
    "http://[::1",
    "http://[zzz]/",
    "https://[::1]:99999/",
    "http://exa mple.org/",
    "javascript:alert(1)",
    "http://user:pw@example.org/",
    "http:///nohost",
    "http://" + "a" * 3000 + ".org/",
]

HOSTILE_TEXT = [
    "-" * 40,
    "- " * 40,
    "-(" * 40 + "a",
    '"' * 60,
    "or " * 60,
    "a" * 201,
    "P" * 200,
    " ".join(f"word{i}" for i in range(2_000)),
    "\x00",
    "null\x00inside",
    EVERY_CLASS,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00%ff",
    "\ufeffbom",
    *MALFORMED_URLS,
]

# Text a browser can send (no lone surrogates: UTF-8 cannot carry them).
_chars = st.characters(exclude_categories=["Cs"])
text = st.one_of(
    st.text(_chars, max_size=30),
    st.sampled_from(HOSTILE_TEXT),
    st.builds(lambda c, n: c * n, _chars, st.integers(min_value=150, max_value=2_500)),
)
dates = st.one_of(
    st.dates().map(str),
    st.sampled_from(["0000-00-00", "2023-02-30", "9999-12-31", "-1-01-01", "2023-13-01", "yesterday", ""]),
    text,
)
# Past 64 bits, Django's SQLite backend raises OverflowError in an ``__in`` lookup (the
# auth Group admin's permissions select does one); PostgreSQL answers cleanly. SQLite is a
# development database, so there the numbers stay within 64 bits.
_BITS = 63 if connection.vendor == "sqlite" else 70
numbers = st.one_of(
    st.integers(min_value=-(2**_BITS) + 1, max_value=2**_BITS - 1).map(str),
    st.sampled_from(["", "0", "-1", "1e9", "NaN", "inf", "٣", "0x10", *(["9" * 40] if _BITS > 63 else [])]),
)
urls = st.one_of(st.sampled_from(MALFORMED_URLS), st.builds(lambda t: f"https://example.org/{t}", text), text)
