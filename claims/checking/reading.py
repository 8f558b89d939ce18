"""The pipeline's reading step: the page's text and metadata, "changed or not", and the quotes.

``read_page`` gives the text fields of a new ``SourceCheck``; ``record_quotes`` writes one
``QuoteCheck`` per claim that appeared at the source (its first appearance or a further
one). Both skip work a previous check already did:

* a 304 Not Modified to the conditional request made with the last check's validators
  (``validators_of``) is that check's body: its text, hashes and archive are carried over;
* the same raw body (SHA-256 of the bytes) as the latest check with text, read the same way,
  is the same text: nothing is extracted, and quote results are copied for every claim not
  edited since that check (a check of an unchanged page costs a hash and a few rows);
* a previous check read by an older method (``SourceCheck.text_method``) is re-read from its
  archived copy before the hashes are compared, so a new way of reading never shows up as
  an edit on every source at once.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Greatest

from claims.models import Appearance, Claim, QuoteCheck, Source, SourceCheck

from . import archive, compare, extract, fetch

log = logging.getLogger(__name__)

_COPIED = ("text", "text_truncated", "text_sha256", "title", "author", "publisher", "published_on", "modified_on")


def _ms(since: float) -> int:
    return round((time.perf_counter() - since) * 1000)


def latest_with_text(source: Source) -> SourceCheck | None:
    return SourceCheck.objects.filter(source=source).exclude(text_sha256="").order_by("-started_at").first()


def validators_of(previous: SourceCheck | None) -> fetch.Validators | None:
    """The conditional request to make after ``previous``: only when its text can be carried
    over as it is (read the current way), and the server gave it a validator."""
    if previous is None or previous.text_method != extract.TEXT_METHOD or not previous.final_url:
        return None
    if not (previous.etag or previous.last_modified):
        return None
    return fetch.Validators(url=previous.final_url, etag=previous.etag, last_modified=previous.last_modified)


def _validator_fields(result: fetch.FetchResult, previous: SourceCheck | None) -> dict:
    """The validators to keep: the response's own, or (a 304 that repeats none) the previous ones."""
    etag = result.headers.get("etag", "")[:500]
    last_modified = result.headers.get("last-modified", "")[:100]
    if result.not_modified and previous is not None:
        etag = etag or previous.etag
        last_modified = last_modified or previous.last_modified
    return {"etag": etag, "last_modified": last_modified}


_NOT_FOUND = object()


def read_page(
    source: Source, result: fetch.FetchResult, raw_sha256: str, timings: dict, *, previous=_NOT_FOUND
) -> tuple[dict, SourceCheck | None]:
    """The text fields of the check of ``result``, and the previous check they were copied from
    (a 304 to its validators, or a body byte-for-byte the same), else None.

    ``previous``: the latest check with text, when the caller already read it."""
    if previous is _NOT_FOUND:
        previous = latest_with_text(source)
    validators = _validator_fields(result, previous)
    if result.not_modified and previous is not None and previous.text_method == extract.TEXT_METHOD:
        fields = {name: getattr(previous, name) for name in _COPIED}
        fields.update(
            text_method=extract.TEXT_METHOD,
            changed=False,
            not_modified=True,
            raw_sha256=previous.raw_sha256,
            archive_name=previous.archive_name,
            size_bytes=previous.size_bytes,
            **validators,
        )
        timings["extract_ms"] = 0
        return fields, previous
    if previous and raw_sha256 and previous.raw_sha256 == raw_sha256 and previous.text_method == extract.TEXT_METHOD:
        fields = {name: getattr(previous, name) for name in _COPIED}
        fields.update(text_method=extract.TEXT_METHOD, changed=False, **validators)
        timings["extract_ms"] = 0
        return fields, previous
    started = time.perf_counter()
    found = extract.extract(result.text, result.final_url)
    timings["extract_ms"] = _ms(started)
    earlier_hash = _comparable_hash(previous) if previous else ""
    return {
        "text": found.text,
        "text_sha256": found.text_sha256,
        "text_method": extract.TEXT_METHOD,
        "title": found.title,
        "author": found.author,
        "publisher": found.publisher,
        "published_on": found.published_on,
        "modified_on": found.modified_on,
        "changed": bool(earlier_hash and found.text_sha256 and earlier_hash != found.text_sha256),
        **validators,
    }, None


def _comparable_hash(previous: SourceCheck) -> str:
    """``previous``'s text hash as the current method would have it; empty if it cannot be known
    (then nothing is reported as changed: a false alarm on every source is worse than one
    check's silence)."""
    if previous.text_method == extract.TEXT_METHOD:
        return previous.text_sha256
    archived = archive.read_archived(previous.archive_name) if previous.archive_name else None
    if archived is None:
        log.info("check %s was read another way and has no archive; not compared", previous.pk)
        return ""
    content_type, body = archived
    text = body.decode(fetch.detect_charset(content_type, body) or "utf-8", errors="replace")
    return extract.extract(text, previous.final_url).text_sha256


def _claims_at(source: Source):
    """The claims whose quote is looked for at ``source``: those it is the first appearance of
    and those it is a further appearance of (``Appearance``), each with the selector text of
    that appearance (``looked_for``) and when it or its appearance was last edited
    (``edited_at``). A source is at most one appearance of a claim (a unique constraint).

    A reconstructed wording (a back-translation) is not in the source by design: not looked for.
    """
    further = Appearance.objects.filter(claim=OuterRef("pk"), source=source)
    is_first = Q(source=source)
    return (
        Claim.objects.filter(is_first | Q(pk__in=Appearance.objects.filter(source=source).values("claim_id")))
        .filter(quote_reconstructed=False)
        .exclude(quote="")
        .annotate(
            looked_for=Case(When(is_first, then=F("quote_exact")), default=Subquery(further.values("quote_exact")[:1])),
            edited_at=Case(
                When(is_first, then=F("updated_at")),
                default=Greatest(F("updated_at"), Subquery(further.values("updated_at")[:1])),
            ),
        )
        .only("pk", "quote", "quote_exact", "updated_at")
        .order_by("pk")
    )


def record_quotes(check: SourceCheck, source: Source, reused_from: SourceCheck | None = None) -> list[QuoteCheck]:
    """One ``QuoteCheck`` per claim citing ``source`` with a quote. The page text is normalised
    once (and not at all when every result can be copied from ``reused_from``)."""
    if not check.text:
        return []
    threshold = float(settings.CHECKER_QUOTE_THRESHOLD)
    earlier = {}
    if reused_from is not None:
        earlier = {q.claim_id: q for q in QuoteCheck.objects.filter(check_run=reused_from)}
    page = None
    rows = []
    for claim in _claims_at(source):
        prior = earlier.get(claim.pk)
        if prior is not None and reused_from is not None and claim.edited_at <= reused_from.started_at:
            rows.append(
                QuoteCheck(
                    check_run=check,
                    claim=claim,
                    present=prior.present,
                    score=prior.score,
                    matched_text=prior.matched_text,
                    prefix=prior.prefix,
                    suffix=prior.suffix,
                )
            )
            continue
        if page is None:
            page = compare.PageText(check.text)
        match = page.find(claim.looked_for or claim.quote, threshold)
        rows.append(
            QuoteCheck(
                check_run=check,
                claim=claim,
                present=match.present,
                score=match.score,
                matched_text=match.matched_text[:5000],
                prefix=match.prefix[:200],
                suffix=match.suffix[:200],
            )
        )
    QuoteCheck.objects.bulk_create(rows)
    return rows
