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
from django.db import connection

from claims.models import Appearance, Claim, QuoteCheck, Source, SourceCheck

from . import archive, compare, extract, fetch

log = logging.getLogger(__name__)

_COPIED = ("text", "text_truncated", "text_sha256", "title", "author", "publisher", "published_on", "modified_on")


def _ms(since: float) -> int:
    return round((time.perf_counter() - since) * 1000)


def latest_with_text(source: Source) -> SourceCheck | None:
    return SourceCheck.objects.filter(source=source).exclude(text_sha256="").order_by("-started_at").first()


# How many of the latest checks ``previous_checks`` reads: enough for the scheduler's "checks
# in a row that found the same text" (it counts up to 8, ``schedule.next_check_delay``).
RECENT_CHECKS = 8


def previous_checks(source: Source) -> tuple[SourceCheck | None, list[tuple[str, str]]]:
    """The latest check with text (what a 304 or the same body carries over) and the
    ``(outcome, text_sha256)`` of the latest ``RECENT_CHECKS`` checks, newest first.

    One statement for what were three (the check with its text, then the scheduler's run of
    stable checks, then the feed's "previous outcome"): the latest rows without their text,
    and the text only on the row that is the latest with text. Written out (a raw query still
    gives model instances, with every field converted): built by the ORM it cost more CPU
    than the database spends on it, on every check. Only when none of those rows has text
    (a long run of failures) is the check with text read on its own.
    """
    rows = list(SourceCheck.objects.raw(_PREVIOUS_CHECKS_SQL, [source.pk, source.pk, RECENT_CHECKS]))
    recent = [(row.outcome, row.text_sha256) for row in rows]
    for row in rows:
        carried = vars(row).pop("carried_text")  # the raw query's extra column
        if carried is not None:
            row.text = carried
            return row, recent
    if len(rows) < RECENT_CHECKS:
        return None, recent  # every check of the source was read: none has text
    return latest_with_text(source), recent


_CHECK_COLUMNS = ", ".join(f"c.{field.column}" for field in SourceCheck._meta.concrete_fields if field.name != "text")
_PREVIOUS_CHECKS_SQL = f"""
SELECT {_CHECK_COLUMNS},
       CASE WHEN c.id = (SELECT t.id FROM {SourceCheck._meta.db_table} t
                          WHERE t.source_id = %s AND t.text_sha256 <> ''
                          ORDER BY t.started_at DESC LIMIT 1)
            THEN c.text END AS carried_text
  FROM {SourceCheck._meta.db_table} c
 WHERE c.source_id = %s
 ORDER BY c.started_at DESC
 LIMIT %s
"""  # noqa: S608 — table and column names from the models, values as parameters


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


def quote_results(text: str, source: Source, reused_from: SourceCheck | None = None) -> list[QuoteCheck]:
    """The ``QuoteCheck`` rows (not yet saved, no ``check_run``) for a page whose main text is
    ``text``: one per claim citing ``source`` with a quote. Results of ``reused_from`` (a check
    with the same text) are copied for every claim not edited since it; the page text is
    normalised once, and only if a quote must be looked for.

    The claims, the selector text of their appearance here and the copied results are one
    statement written out: built through the ORM (a Case, two subqueries and a join for the
    copied results) the question cost ~5 ms of CPU per check, ten times the database's work.
    """
    if not text:
        return []
    threshold = float(settings.CHECKER_QUOTE_THRESHOLD)
    since = reused_from.started_at if reused_from is not None else None
    params = [
        source.pk,
        source.pk,
        connection.ops.adapt_datetimefield_value(since),
        source.pk,
        reused_from.pk if reused_from is not None else None,
        source.pk,
        source.pk,
    ]
    sql = _CLAIMS_AT_SQL.format(greatest="GREATEST" if connection.vendor == "postgresql" else "MAX")
    page = None
    rows: dict[int, QuoteCheck] = {}
    for claim in Claim.objects.raw(sql, params):
        found = vars(claim)  # the raw query's extra columns are plain attributes
        if found["prior_id"] is not None and found["unchanged_since"]:
            rows[claim.pk] = QuoteCheck(
                claim=claim,
                present=bool(found["prior_present"]),
                score=found["prior_score"],
                matched_text=found["prior_matched_text"],
                prefix=found["prior_prefix"],
                suffix=found["prior_suffix"],
            )
            continue
        if page is None:
            page = compare.PageText(text)
        match = page.find(found["looked_for"] or claim.quote, threshold)
        rows[claim.pk] = QuoteCheck(
            claim=claim,
            present=match.present,
            score=match.score,
            matched_text=match.matched_text[:5000],
            prefix=match.prefix[:200],
            suffix=match.suffix[:200],
        )
    return list(rows.values())


# The claims whose quote is looked for at a source: those it is the first appearance of and
# those it is a further appearance of (``Appearance``; at most one per claim and source), with
# the selector text of that appearance (``looked_for``). A reconstructed wording (a
# back-translation) is not in the source by design: not looked for. Plus each claim's result
# in the check being carried over, if any, and whether the claim and its appearance are
# unedited since that check.
_CLAIMS_AT_SQL = f"""
SELECT c.id, c.quote, c.quote_exact, c.updated_at,
       CASE WHEN c.source_id = %s THEN c.quote_exact ELSE a.quote_exact END AS looked_for,
       (CASE WHEN c.source_id = %s THEN c.updated_at
             ELSE {{greatest}}(c.updated_at, a.updated_at) END) <= %s AS unchanged_since,
       q.id AS prior_id, q.present AS prior_present, q.score AS prior_score,
       q.matched_text AS prior_matched_text, q.prefix AS prior_prefix, q.suffix AS prior_suffix
  FROM {Claim._meta.db_table} c
  LEFT JOIN {Appearance._meta.db_table} a ON a.claim_id = c.id AND a.source_id = %s
  LEFT JOIN {QuoteCheck._meta.db_table} q ON q.claim_id = c.id AND q.check_run_id = %s
 WHERE c.id IN (SELECT f.id FROM {Claim._meta.db_table} f WHERE f.source_id = %s
                 UNION SELECT ap.claim_id FROM {Appearance._meta.db_table} ap WHERE ap.source_id = %s)
   AND NOT c.quote_reconstructed AND c.quote <> ''
 ORDER BY c.id
"""  # noqa: S608 — table names from the models, values as parameters


def save_quote_results(check: SourceCheck, rows: list[QuoteCheck]) -> list[QuoteCheck]:
    for row in rows:
        row.check_run = check
    if rows:
        QuoteCheck.objects.bulk_create(rows)
    return rows


def record_quotes(check: SourceCheck, source: Source, reused_from: SourceCheck | None = None) -> list[QuoteCheck]:
    """One ``QuoteCheck`` per claim citing ``source`` with a quote, saved for ``check``."""
    return save_quote_results(check, quote_results(check.text, source, reused_from))
