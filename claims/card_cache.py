"""Cards of the dispute page (claims, evidence, later articles, the problem banner) and the
party page's claim rows, rendered once per page stamp and kind of viewer.

Rendering some fifty cards was about half of a big dispute's first view. The body as a
whole is cached only for readers and visitors, and only per query string (claims/views/
disputes.py), so a link shared with its own tracking parameters, ``?all=1``, and every
editor's view rendered every card again although none of them had changed. A card's HTML
depends on its row and the rows joined to it (party, speaker, source and its check), all of
which renew the dispute's page stamp when they change (``DisputePageStamp``), on what the
viewer may do (the editing links), on the site language, the release and, for "checked
3 hours ago", the ten-minute bucket of the body cache. That is the key; the view fetches
every shown card's key in one ``get_many`` before the body is rendered and stores the ones
it had to render in one ``set_many`` after. As with the body, nothing is deleted: a write
makes new keys and the old ones expire.

A card that holds a form (an editor's evidence item with its "Remove" buttons) carries the
viewer's CSRF token: it is stored with a placeholder instead, which every view fills with
its own viewer's token (``with_token``).
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import translation

from claims import roles
from claims.release import release_stamp

# The bucket of relative times is the body cache's (claims/views/disputes.py), so it lives as long.
CARD_SECONDS = 600


# What {% csrf_token %} renders, and what a stored card holds in its place.
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
TOKEN_PLACEHOLDER = "\x00csrf-token\x00"  # noqa: S105 — a marker, not a secret


def with_token(html: str, token) -> str:
    """``html`` with the viewer's own CSRF token where a stored card has the placeholder."""
    return html.replace(TOKEN_PLACEHOLDER, str(token)) if TOKEN_PLACEHOLDER in html else html


def viewer_variant(user) -> tuple:
    """Everything about the viewer a card shows: its editing links and the History link."""
    return (
        bool(user and user.is_authenticated),
        roles.can_see_drafts(user),
        roles.can_edit(user),
        roles.can_publish(user),
        roles.can_settle(user),
        roles.can_delete(user),
    )


@dataclass
class CardCache:
    """The cards of one page view: those found in the cache, and those rendered for it."""

    prefix: str
    found: dict[str, str] = field(default_factory=dict)
    rendered: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_view(cls, *, stamp: str, user, bucket: int) -> "CardCache":
        parts = (stamp, viewer_variant(user), translation.get_language(), release_stamp(), bucket)
        return cls(prefix="card:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32])

    def key(self, kind: str, item) -> str | None:
        """The cache key of ``item``'s card; None: render it every time."""
        return f"{self.prefix}:{kind}:{item.pk}"

    def fetch_keys(self, keys: list[str | None]) -> None:
        wanted = [key for key in keys if key is not None]
        self.found = cache.get_many(wanted) if wanted else {}

    def fetch(self, data) -> None:
        """Read every shown card of ``data`` (selectors.DisputePageData) in one round trip."""
        keys = [self.key("claim", c) for column in data.columns for c in column.shown]
        keys += [self.key("evidence", e) for e in data.evidence_shown]
        keys += [self.key("article", a) for a in data.articles_shown]
        if data.has_source_problems:  # its list of badges, one per problem source of the whole dispute
            keys.append(self.key("problems", data.dispute))
        self.fetch_keys(keys)

    def keep(self, key: str, html: str) -> None:
        # The viewer's own token is never shared: a placeholder goes in its place.
        self.rendered[key] = _TOKEN.sub(rf"\g<1>{TOKEN_PLACEHOLDER}\g<2>", html)

    def store(self) -> None:
        if self.rendered:
            cache.set_many(self.rendered, CARD_SECONDS)


class RowCache(CardCache):
    """Rows that each belong to a dispute, each under its dispute's stamp (party page claims, home page disputes).

    The rows carry ``page_stamp`` (``selectors._with_page_stamps``, ``selectors.dispute_list_page``):
    their dispute's stamp, version and last update or activity. Without a stamp (SQLite has no
    triggers) a row is rendered.
    """

    @classmethod
    def for_view(cls, *, user, bucket: int, stamp: str = "") -> "RowCache":  # type: ignore[override]
        parts = (viewer_variant(user), translation.get_language(), release_stamp(), bucket)
        return cls(prefix="row:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32])

    def cached(self, kind: str, items: list) -> set[int]:
        """Read the rows of ``items`` in one round trip; the ids of those found (the home page's rows)."""
        keys = {item.pk: self.key(kind, item) for item in items}
        self.fetch_keys(list(keys.values()))
        return {pk for pk, key in keys.items() if key in self.found}

    def key(self, kind: str, item) -> str | None:
        stamp = getattr(item, "page_stamp", None)
        if stamp is None:
            return None
        version = hashlib.sha256(repr(stamp).encode()).hexdigest()[:16]
        return f"{self.prefix}:{kind}:{item.pk}:{version}"
