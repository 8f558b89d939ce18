"""Import fact-checks published as schema.org ClaimReview (JSON-LD) as disputes with their claim.

A fact-checker's page carries ``<script type="application/ld+json">`` blocks; a feed or an
export carries the JSON itself (one object, a list, or an ``@graph``). Each ClaimReview
becomes, through the services:

- a **dispute** whose proposition is ``claimReviewed`` (matched by proposition, as the CSV
  import matches);
- a **claim** by ``itemReviewed.author`` (an Organization is the party; a Person is the
  speaker, their ``affiliation`` the party, else the person is their own party), affirming
  the proposition, dated ``itemReviewed.datePublished``, sourced at its ``firstAppearance``
  or first ``appearance``. ``claimReviewed`` is the fact-checker's wording, so it is kept
  as the claim's **paraphrase**, never as a quote;
- on a new dispute, the **verdict** read from ``reviewRating`` (its numeric scale if it has
  one, else its name: "Mostly false", "Pants on Fire"…), with the reasoning naming the
  fact-checker and the review's URL. Setting it needs a senior editor, as everywhere;
- the **review** itself linked as an article (contradicts a false-ish claim, corroborates a
  true-ish one, else reports).

Everything runs as one import: a dry run first, all or nothing, re-importing changes nothing
(``claims/importing.py`` has the transaction, the report and the matching rules).
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import lxml.html
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext as _

from claims import roles, services
from claims.importing import (
    ImportFileError,
    ImportReport,
    RowRefused,
    RowReport,
    _appearance_urls,
    _errors_of,
    _Importer,
)
from claims.models import ArticleLink, Claim, Dispute, Stance
from claims.models.sources import normalize_source_url

Verdict = Dispute.Verdict
# The five-step scale ClaimReview ratings are mapped onto (worst → best).
SCALE = [Verdict.FALSE, Verdict.MOSTLY_FALSE, Verdict.MIXED, Verdict.MOSTLY_TRUE, Verdict.TRUE]
# Rating names fact-checkers use, qualified ones before the bare words they contain (whole words, any case).
NAMED_RATINGS = [
    (r"mostly false|largely false|misleading|three pinocchios|distorted", Verdict.MOSTLY_FALSE),
    (r"half[- ]true|mixed|mixture|partly (?:true|false)|two pinocchios|needs context|cherry[- ]?picked", Verdict.MIXED),
    (r"mostly true|largely true|one pinocchio", Verdict.MOSTLY_TRUE),
    (r"unproven|unverified|unsupported|no evidence|unsubstantiated|research in progress", Verdict.UNPROVEN),
    (r"pants on fire|four pinocchios|fabricated|fake|hoax|incorrect|wrong|false", Verdict.FALSE),
    (r"true|correct|accurate|geppetto", Verdict.TRUE),
]
FALSE_ISH = {Verdict.FALSE, Verdict.MOSTLY_FALSE}
TRUE_ISH = {Verdict.TRUE, Verdict.MOSTLY_TRUE}
MAX_REVIEWS_BYTES = 20 * 1024 * 1024


def looks_like_claimreview(data: bytes) -> bool:
    """JSON or HTML rather than a CSV table (what the command and the page use to choose)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"{", b"[", b"<"))


def _json_blocks(data: bytes) -> list[Any]:
    text = data.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("<"):
        try:
            tree = lxml.html.document_fromstring(text)
        except (ValueError, lxml.etree.ParserError) as exc:
            raise ImportFileError(_("The page cannot be read as HTML: %(error)s.") % {"error": exc}) from None
        scripts = tree.xpath('//script[contains(translate(@type, "LDJSON+", "ldjson+"), "ld+json")]')
        if not scripts:
            raise ImportFileError(_('The page has no JSON-LD (<script type="application/ld+json">) to import.'))
        blocks = []
        for script in scripts:
            try:
                blocks.append(json.loads(script.text_content() or "null"))
            except json.JSONDecodeError:
                continue  # pages carry broken blocks; the others may still hold reviews
        return blocks
    try:
        return [json.loads(text)]
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("The file is not JSON: %(error)s at line %(line)d, column %(column)d.")
            % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None


def _types(node: dict) -> set[str]:
    kind = node.get("@type", [])
    return {str(t).rsplit("/", 1)[-1] for t in (kind if isinstance(kind, list) else [kind])}


