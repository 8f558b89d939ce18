"""Synthetic disputes at a chosen size, for benchmarks and query-budget tests.

Rows are written with ``bulk_create`` in batches: fast, but it bypasses ``save()``,
so this module sets what ``save()`` and the services would have derived itself (a
dispute's status, ``published_at``, one feed item per claim) and writes no history
rows. Sources get normalised URLs on a reserved host (``synthetic.invalid``) so nothing ever fetches them for real.
"""

import datetime
import itertools
import random
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
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
DISPUTES_PER_CHUNK = 200


@dataclass
class SynthesisResult:
    disputes: int = 0
    claims: int = 0
    evidence: int = 0
    articles: int = 0
    sources: int = 0
    parties: int = 0


def _sentence(rng: random.Random, low: int = 8, high: int = 20) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


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
    by_party: dict[int, list[Speaker]] = {}
    for speaker in speakers:
        by_party.setdefault(speaker.party_id, []).append(speaker)
    return parties, by_party


def _sources(rng: random.Random, run: str, start: int, count: int) -> list[Source]:
    states = [Source.CheckState.OK] * 8 + [Source.CheckState.UNCHECKED, Source.CheckState.QUOTE_MISSING]
    return Source.objects.bulk_create(
        [
            Source(
                url=f"https://synthetic.invalid/{run}/story-{start + i}",
                title=_sentence(rng, 4, 9).rstrip("."),
                publisher=rng.choice(["Example News", "Daily Record", "Wire Service", "Evening Post"]),
                check_state=rng.choice(states),
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )


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

    created: list[int] = []
    with _derived_data_deferred(created):
        _write_chunks(
            rng,
            run,
            disputes,
            claims_per_dispute,
            evidence_per_dispute,
            articles_per_dispute,
            published_share,
            party_rows,
            speakers,
            result,
            created,
        )
    return result


@contextmanager
def _derived_data_deferred(created: list[int]):
    """On PostgreSQL, as a superuser: no triggers while writing, then the derived rows in one go.

    The triggers that keep each dispute's search document and page stamp (migrations
    0006, 0013) fire once per bulk statement and recompute the documents of every
    dispute it touched: most of the time of a large build. With
    ``session_replication_role = replica`` (which needs a superuser; otherwise the
    triggers simply run) they are off for this connection only, and afterwards one
    statement each builds the documents and stamps of the disputes created.
    """
    if connection.vendor != "postgresql" or not _is_superuser():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_disputesearchdocument (dispute_id) SELECT unnest(%s::bigint[]) "
            "ON CONFLICT (dispute_id) DO NOTHING",
            [created],
        )
        cursor.execute("SELECT claims_dispute_search_refresh(%s::bigint[])", [created])
        cursor.execute("SELECT claims_page_stamp_bump(%s::bigint[])", [created])


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def _write_chunks(
    rng,
    run,
    disputes,
    claims_per_dispute,
    evidence_per_dispute,
    articles_per_dispute,
    published_share,
    party_rows,
    speakers,
    result,
    created,
) -> None:
    now = timezone.now()
    source_counter = 0
    verdicts = [v for v, _ in Dispute.Verdict.choices]
    for chunk_start in range(0, disputes, DISPUTES_PER_CHUNK):
        chunk = range(chunk_start, min(chunk_start + DISPUTES_PER_CHUNK, disputes))
        with transaction.atomic():
            plans = []
            for i in chunk:
                stances = [
                    rng.choices([Stance.AFFIRMS, Stance.DENIES, Stance.QUALIFIED], weights=[5, 4, 1])[0]
                    for _ in range(claims_per_dispute)
                ]
                verdict = rng.choice(verdicts) if rng.random() < 0.3 else ""
                published = rng.random() < published_share
                occurred = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 900))
                plans.append((i, stances, verdict, published, occurred))
            dispute_rows = Dispute.objects.bulk_create(
                [
                    Dispute(
                        proposition=f"{_sentence(rng, 8, 16)[:-1]} near {PLACES[i % len(PLACES)]}.",
                        slug=f"synthetic-{run}-{i}",
                        occurred_on=occurred,
                        status=Dispute.derive_status(stances, verdict),
                        verdict=verdict,
                        is_published=published,
                        published_at=now if published else None,
                        last_activity_at=now - datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 365)),
                    )
                    for i, stances, verdict, published, occurred in plans
                ],
                batch_size=BATCH,
            )
            per_dispute_sources = claims_per_dispute + evidence_per_dispute + articles_per_dispute
            pool = _sources(rng, run, source_counter, len(dispute_rows) * per_dispute_sources)
            source_counter += len(pool)
            result.sources += len(pool)

            claim_rows, evidence_rows, article_rows = [], [], []
            for n, (dispute, (_, stances, _, _, occurred)) in enumerate(zip(dispute_rows, plans, strict=True)):
                mine = pool[n * per_dispute_sources : (n + 1) * per_dispute_sources]
                for k, stance in enumerate(stances):
                    party = rng.choice(party_rows)
                    claim_rows.append(
                        Claim(
                            dispute=dispute,
                            party=party,
                            speaker=rng.choice(speakers[party.pk]) if rng.random() < 0.6 else None,
                            stance=stance,
                            quote=_sentence(rng),
                            paraphrase=_sentence(rng, 5, 10) if rng.random() < 0.5 else "",
                            said_on=occurred + datetime.timedelta(days=rng.randint(0, 20)),
                            source=mine[k],
                        )
                    )
                for k in range(evidence_per_dispute):
                    evidence_rows.append(
                        Evidence(
                            dispute=dispute,
                            kind=rng.choice([k for k, _ in Evidence.Kind.choices]),
                            title=_sentence(rng, 3, 7).rstrip("."),
                            description=_sentence(rng),
                            released_by=rng.choice(party_rows),
                            released_on=occurred + datetime.timedelta(days=rng.randint(0, 30)),
                            source=mine[claims_per_dispute + k],
                        )
                    )
                for k in range(articles_per_dispute):
                    article_rows.append(
                        ArticleLink(
                            dispute=dispute,
                            source=mine[claims_per_dispute + evidence_per_dispute + k],
                            relation=rng.choice([r for r, _ in ArticleLink.Relation.choices]),
                            linked_on=occurred + datetime.timedelta(days=rng.randint(1, 120)),
                        )
                    )
            claim_rows = Claim.objects.bulk_create(claim_rows, batch_size=BATCH)
            evidence_rows = Evidence.objects.bulk_create(evidence_rows, batch_size=BATCH)
            ArticleLink.objects.bulk_create(article_rows, batch_size=BATCH)

            # What services.claim_create would have added for each claim: the feeds' items.
            by_pk = {d.pk: d for d in dispute_rows}
            FeedItem.objects.bulk_create(
                [
                    FeedItem(
                        dispute_id=claim.dispute_id,
                        kind=FeedItem.Kind.CLAIM,
                        title=f"New claim on “{by_pk[claim.dispute_id].proposition[:80]}”",
                        summary=claim.quote,
                        claim=claim,
                        source_id=claim.source_id,
                        created_at=by_pk[claim.dispute_id].last_activity_at,
                    )
                    for claim in claim_rows
                ],
                batch_size=BATCH,
            )

            claims_by_dispute: dict[int, list[Claim]] = {}
            for claim in claim_rows:
                claims_by_dispute.setdefault(claim.dispute_id, []).append(claim)
            links = []
            for item in evidence_rows:
                candidates = claims_by_dispute.get(item.dispute_id)
                if candidates:
                    links.append(
                        EvidenceLink(
                            evidence=item,
                            claim=rng.choice(candidates),
                            effect=rng.choice([e for e, _ in EvidenceLink.Effect.choices]),
                        )
                    )
                else:
                    links.append(
                        EvidenceLink(evidence=item, stance=Stance.AFFIRMS, effect=EvidenceLink.Effect.SUPPORTS)
                    )
            EvidenceLink.objects.bulk_create(links, batch_size=BATCH)

            created.extend(d.pk for d in dispute_rows)
            result.disputes += len(dispute_rows)
            result.claims += len(claim_rows)
            result.evidence += len(evidence_rows)
            result.articles += len(article_rows)
