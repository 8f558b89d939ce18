"""Claims already recorded that read like the one being typed, across all disputes.

An editor about to record a statement that is already in the ledger (quoted by another
outlet, repeated by its speaker, entered in another dispute) is shown it, so it is linked
rather than entered twice. On PostgreSQL the score is pg_trgm's word similarity ("how much
of the typed text appears in the claim"), computed only for the claims that share at least
two of the typed text's rarest words, read from a GIN index of the claims' words (migration
``0028_similar_claims_by_rare_words``); the words include the translation's, so a typed
English sentence also finds a Russian quote by its English translation. SQLite has no such
index: it scores the most recent claims with rapidfuzz instead (development only).

The thresholds were chosen on ``tests/data/similar_claims_pairs.json`` (paraphrases,
re-quotes with edits, translations, and unrelated sentences that share words); precision
and recall are in docs/similar-claims.md and guarded by ``tests/test_similar_claims.py``.
"""

from __future__ import annotations

import time
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
# Each field's opening that is indexed and compared (the expression of the words index in
# migration 0028): what an editor types to find a repeat is matched against a claim's opening,
# and a quote of many thousand characters is not read whole for each suggestion.
INDEXED_CHARS = 1000
# A text's rarest words, of which a candidate must contain two (shorter words are not words here).
RARE_WORDS = 5
MIN_WORD_CHARS = 3
# Claims scored at most per pause in typing, shared by the fields typed (each scoring is
# ~0.05–0.1 ms): a text of only common words does not read the ledger.
CANDIDATES = 100
# How long the words' frequencies (pg_stats, refreshed by ANALYZE) are kept per process.
FREQUENCIES_SECONDS = 600
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
    return similar_to_any(texts=[text], exclude_pk=exclude_pk, limit=limit)


def similar_to_any(*, texts: list[str], exclude_pk: int | None = None, limit: int = LIMIT) -> list[Similar]:
    """The claims most like any of ``texts`` (the quote, paraphrase and translation typed), best first, each once."""
    found = similar_to_each(texts={exclude_pk or 0: texts}, limit=limit).get(exclude_pk or 0, [])
    claims = Claim.objects.select_related("dispute", "party", "speaker").in_bulk([pk for pk, _ in found])
    return [Similar(claims[pk], score) for pk, score in found if pk in claims]


def similar_to_each(
    *, texts: dict[int, list[str]], limit: int = LIMIT, timeout_ms: int | None = None
) -> dict[int, list[tuple[int, int]]]:
    """For each owner (a claim's pk, or 0 for a text being typed) the ids and scores (0–100) of
    the claims most like any of its texts, best first, each once, never the owner itself.

    The same queries whatever the number of owners (two on PostgreSQL, one on SQLite), so a
    page that looks up forty claims costs what a form that looks up one does.
    """
    wanted = {
        owner: [t for t in (_query_text(text) for text in owned) if len(t) >= MIN_TEXT_CHARS]
        for owner, owned in texts.items()
    }
    wanted = {owner: owned for owner, owned in wanted.items() if owned}
    if not wanted:
        return {}
    if connection.vendor == "postgresql":
        timeout = STATEMENT_TIMEOUT_MS if timeout_ms is None else timeout_ms
        return _on_postgresql(wanted, limit, timeout)
    return _on_sqlite(wanted, limit)