def reviews_in(data: bytes) -> list[dict]:
    """Every ClaimReview object in the file, in document order."""
    found: list[dict] = []

    def walk(node: Any, depth: int = 0) -> None:
        if depth > 20:
            return
        if isinstance(node, list):
            for item in node:
                walk(item, depth + 1)
        elif isinstance(node, dict):
            if "ClaimReview" in _types(node):
                found.append(node)
                return
            for key in ("@graph", "mainEntity", "hasPart", "itemListElement", "item"):
                if key in node:
                    walk(node[key], depth + 1)

    for block in _json_blocks(data):
        walk(block)
    if not found:
        raise ImportFileError(_("No ClaimReview was found in the file."))
    return found


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _date(value: Any) -> datetime.date | None:
    text = _text(value)
    match = re.match(r"(\d{4}-\d{2}-\d{2})", text)
    if not match:
        return None
    try:
        return datetime.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def verdict_of(rating: Any) -> tuple[str, str]:
    """(verdict, the rating as the fact-checker wrote it); verdict "" when it cannot be read."""
    if not isinstance(rating, dict):
        return "", _text(rating)
    name = _text(rating.get("alternateName") or rating.get("name"))
    value, best, worst = (_number(rating.get(k)) for k in ("ratingValue", "bestRating", "worstRating"))
    if name:
        lowered = name.lower()
        for pattern, verdict in NAMED_RATINGS:
            if re.search(rf"\b(?:{pattern})\b", lowered):
                return verdict, name
    if value is not None and best is not None and worst is not None and best != worst:
        share = (value - worst) / (best - worst)
        if 0 <= share <= 1:
            return SCALE[round(share * (len(SCALE) - 1))], name or f"{value:g} of {worst:g}–{best:g}"
    return "", name or (f"{value:g}" if value is not None else "")


def _urls(work: Any) -> list[str]:
    items = work if isinstance(work, list) else [work]
    found = []
    for item in items:
        url = item.get("url") if isinstance(item, dict) else item
        if isinstance(url, str) and url.strip():
            found.append(url.strip())
    return found


