"""Synthetic disputes at a chosen size, for benchmarks and query-budget tests.

Rows are written in bulk with their ids reserved up front: on PostgreSQL with ``COPY``
(psycopg's ``cursor.copy``), elsewhere with ``bulk_create``. That bypasses ``save()``,
so this module sets what ``save()`` and the services would have derived itself (a
dispute's status, ``published_at``, one feed item per claim) and writes no history
rows. Sources get normalised URLs on a reserved host (``synthetic.invalid``) so nothing
ever fetches them for real.

Why not ``bulk_create`` everywhere: it built a model instance per row and compiled
INSERTs of thousands of parameters, about 14 ms of Python per dispute (100,000 disputes,
about 4 million rows: 23 minutes); COPY takes plain tuples (docs/performance.md).

Claims read like news text: each quote is spliced from two real sentences
(``data/synthetic_sentences.txt.gz``, built by scripts/build_synthetic_sentences.py), so
the data has real word and trigram statistics. The disputes' propositions and the sources'
titles stay drawn from ``WORDS`` and ``PLACES``, which the benchmarks' common and selective
search terms rely on.
"""

import datetime
import functools
import gzip
import itertools
import os
import random
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone

from claims.models import (
    ArticleLink,
    Claim,
    Dispute,
    Evidence,
    EvidenceLink,
    FeedItem,
    Party,
    Source,
    Speaker,
    Stance,
)

WORDS = (
    "drone aircraft airspace intercept fighter jet contact fuel propeller footage ministry statement "
    "border convoy strike shelling ceasefire vessel port grain corridor sanctions pipeline explosion "
    "satellite imagery radar missile debris wreckage investigation official spokesperson briefing "
    "provocation escalation lawful international waters collision pilot mission surveillance"
).split()
# 1,000 made-up place names, one per proposition: a search for one of them is selective
# (about one dispute in a thousand), where every word of WORDS matches most disputes.
SYLLABLES = ["ka", "lo", "mir", "ven", "dra", "sol", "tek", "bar", "zun", "pel"]
PLACES = ["".join(parts).capitalize() for parts in itertools.product(SYLLABLES, repeat=3)]
PARTY_NAMES = [
    "Ministry of Defence",
    "Foreign Ministry",
    "Coast Guard",
    "Armed Forces",
    "Energy Company",
    "Port Authority",
    "Border Service",
    "Civil Aviation Agency",
]
BATCH = 2000
# The GIN index of the disputes' search documents (migration 0006).
SEARCH_INDEX = "dispute_search_document_idx"
DISPUTES_PER_CHUNK = 1000

STANCES = [Stance.AFFIRMS.value, Stance.DENIES.value, Stance.QUALIFIED.value]
EVIDENCE_KINDS = [k for k, _ in Evidence.Kind.choices]
RELATIONS = [r for r, _ in ArticleLink.Relation.choices]
EFFECTS = [e for e, _ in EvidenceLink.Effect.choices]
CHECK_STATES = [Source.CheckState.OK.value] * 8 + [
    Source.CheckState.UNCHECKED.value,
    Source.CheckState.QUOTE_MISSING.value,
]
PUBLISHERS = ["Example News", "Daily Record", "Wire Service", "Evening Post"]


@dataclass
class SynthesisResult:
    disputes: int = 0
    claims: int = 0
    evidence: int = 0
    articles: int = 0
    sources: int = 0
    parties: int = 0


SENTENCES = Path(__file__).resolve().parent / "data" / "synthetic_sentences.txt.gz"
SWAPPED_SHARE = 0.2


def _sentence(rng: random.Random, low: int = 8, high: int = 20) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high))).capitalize() + "."


@functools.cache
def _real_sentences() -> tuple[tuple[str, ...], ...]:
    text = gzip.decompress(SENTENCES.read_bytes()).decode("utf-8")
    return tuple(words for line in text.splitlines() if len(words := tuple(line.split())) >= 4)


def _spliced(rng: random.Random, low: int = 8, high: int = 30) -> str:
    """The head of one real sentence and the tail of another, a fifth of the words swapped for others.

    The swapped-in words are drawn from all the sentences' words as they occur (so common
    words stay common and rare ones rare, as in news text); without them a million claims
    spliced from 4,000 sentences would repeat each half-sentence hundreds of times, which
    no newsroom's ledger does, and every word would be common.
    """
    pool, tokens = _real_sentences(), _real_words()
    first, second = rng.choice(pool), rng.choice(pool)
    words = list(first[: rng.randint(2, len(first) - 1)] + second[rng.randint(1, len(second) - 2) :])
    while len(words) < low:
        words += rng.choice(pool)
    words = [rng.choice(tokens) if rng.random() < SWAPPED_SHARE else word for word in words[: rng.randint(low, high)]]
    text = " ".join(words)
    return text[0].upper() + text[1:] + ("" if text[-1] in ".!?" else ".")


