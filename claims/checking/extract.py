"""Main text and metadata from a fetched HTML page, through trafilatura and htmldate.

"Changed" is decided on the main text only, so an advert, a "last updated" stamp or a
new related-links box does not count as an edit. The text is normalised (one
paragraph per line, single spaces) before hashing so whitespace churn does not either.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
from dataclasses import dataclass

import htmldate
import trafilatura

from .outcomes import STOP_NOW

log = logging.getLogger(__name__)

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


@dataclass
class Extracted:
    text: str = ""
    title: str = ""
    author: str = ""
    publisher: str = ""
    published_on: datetime.date | None = None
    modified_on: datetime.date | None = None

    @property
    def text_sha256(self) -> str:
        return sha256_text(self.text) if self.text else ""


def normalise_text(text: str) -> str:
    """One paragraph per line, runs of spaces collapsed, blank lines dropped."""
    lines = (_SPACES.sub(" ", line).strip() for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def extract(html: str, url: str = "") -> Extracted:
    """Extract the main text and metadata; an unparseable page gives an empty result, not an error."""
    try:
        doc = trafilatura.bare_extraction(
            html, url=url or None, with_metadata=True, include_comments=False, favor_precision=True
        )
    except STOP_NOW:
        raise
    except Exception:  # noqa: BLE001 — a hostile page must not crash the check
        log.warning("trafilatura failed on %s", url, exc_info=True)
        doc = None
    result = Extracted()
    if doc is not None:
        result.text = normalise_text(doc.text or "")
        result.title = (doc.title or "")[:500]
        result.author = (doc.author or "")[:300]
        result.publisher = (doc.sitename or "")[:200]
    try:
        result.published_on = _date(htmldate.find_date(html, original_date=True, extensive_search=False))
        result.modified_on = _date(htmldate.find_date(html, original_date=False, extensive_search=False))
    except STOP_NOW:
        raise
    except Exception:  # noqa: BLE001
        log.warning("htmldate failed on %s", url, exc_info=True)
    return result