def _on_postgresql(texts: dict[int, list[str]], limit: int, timeout_ms: int) -> dict[int, list[tuple[int, int]]]:
    """Per owner: claims sharing at least two of one of its texts' rarest words, scored by word
    similarity, best first.

    Two queries whatever the number of texts and owners: the texts' words as PostgreSQL's
    parser cuts them, then one statement that reads, for each text, the claims sharing two of
    its rarest words (``claim_words_idx``, migration 0028) and scores them against it (the three
    fields' openings as one text), keeping each owner's best. A statement timeout bounds the
    work whatever the data: a suggestion that comes too late is no suggestion, never a slow form.
    """
    bodies, owners, shares = [], [], []
    for owner, owned in texts.items():
        per_text = -(-CANDIDATES // len(owned))  # the pause's budget, shared by the fields typed
        for body in owned:
            bodies.append(body)
            owners.append(owner)
            shares.append(per_text)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_WORDS_SQL, [str(timeout_ms), bodies])
            words: dict[int, list[str]] = {}
            for n, lexeme in cursor.fetchall():
                words.setdefault(n, []).append(lexeme)
            frequency = _word_frequencies(cursor)
            queries = [_two_of_the_rarest(words.get(n, []), frequency) for n in range(1, len(bodies) + 1)]
            if not any(queries):
                return {}
            cursor.execute(_CANDIDATES_SQL, [bodies, queries, owners, shares, PG_THRESHOLD, limit])
            found: dict[int, list[tuple[int, int]]] = {}
            for owner, pk, score in cursor.fetchall():
                found.setdefault(owner, []).append((pk, round(score * 100)))
            return found
    except OperationalError:
        return {}


# The words of a claim (each field's opening, as the trigram scores read them), unstemmed.
WORDS_EXPRESSION = (
    f"to_tsvector('simple'::regconfig, left(quote, {INDEXED_CHARS}) || ' ' || "
    f"left(paraphrase, {INDEXED_CHARS}) || ' ' || left(translation, {INDEXED_CHARS}))"
)
WORDS_INDEX = "claim_words_idx"
# Each text's words, cut as the index cuts a claim's; the same round trip sets the statement
# timeout of the rest of the transaction (SET LOCAL), which bounds the candidates query.
_WORDS_SQL = (
    "SELECT t.n, w.lexeme FROM set_config('statement_timeout', %s, true), "  # noqa: S608 — constants only
    "unnest(%s::text[]) WITH ORDINALITY AS t(body, n), "
    f"unnest(to_tsvector('simple', left(t.body, {INDEXED_CHARS}))) AS w"
)
# The three fields' openings as one text: word similarity is scored once per typed text and
# candidate (each call extracts the typed text's trigrams again: a third of the cost).
_FIELDS_TEXT = " || ' ' || ".join(f"left({name}, {INDEXED_CHARS})" for name in FIELDS)
# Per typed text (with its rare-words query, its owner and its share of CANDIDATES): its first
# claims sharing two of its rarest words, each scored once; then each claim's best score over
# its owner's texts, and each owner's ``limit`` best.
_CANDIDATES_SQL = f"""
SELECT owner, id, best FROM (
  SELECT owner, id, best, row_number() OVER (PARTITION BY owner ORDER BY best DESC, id DESC) AS rank FROM (
    SELECT t.owner, c.id, max(word_similarity(t.body, c.fields)) AS best
      FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::int[]) AS t(body, query, owner, share),
           LATERAL (SELECT id, {_FIELDS_TEXT} AS fields FROM claims_claim
                     WHERE {WORDS_EXPRESSION} @@ t.query::tsquery AND id <> t.owner LIMIT t.share) AS c
     GROUP BY t.owner, c.id HAVING max(word_similarity(t.body, c.fields)) >= %s
  ) AS scored
) AS ranked
WHERE rank <= %s ORDER BY owner, rank
"""  # noqa: S608 — only our own constants are formatted in; the texts and the queries are parameters


def _two_of_the_rarest(words: list[str], frequency: dict[str, float]) -> str | None:
    """A tsquery (text) matching claims that contain at least two of the rarest ``RARE_WORDS`` words.

    Rarest by the planner's own statistics of ``claim_words_idx`` (a word not among the
    1,000 most common is rarer than any that is), longer first among equals (and when there
    are no statistics yet). A repeat contains nearly every word of the text typed to find
    it, so two of its four rarest; a claim that merely shares common words does not, and
    the candidates stay a few hundred out of a million.
    """
    distinct = sorted({w for w in words if len(w) >= MIN_WORD_CHARS}, key=lambda w: (frequency.get(w, 0.0), -len(w), w))
    rare = [_tsquery_literal(w) for w in distinct[:RARE_WORDS]]
    if not rare:
        return None
    if len(rare) == 1:
        return rare[0]
    return " | ".join(f"{a} & {b}" for i, a in enumerate(rare) for b in rare[i + 1 :])