@functools.cache
def _real_words() -> tuple[str, ...]:
    return tuple(word for words in _real_sentences() for word in words)


class BulkWriter:
    """Writes plain rows (tuples of column values) of a model, with ids reserved beforehand.

    PostgreSQL: ``COPY … FROM STDIN``, ids from the table's own identity sequence (so
    later ordinary inserts carry on after them). Other databases: ``bulk_create`` of
    instances built from the same rows. Columns not given get what ``save()`` would
    have put there (defaults, ``auto_now``), worked out once per call; unique defaults
    (a feed item's uid) once per row.
    """

    def __init__(self) -> None:
        self.copy = connection.vendor == "postgresql"
        self._next_id: dict[type, int] = {}

    def reserve(self, model: type[models.Model], count: int) -> list[int]:
        if count <= 0:
            return []
        table, pk = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            if self.copy:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f'SELECT max("{pk}") FROM "{table}"')  # noqa: S608 — a model's table
            start = max((cursor.fetchone()[0] or 0) + 1, self._next_id.get(model, 0))
        self._next_id[model] = start + count
        return list(range(start, start + count))

    def write(self, model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if not self.copy:
            model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH)
            return
        constant, per_row = self._defaults(model, columns)
        names = columns + [f.column for f, _ in constant] + [f.column for f in per_row]
        fixed = tuple(value for _, value in constant)
        sql = "COPY {} ({}) FROM STDIN".format(
            connection.ops.quote_name(model._meta.db_table), ", ".join(connection.ops.quote_name(n) for n in names)
        )
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            if per_row:
                for row in rows:
                    unique = tuple(f.get_db_prep_save(f.get_default(), connection) for f in per_row)
                    copy.write_row(row + fixed + unique)
            else:
                for row in rows:
                    copy.write_row(row + fixed)

    def _defaults(self, model, columns):
        given = set(columns)
        now = timezone.now()
        constant, per_row = [], []
        for field in model._meta.concrete_fields:
            if field.attname in given or field.column in given:
                continue
            if field.primary_key:
                continue  # the identity column's own default
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            elif field.has_default() and field.unique:
                per_row.append(field)
                continue
            else:
                value = field.get_default()
            constant.append((field, field.get_db_prep_save(value, connection)))
        return constant, per_row


