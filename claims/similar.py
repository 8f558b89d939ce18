"""Claims already recorded that read like the one being typed, across all disputes.

An editor about to record a statement that is already in the ledger (quoted by another
outlet, repeated by its speaker, entered in another dispute) is shown it, so it is linked
rather than entered twice. On PostgreSQL this is pg_trgm's word similarity ("how much of
the typed text appears in the claim"), the nearest claims read first from trigram GiST
indexes on the quote, the paraphrase and the translation (migration ``0019_similar_claims``),
so a typed English sentence also finds a Russian quote by its English translation. SQLite has no trigram
index: it scores the most recent claims with rapidfuzz instead (development only).

The thresholds were chosen on ``tests/data/similar_claims_pairs.json`` (paraphrases,
re-quotes with edits, translations, and unrelated sentences that share words); precision
and recall are in docs/similar-claims.md and guarded by ``tests/test_similar_claims.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import OperationalError, connection, transaction
from rapidfuzz import fuzz, process

from claims.checking.compare import normalise
from claims.models import Claim

# Typed text beyond this is not what anyone types to look a claim up; it bounds the work.
MAX_TEXT_CHARS = 1_000
# Too short to say anything: a few words match half the ledger.
MIN_TEXT_CHARS = 12
LIMIT = 5
# pg_trgm word similarity (0–1) a claim must reach to be suggested.
PG_THRESHOLD = 0.5
FIELDS = ("quote", "paraphrase", "translation")
STATEMENT_TIMEOUT_MS = 500
# Each field's opening that is indexed and compared (the expression of the indexes in
# migration 0019: an index entry must fit in a page, and a long quote's would not).
INDEXED_CHARS = 1000
# rapidfuzz score (0–100) on SQLite, and how many recent claims it reads.
SQLITE_THRESHOLD = 75
SQLITE_SCAN = 5_000


@dataclass(frozen=True)
class Similar:
    claim: Claim
    score: int  # 0–100


def _query_text(text: str) -> str:
    return " ".join(text.split())[:MAX_TEXT_CHARS]


def similar_claims(*, text: str, exclude_pk: int | None = None, limit: int = LIMIT) -> list[Similar]:
    """The claims most like ``text`` (a quote, paraphrase or translation being typed), best first."""
    text = _query_text(text)
    if len(text) < MIN_TEXT_CHARS:
        return []
    if connection.vendor == "postgresql":
        found = _on_postgresql(text, exclude_pk, limit)
    else:
        found = _on_sqlite(text, exclude_pk, limit)
    claims = Claim.objects.select_related("dispute", "party", "speaker").in_bulk([pk for pk, _ in found])
    return [Similar(claims[pk], score) for pk, score in found if pk in claims]


def _on_postgresql(text: str, exclude_pk: int | None, limit: int) -> list[tuple[int, int]]:
    """Nearest claims first by word-similarity distance, one index scan per field, then the threshold.

    A statement timeout bounds the work whatever the data: a suggestion that comes too late
    is no suggestion, never a slow form.
    """
    best: dict[int, float] = {}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = %s", [STATEMENT_TIMEOUT_MS])
            for name in FIELDS:
                cursor.execute(_nearest_sql(name), [text, exclude_pk or 0, text, limit])
                for pk, score in cursor.fetchall():
                    if score >= PG_THRESHOLD:
                        best[pk] = max(best.get(pk, 0.0), score)
    except OperationalError:
        return []
    ranked = sorted(best.items(), key=lambda item: (-item[1], -item[0]))[:limit]
    return [(pk, round(score * 100)) for pk, score in ranked]


def _nearest_sql(name: str) -> str:
    # Field names are ours (FIELDS), never user input; the text is a parameter.
    return (
        f"SELECT id, word_similarity(%s, left({name}, {INDEXED_CHARS})) FROM claims_claim "  # noqa: S608
        f"WHERE id <> %s ORDER BY left({name}, {INDEXED_CHARS}) <->> %s LIMIT %s"
    )


def _on_sqlite(text: str, exclude_pk: int | None, limit: int) -> list[tuple[int, int]]:
    recent = (
        Claim.objects.exclude(pk=exclude_pk).order_by("-pk").values_list("pk", "quote", "paraphrase", "translation")
    )
    choices: dict[tuple[int, int], str] = {}
    for pk, *texts in recent[:SQLITE_SCAN]:
        for i, value in enumerate(texts):
            if value:
                choices[(pk, i)] = normalise(value)
    best: dict[int, int] = {}
    wanted = normalise(text)
    for _, score, (pk, _) in process.extract(
        wanted, choices, scorer=fuzz.token_set_ratio, score_cutoff=SQLITE_THRESHOLD, limit=limit * 3
    ):
        best[pk] = max(best.get(pk, 0), round(score))
    return sorted(best.items(), key=lambda item: (-item[1], -item[0]))[:limit]