def _tsquery_literal(word: str) -> str:
    # tsquery's quoting: a quote is doubled, a backslash escapes.
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


_frequencies: tuple[float, dict[str, float]] = (0.0, {})


def _word_frequencies(cursor) -> dict[str, float]:
    """The share of claims containing each of the most common words, from ANALYZE (pg_stats), kept 10 minutes."""
    global _frequencies
    read_at, frequency = _frequencies
    if time.monotonic() - read_at < FREQUENCIES_SECONDS:
        return frequency
    cursor.execute(
        "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
        "WHERE schemaname = current_schema() AND tablename = %s",
        [WORDS_INDEX],
    )
    row = cursor.fetchone()
    frequency = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    _frequencies = (time.monotonic(), frequency)
    return frequency


def _on_sqlite(texts: dict[int, list[str]], limit: int) -> dict[int, list[tuple[int, int]]]:
    """rapidfuzz over the most recent claims, read once for every owner (development only)."""
    recent = Claim.objects.order_by("-pk").values_list("pk", "quote", "paraphrase", "translation")
    choices: dict[tuple[int, int], str] = {}
    for pk, *fields in recent[:SQLITE_SCAN]:
        for i, value in enumerate(fields):
            if value:
                choices[(pk, i)] = normalise(value)
    found: dict[int, list[tuple[int, int]]] = {}
    for owner, owned in texts.items():
        best: dict[int, int] = {}
        for text in owned:
            for _, score, (pk, _) in process.extract(
                normalise(text),
                choices,
                scorer=fuzz.token_set_ratio,
                score_cutoff=SQLITE_THRESHOLD,
                limit=limit * 3 + 3,
            ):
                if pk != owner:
                    best[pk] = max(best.get(pk, 0), round(score))
        if best:
            found[owner] = sorted(best.items(), key=lambda item: (-item[1], -item[0]))[:limit]
    return found


# Near-duplicates for senior editors (claims:claim-duplicates): the most recently recorded
# claims, each looked up like a claim being typed. Bounded: this many claims per page view.
DUPLICATE_SCAN = 40
DUPLICATE_PAIRS = 30


@dataclass(frozen=True)
class DuplicatePair:
    """Two claims that read alike: ``newer`` was recorded after ``older``."""

    older: Claim
    newer: Claim
    score: int  # 0–100

    @property
    def same_dispute(self) -> bool:
        return self.older.dispute_id == self.newer.dispute_id


def near_duplicates(*, visible, scan: int = DUPLICATE_SCAN) -> list[DuplicatePair]:
    """Likely duplicate pairs among the ``scan`` most recent claims of ``visible`` (a Claim
    queryset the viewer may see) and the rest of it, best first, each pair once.

    Each recent claim's quote, paraphrase and translation are looked up as if typed, all in
    one pass (``similar_to_each``), so the page costs the same few queries whatever the
    ledger's size and ``scan``.
    """
    recent = list(visible.order_by("-created_at", "-pk").only("pk", "quote", "paraphrase", "translation")[:scan])
    texts = {claim.pk: [claim.quote, claim.paraphrase, claim.translation] for claim in recent}
    # One statement, with the time the page allowed when it made one lookup per claim: on a
    # loaded machine a tighter bound left the page empty rather than a few pairs short.
    timeout = STATEMENT_TIMEOUT_MS * max(1, len(recent))
    best: dict[tuple[int, int], int] = {}
    for owner, matches in similar_to_each(texts=texts, limit=3, timeout_ms=timeout).items():
        for pk, score in matches:
            key = (min(owner, pk), max(owner, pk))
            best[key] = max(best.get(key, 0), score)
    ranked = sorted(best.items(), key=lambda item: (-item[1], -item[0][1]))
    ids = {pk for pair, _ in ranked for pk in pair}
    claims = visible.select_related("dispute", "party", "speaker", "source").in_bulk(ids)
    pairs = [
        DuplicatePair(older=claims[a], newer=claims[b], score=score)
        for (a, b), score in ranked
        if a in claims and b in claims
    ]
    return pairs[:DUPLICATE_PAIRS]