def _parties(rng: random.Random, run: str, count: int) -> tuple[list[Party], dict[int, list[Speaker]]]:
    parties = Party.objects.bulk_create(
        [
            Party(
                name=f"{PARTY_NAMES[i % len(PARTY_NAMES)]} {run}-{i}",
                slug=f"synthetic-{run}-party-{i}",
                country=rng.choice(["Atlantis", "Borduria", "Syldavia", "Freedonia"]),
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )
    speakers = Speaker.objects.bulk_create(
        [
            Speaker(party=party, name=f"Speaker {party.pk}-{j}", role=rng.choice(["Spokesperson", "Minister"]))
            for party in parties
            for j in range(2)
        ],
        batch_size=BATCH,
    )
    by_party: dict[int, list[int]] = {}
    for speaker in speakers:
        by_party.setdefault(speaker.party_id, []).append(speaker.pk)
    return parties, by_party


def synthesize(
    *,
    disputes: int,
    claims_per_dispute: int = 6,
    evidence_per_dispute: int = 2,
    articles_per_dispute: int = 2,
    seed: int = 0,
    parties: int = 8,
    published_share: float = 0.9,
) -> SynthesisResult:
    """Create ``disputes`` disputes with the given numbers of claims, evidence and articles each.

    The same seed produces the same content; each run gets its own slugs and URLs
    (``synthetic-<run>-…``) so running twice adds rather than collides.
    """
    rng = random.Random(seed)
    run = f"{seed}-{Dispute.objects.filter(slug__startswith='synthetic-').count()}"
    result = SynthesisResult()
    party_rows, speakers = _parties(rng, run, max(parties, 2))
    result.parties = len(party_rows)
    plan = _Plan(
        rng=rng,
        run=run,
        claims=claims_per_dispute,
        evidence=evidence_per_dispute,
        articles=articles_per_dispute,
        published_share=published_share,
        parties=[p.pk for p in party_rows],
        speakers=speakers,
    )
    writer = BulkWriter()
    with _derived_data_deferred() as derived:
        for chunk_start in range(0, disputes, DISPUTES_PER_CHUNK):
            with transaction.atomic():
                chunk = range(chunk_start, min(chunk_start + DISPUTES_PER_CHUNK, disputes))
                created = _write_chunk(writer, plan, chunk, result)
            derived.add(created)
    return result


@dataclass
class _Plan:
    rng: random.Random
    run: str
    claims: int
    evidence: int
    articles: int
    published_share: float
    parties: list[int]
    speakers: dict[int, list[int]]
    sources_made: int = 0


class _DerivedRows:
    """Builds the search documents and page stamps of disputes already written.

    Computing a document is PostgreSQL's work (``to_tsvector`` in two configurations per
    quote: 3.5–6 ms a dispute), writing the rows is mostly Python's, so when the chunks
    commit one by one (not inside a caller's transaction, which other connections could
    not see) each committed chunk's documents are built by another connection in a
    background thread while this one writes the next chunk: the two overlap on two
    cores. Inside a transaction (tests) they are built at the end on this connection.
    """

    def __init__(self) -> None:
        self.background = not connection.in_atomic_block
        self.pool = ThreadPoolExecutor(max_workers=_document_workers()) if self.background else None
        self.futures: list[Future] = []
        self.waiting: list[int] = []

    def add(self, ids: list[int]) -> None:
        if self.pool is not None:
            self.futures.append(self.pool.submit(_build_derived_in_thread, ids))
        else:
            self.waiting.extend(ids)

    def finish(self, *, failed: bool) -> None:
        if self.pool is not None:
            if failed:
                for future in self.futures:
                    future.cancel()
            self.pool.shutdown(wait=True)
            if not failed:
                for future in self.futures:
                    future.result()  # a failure in a thread is this call's failure
        elif not failed and self.waiting:
            _build_derived(self.waiting)


class _NoDerivedRows:
    """SQLite, or PostgreSQL without a superuser: the triggers (if any) already did the work."""

    def add(self, ids: list[int]) -> None:
        pass


def _document_workers() -> int:
    # One core writes the rows; the others build documents (at least one thread).
    return int(os.environ.get("SYNTHESIZE_DOCUMENT_WORKERS") or max(1, (os.cpu_count() or 2) - 1))


def _build_derived(ids: list[int]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_disputesearchdocument (dispute_id) SELECT unnest(%s::bigint[]) "
            "ON CONFLICT (dispute_id) DO NOTHING",
            [ids],
        )
        cursor.execute("SELECT claims_dispute_search_refresh(%s::bigint[])", [ids])
        cursor.execute("SELECT claims_page_stamp_bump(%s::bigint[])", [ids])


def _build_derived_in_thread(ids: list[int]) -> None:
    try:
        _build_derived(ids)  # this thread's own connection (Django's are per thread)
    finally:
        connection.close()


@contextmanager
def _derived_data_deferred():
    """On PostgreSQL, as a superuser: no triggers while writing, then the derived rows in bulk.

    The triggers that keep each dispute's search document and page stamp (migrations
    0006, 0013) fire once per bulk statement and recompute the documents of every
    dispute it touched: most of the time of a large build. With
    ``session_replication_role = replica`` (which needs a superuser; otherwise the
    triggers simply run) they are off for this connection only, and the documents and
    stamps of each chunk's disputes are built in one statement each (``_DerivedRows``).

    Meanwhile the documents' GIN index takes new entries into its pending list
    (``fastupdate``, 64 MB), merged in bulk at the end; the site keeps it off so that no
    search scans a pending list. Entry by entry, the index was 80 % of building the
    documents (6.1 s of 7.5 s for 2,000 disputes; 1.6 s in bulk).
    """
    if connection.vendor != "postgresql" or not _is_superuser():
        yield _NoDerivedRows()
        return
    derived = _DerivedRows()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(f"ALTER INDEX {SEARCH_INDEX} SET (fastupdate = on, gin_pending_list_limit = 65536)")
    failed = True
    try:
        yield derived
        failed = False
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
        derived.finish(failed=failed)
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [SEARCH_INDEX])
            cursor.execute(f"ALTER INDEX {SEARCH_INDEX} SET (fastupdate = off)")
            cursor.execute(f"ALTER INDEX {SEARCH_INDEX} RESET (gin_pending_list_limit)")


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def _write_chunk(writer: BulkWriter, plan: _Plan, chunk: range, result: SynthesisResult) -> list[int]:
    """One transaction's worth of disputes with everything on them; returns the new disputes' ids."""
    rng, run = plan.rng, plan.run
    now = timezone.now()
    verdicts = [v for v, _ in Dispute.Verdict.choices]
    per_dispute_sources = plan.claims + plan.evidence + plan.articles

    dispute_ids = writer.reserve(Dispute, len(chunk))
    source_ids = writer.reserve(Source, len(chunk) * per_dispute_sources)
    claim_ids = writer.reserve(Claim, len(chunk) * plan.claims)
    evidence_ids = writer.reserve(Evidence, len(chunk) * plan.evidence)
    disputes, sources, claims, evidence, articles, feed, links = [], [], [], [], [], [], []
    next_claim, next_evidence = iter(claim_ids), iter(evidence_ids)

    for n, (i, dispute_id) in enumerate(zip(chunk, dispute_ids, strict=True)):
        stances = rng.choices(STANCES, weights=[5, 4, 1], k=plan.claims)
        verdict = rng.choice(verdicts) if rng.random() < 0.3 else ""
        published = rng.random() < plan.published_share
        occurred = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 900))
        proposition = f"{_sentence(rng, 8, 16)[:-1]} near {PLACES[i % len(PLACES)]}."
        active = now - datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 365))
        disputes.append(
            (
                dispute_id,
                proposition,
                f"synthetic-{run}-{i}",
                occurred,
                str(Dispute.derive_status(stances, verdict)),
                verdict,
                published,
                now if published else None,
                active,
            )
        )
        mine = source_ids[n * per_dispute_sources : (n + 1) * per_dispute_sources]
        for k, source_id in enumerate(mine):
            sources.append(
                (
                    source_id,
                    f"https://synthetic.invalid/{run}/story-{plan.sources_made + k}",
                    _sentence(rng, 4, 9).rstrip("."),
                    rng.choice(PUBLISHERS),
                    rng.choice(CHECK_STATES),
                )
            )
        plan.sources_made += len(mine)

        title = f"New claim on “{proposition[:80]}”"
        mine_claims = []
        for k, stance in enumerate(stances):
            claim_id = next(next_claim)
            party = rng.choice(plan.parties)
            speaker = rng.choice(plan.speakers[party]) if rng.random() < 0.6 else None
            quote = _spliced(rng)
            paraphrase = _spliced(rng, 6, 16) if rng.random() < 0.5 else ""
            said_on = occurred + datetime.timedelta(days=rng.randint(0, 20))
            claims.append((claim_id, dispute_id, party, speaker, stance, quote, paraphrase, said_on, mine[k]))
            # What services.claim_create would have added for each claim: the feeds' item.
            feed.append((dispute_id, FeedItem.Kind.CLAIM.value, title, quote, claim_id, mine[k], active, uuid.uuid4()))
            mine_claims.append(claim_id)
        for k in range(plan.evidence):
            evidence_id = next(next_evidence)
            evidence.append(
                (
                    evidence_id,
                    dispute_id,
                    rng.choice(EVIDENCE_KINDS),
                    _sentence(rng, 3, 7).rstrip("."),
                    _sentence(rng),
                    rng.choice(plan.parties),
                    occurred + datetime.timedelta(days=rng.randint(0, 30)),
                    mine[plan.claims + k],
                )
            )
            if mine_claims:
                links.append((evidence_id, rng.choice(mine_claims), "", rng.choice(EFFECTS)))
            else:
                links.append((evidence_id, None, Stance.AFFIRMS.value, EvidenceLink.Effect.SUPPORTS.value))
        for k in range(plan.articles):
            articles.append(
                (
                    dispute_id,
                    mine[plan.claims + plan.evidence + k],
                    rng.choice(RELATIONS),
                    occurred + datetime.timedelta(days=rng.randint(1, 120)),
                )
            )

    writer.write(
        Dispute,
        [
            "id",
            "proposition",
            "slug",
            "occurred_on",
            "status",
            "verdict",
            "is_published",
            "published_at",
            "last_activity_at",
        ],
        disputes,
    )
    writer.write(Source, ["id", "url", "title", "publisher", "check_state"], sources)
    writer.write(
        Claim,
        ["id", "dispute_id", "party_id", "speaker_id", "stance", "quote", "paraphrase", "said_on", "source_id"],
        claims,
    )
    writer.write(
        Evidence,
        ["id", "dispute_id", "kind", "title", "description", "released_by_id", "released_on", "source_id"],
        evidence,
    )
    writer.write(ArticleLink, ["dispute_id", "source_id", "relation", "linked_on"], articles)
    writer.write(
        FeedItem, ["dispute_id", "kind", "title", "summary", "claim_id", "source_id", "created_at", "uid"], feed
    )
    writer.write(EvidenceLink, ["evidence_id", "claim_id", "stance", "effect"], links)

    result.disputes += len(disputes)
    result.sources += len(sources)
    result.claims += len(claims)
    result.evidence += len(evidence)
    result.articles += len(articles)
    return dispute_ids
