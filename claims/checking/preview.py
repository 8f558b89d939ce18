"""Paste a URL, see its title: a source URL typed into a form, read for confirmation.

Through the checker's one fetch path (``fetch.fetch``: the same SSRF rules, allow-list,
robots.txt, size limits and politeness slots), with a budget of ``SOURCE_PREVIEW_SECONDS``;
the page's declared metadata is read as the checker reads it (``metadata.read``). Nothing
is saved: a slow or failed preview only says so, the form saves all the same, and the
source's first check fills in the title, publisher, author and date (docs/checking.md).
Results are kept in the cache for ten minutes per canonical URL, so pasting the same
address again costs nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import lxml.html
from django.conf import settings
from django.core.cache import cache

from claims.models import Source

from . import fetch, metadata

CACHE_SECONDS = 600


@dataclass(frozen=True)
class Preview:
    url: str
    title: str = ""
    publisher: str = ""
    author: str = ""
    published_on: datetime.date | None = None
    problem: str = ""  # why there is nothing to show (the checker will try again after saving)

    @property
    def found(self) -> bool:
        return bool(self.title or self.publisher or self.author or self.published_on)


def preview(url: str) -> Preview:
    """What ``url`` (canonical already) declares about itself, or why that is not known now."""
    known = Source.objects.filter(url=url).values("title", "publisher", "author", "published_on").first()
    if known and known["title"]:
        return Preview(url=url, **known)
    key = f"source-preview:{url}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    try:
        result = fetch.fetch(url, respect_robots=True, deadline_seconds=float(settings.SOURCE_PREVIEW_SECONDS))
    except fetch.HostBusy:
        return Preview(url=url, problem="busy")
    if result.error_kind or not result.is_html or not result.body:
        found = Preview(url=url, problem=result.error_kind or "not_html")
    else:
        try:
            tree = lxml.html.fromstring(result.text)
        except (ValueError, lxml.etree.ParserError):
            found = Preview(url=url, problem="unreadable")
        else:
            read = metadata.read(tree)
            found = Preview(
                url=url,
                title=read.title,
                publisher=read.publisher,
                author=read.author,
                published_on=read.published_on,
            )
    cache.set(key, found, CACHE_SECONDS)
    return found
