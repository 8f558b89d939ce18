"""Page timings at a realistic size: `make bench` (not part of `make test`).

Creates synthetic data once (BENCH_DISPUTES disputes with a few claims each, plus one
large dispute with 200 claims, 50 evidence and 100 articles), then renders each read
page through Django's test client several times and reports the median, the slowest
run and the number of queries. Results go to stdout and test-artifacts/bench.txt.
Run against PostgreSQL by setting DATABASE_URL, as in production.

The only assertions are generous ceilings that catch a lost index or an N+1 query,
not a regression of a few percent: read the numbers.
"""

import os
import statistics
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from claims.models import Dispute, Party, Source
from claims.synthetic import synthesize

DISPUTES = int(os.environ.get("BENCH_DISPUTES", "2000"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
CEILING_SECONDS = float(os.environ.get("BENCH_CEILING_SECONDS", "2.0"))
RESULTS: list[str] = []


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        started = time.monotonic()
        synthesize(disputes=DISPUTES, claims_per_dispute=6, evidence_per_dispute=2, articles_per_dispute=2, seed=1)
        synthesize(
            disputes=1,
            claims_per_dispute=200,
            evidence_per_dispute=50,
            articles_per_dispute=100,
            seed=2,
            published_share=1.0,
        )
        if connection.vendor == "postgresql":
            # Fresh bulk-loaded tables have no statistics yet; production's autovacuum would have run.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        RESULTS.append(
            f"{connection.vendor}: {DISPUTES + 1} disputes created in {time.monotonic() - started:.1f}s; "
            f"median / max of {RUNS} runs"
        )
        big = Dispute.objects.order_by("-pk").first()
        party = Party.objects.order_by("pk").first()
        source = Source.objects.filter(claims__isnull=False).order_by("pk").first()
        yield {
            "home": "/",
            "home, search 'drone'": "/?q=drone",
            "home, search+filters": "/?q=missile&problems=on&occurred_from=2023-06-01&occurred_to=2024-06-01",
            "home, page 50": "/?page=50",
            "dispute, 200 claims / 50 evidence / 100 articles": big.get_absolute_url(),
            f"party ({party.claims.count()} claims)": party.get_absolute_url(),
            "source": source.get_absolute_url(),
        }
        # The test database is dropped at the end of the session; nothing to clean here.


def _time(client: Client, url: str) -> tuple[list[float], int]:
    timings = []
    queries = 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, url
        queries = len(captured)
    return timings, queries


@pytest.mark.django_db
def test_read_pages(data):
    client = Client()
    lines = []
    for name, url in data.items():
        timings, queries = _time(client, url)
        median = statistics.median(timings)
        lines.append(f"{name:52} {median * 1000:8.1f} ms  (max {max(timings) * 1000:7.1f} ms)  {queries:3} queries")
        assert median < CEILING_SECONDS, f"{name} took {median:.2f}s"
    RESULTS.extend(lines)
    report = "\n".join(RESULTS)
    out = Path(settings.BASE_DIR) / "test-artifacts" / "bench.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report + "\n")
    print("\n" + report)
