"""The checker's CPU per check, in-process: the worker's, its PostgreSQL backend's, and its statements.

Not a benchmark (nothing is written to the report): the tool the "Cost per check" figures in
docs/performance.md were taken with. It builds a database of its own next to
``DATABASE_URL``'s (``<name>_checker_profile``) filled as the throughput benchmark's
(``bench_checker_throughput.fill``: each source cited by one claim, with a previous check),
serves the same local sites (``checker_hosts``; 30 % of pages changed, half with ETags) on
``BENCH_CHECKER_PORT``, and runs ``runner.run_job`` one job at a time with no spacing. The
first 100 checks warm robots.txt and connections; the rest are measured::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker BENCH_REDIS_URL=redis://127.0.0.1:6379/13 \\
    SECRET_KEY=x .venv/bin/python -m benchmarks.profile_checks --checks 300 [--profile 40] [--build]

``--build`` (re)creates the database; otherwise the checks made by an earlier run are deleted
first, so each run starts from the same previous checks. ``--profile N`` prints the top N
functions by cumulative process time (cProfile slows the run several times over: read its
shares, not its milliseconds).
"""

import argparse
import cProfile
import io
import os
import pstats
import time
from collections import Counter

WARM_UP = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0, help="Print the top N functions by cumulative time.")
    parser.add_argument("--build", action="store_true", help="(Re)create and fill the profile's database.")
    args = parser.parse_args()
    os.environ.update(
        {
            "BENCH_CHECKER_SOURCES": str(args.checks + WARM_UP),
            "BENCH_CHECKER_HOSTS": "100",
            "BENCH_CHECKER_SEQUENTIAL": "0",
        }
    )
    from benchmarks import bench_checker_throughput as bench

    config = bench.Config(quick=False)
    url = bench.checker_database_url()
    if not url:
        raise SystemExit("needs PostgreSQL (DATABASE_URL)")
    url += "_profile"
    env = bench.worker_env(config, url)
    env.update({"CHECKER_HOST_SPACING_SECONDS": "0", "DATABASE_POOL_SIZE": "0", "CHECKER_DATABASE_NICE": "0"})
    if args.build:
        bench.build_database(url, env)
    os.environ.update(env)
    from benchmarks.common import setup_django

    setup_django()
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from claims.checking import runner
    from claims.checking.jobs import jobs_request
    from claims.models import CheckJob, Source, SourceCheck

    bench.clear_redis(config.redis)
    if args.build or not Source.objects.filter(url__contains="/story/").exists():
        ids, _ = bench.fill(config)
    else:
        SourceCheck.objects.filter(job__isnull=False).delete()
        CheckJob.objects.all().delete()
        ids = list(Source.objects.filter(url__contains="/story/").order_by("pk").values_list("pk", flat=True))
    with bench.Hosts(config) as hosts:
        hosts.stats(reset=True, edition=1)
        jobs = jobs_request(source_ids=ids, reason=CheckJob.Reason.SCHEDULED, wake=False).jobs
        warm, measured = jobs[:WARM_UP], jobs[WARM_UP:]
        for job in warm:
            runner.run_job(job.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        profile = cProfile.Profile(time.process_time)
        database_before, cpu_before = bench.cpu_seconds([backend]), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            if args.profile:
                profile.enable()
            for job in measured:
                runner.run_job(job.pk)
            if args.profile:
                profile.disable()
        cpu, database = time.process_time() - cpu_before, bench.cpu_seconds([backend]) - database_before
    n = max(len(measured), 1)
    kinds = Counter(q["sql"].split()[0].upper() for q in queries.captured_queries)
    outcomes = dict(
        SourceCheck.objects.filter(job__in=[j.pk for j in measured])
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    print(
        f"{len(measured)} checks {outcomes}, load {os.getloadavg()[0]:.1f}: worker CPU {1000 * cpu / n:.1f} ms "
        f"per check{' (profiled)' if args.profile else ''}, its PostgreSQL backend {1000 * database / n:.1f} ms, "
        f"{len(queries.captured_queries) / n:.1f} statements per check {dict(kinds)}"
    )
    if args.profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