def _site(message: str) -> str:
    """``message`` in the site's language: what the import writes into the record is read by everyone."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message)


def _first_url(work: Any) -> str:
    items = work if isinstance(work, list) else [work]
    for item in items:
        url = item.get("url") if isinstance(item, dict) else item
        if isinstance(url, str) and url.strip():
            return url.strip()
    return ""


class _ReviewImporter(_Importer):
    def review(self, number: int, review: dict) -> RowReport:
        try:
            return self._review(number, review)
        except RowRefused as exc:
            return RowReport(line=number, action="refuse", summary=_("Refused"), errors=exc.errors)

    def _review(self, number: int, review: dict) -> RowReport:
        proposition = _text(review.get("claimReviewed"))[:500]
        item = review.get("itemReviewed") if isinstance(review.get("itemReviewed"), dict) else {}
        author = item.get("author") or {}
        author = author[0] if isinstance(author, list) and author else author
        errors = []
        if not proposition:
            errors.append(_("claimReviewed is empty: there is no claim to record"))
        party_name, speaker_name = self._who(author if isinstance(author, dict) else {"name": author})
        if not party_name:
            errors.append(_("itemReviewed.author has no name: nobody to credit the claim to"))
        # The first appearance is the claim's source; every other appearance is one more
        # (docs/appearances.md). A list of them may repeat the first.
        appearance_urls = _urls(item.get("firstAppearance") or []) + _urls(item.get("appearance") or [])
        source_url = appearance_urls[0] if appearance_urls else ""
        review_url = _first_url(review)
        further = _appearance_urls("\n".join(appearance_urls[1:]), errors)
        for label, url in ((_("the claim's appearance"), source_url), (_("the review's url"), review_url)):
            if url:
                try:
                    normalize_source_url(url)
                except ValidationError as exc:
                    errors.append(f"{label}: {' '.join(exc.messages)}")
        verdict, rating = verdict_of(review.get("reviewRating"))
        with translation.override(settings.LANGUAGE_CODE):  # written into the verdict's reasoning, for everyone
            checker = _text(review.get("author")) or _("the fact-checker")
        if errors:
            raise RowRefused(errors)

        details: list[str] = []
        with transaction.atomic():
            try:
                created_before = len(self.new_disputes)
                dispute = self._dispute(number, {"proposition": proposition}, details)
                is_new = len(self.new_disputes) > created_before
                party = self._party(party_name, details)
                said_on = _date(item.get("datePublished"))
                what = _("%(party)s on “%(proposition)s”") % {"party": party.name, "proposition": proposition[:80]}
                existing = Claim.objects.filter(
                    dispute=dispute, party=party, stance=Stance.AFFIRMS, paraphrase=proposition, said_on=said_on
                ).first()
                action = "match"
                if existing is not None:
                    self._appearances(existing, further, details)
                else:
                    self._speaker_detail(party, speaker_name, details)
                    self._source_detail(normalize_source_url(source_url) if source_url else "", details)
                    claim = services.claim_create(
                        dispute=dispute,
                        user=self.user,
                        party=party,
                        stance=Stance.AFFIRMS,
                        paraphrase=proposition,
                        said_on=said_on,
                        source_url=source_url,
                        new_speaker=speaker_name,
                    )
                    self._appearances(claim, further, details)
                    action = "create"
                self._verdict(dispute, is_new, verdict, rating, checker, review_url, details)
                self._review_link(dispute, verdict, review_url, checker, _date(review.get("datePublished")), details)
            except PermissionDenied as exc:
                raise RowRefused([str(exc)]) from None
            except ValidationError as exc:
                raise RowRefused(_errors_of(exc)) from None
        summary = (_("New claim: %(what)s") if action == "create" else _("Already there: %(what)s")) % {"what": what}
        return RowReport(line=number, action=action, summary=summary, details=details)

    @staticmethod
    def _who(author: dict) -> tuple[str, str]:
        """(party, speaker) for a ClaimReview author."""
        name = _text(author.get("name"))
        if "Person" not in _types(author):
            return name, ""
        affiliation = _text(author.get("affiliation") or author.get("worksFor"))
        return (affiliation, name) if affiliation else (name, "")

    def _verdict(self, dispute, is_new, verdict, rating, checker, review_url, details) -> None:
        if not rating and not verdict:
            details.append(_("no rating in the review: no verdict"))
            return
        if not verdict:
            details.append(
                _("rating “%(rating)s” is not one this tracker can read: no verdict set") % {"rating": rating}
            )
            return
        if not is_new:
            details.append(
                _("existing dispute: its verdict is left to its editors (the review says “%(rating)s”)")
                % {"rating": rating}
            )
            return
        if not roles.can_settle(self.user):
            raise RowRefused(
                [_("the review rates it “%(rating)s”; setting a verdict needs a senior editor") % {"rating": rating}]
            )
        where = f" ({review_url})" if review_url else ""
        dispute.refresh_from_db(fields=["version"])  # its claims, just recorded, moved it on
        services.dispute_settle(
            dispute=dispute,
            user=self.user,
            verdict=verdict,
            reasoning=_site(gettext_noop("Rated “%(rating)s” by %(checker)s%(where)s."))
            % {"rating": rating, "checker": checker, "where": where},
            version=dispute.version,
        )
        details.append(
            _("verdict: %(verdict)s (rated “%(rating)s” by %(checker)s)")
            % {"verdict": Verdict(verdict).label, "rating": rating, "checker": checker}
        )

    def _review_link(self, dispute, verdict, review_url, checker, reviewed_on, details) -> None:
        if not review_url:
            return
        url = normalize_source_url(review_url)
        if ArticleLink.objects.filter(dispute=dispute, source__url=url).exists():
            details.append(_("the review is already linked: %(url)s") % {"url": url})
            return
        relation = (
            ArticleLink.Relation.CONTRADICTS
            if verdict in FALSE_ISH
            else ArticleLink.Relation.CORROBORATES
            if verdict in TRUE_ISH
            else ArticleLink.Relation.REPORTS
        )
        services.article_create(
            dispute=dispute,
            user=self.user,
            url=url,
            relation=relation,
            note=(_site(gettext_noop("Fact-check by %(checker)s")) % {"checker": checker})[:500],
            linked_on=reviewed_on,
        )
        details.append(
            _("the review linked as an article (%(relation)s): %(url)s")
            % {"relation": relation.label.lower(), "url": url}
        )


def import_claimreviews(data: bytes, *, user, commit: bool, max_rows: int) -> ImportReport:
    """Like :func:`claims.importing.import_claims`, for ClaimReview JSON-LD (a page or JSON)."""
    if len(data) > MAX_REVIEWS_BYTES:
        raise ImportFileError(
            _("The file is over %(bytes)s bytes.") % {"bytes": number_format(MAX_REVIEWS_BYTES, force_grouping=True)}
        )
    reviews = reviews_in(data)
    if len(reviews) > max_rows:
        raise ImportFileError(
            _("The file has %(count)s ClaimReviews; one import takes up to %(limit)s.")
            % {
                "count": number_format(len(reviews), force_grouping=True),
                "limit": number_format(max_rows, force_grouping=True),
            }
        )
    report = ImportReport(encoding="utf-8", delimiter="", unit="review")
    report.notes.append(
        ngettext("%(count)d ClaimReview found.", "%(count)d ClaimReviews found.", len(reviews))
        % {"count": len(reviews)}
    )
    importer = _ReviewImporter(user=user, unit="review")
    with services.history_author(user), transaction.atomic():
        for number, review in enumerate(reviews, start=1):
            report.rows.append(importer.review(number, review))
        keep = commit and report.refused == 0
        if not keep:
            transaction.set_rollback(True)
    report.committed = keep
    return report
