"""The checker's throughput against its politeness ceiling, and the home page while it runs
(issue 9, targets 5 and 6).

``BENCH_CHECKER_SOURCES`` sources (2,000) spread at random over ``BENCH_CHECKER_HOSTS``
local hosts (100: 127.0.0.2 …, see ``benchmarks/checker_hosts.py``), each answering
after 0.2 s with an article page of 50–300 KB; three in ten changed since their last
check, the rest the same bytes (half of the hosts send ETags, so those come back 304).
Each source is cited by one claim with a quote from its page, and has a previous check,
as a source in its second week would.

1. A database of its own (``<benchmark database>_checker``), migrated and filled.
2. **Sequential**: ``runner.run_job`` in a loop, in this process, on 40 more sources of
   the same kind: what one check at a time gives.
3. **Home page, idle**: gunicorn on the benchmark database of the size (``benchmarks.run.Server``)
   and wrk on ``/`` (p95).
4. **Flat out**: real Celery workers (``BENCH_CHECKER_PROCESSES`` × the product's default
   pool and concurrency, ``nice``d as docs/operations.md advises) with Redis; every job is
   queued at once and woken; the clock runs from the first wake-up to the last recorded
   check, while wrk measures the home page again and the workers' memory is sampled.
5. The hosts' referee says how many requests a host had at once (polite: 1) and the
   smallest gap between two requests to one host (polite: ≥ the spacing).

The ceiling is hosts × 1 request at a time ÷ (latency + spacing): no polite checker can
do better whatever its hardware. ``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/13``)
is the broker and the politeness store; only its checker keys and queue are deleted.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.common import Figure, module_arguments, wait_for_quiet, write_figures

GROUP = "checker"
PER_SIZE = False
ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
PYTHON = sys.executable

LATENCY = 0.2
SEQUENTIAL_SOURCES = int(os.environ.get("BENCH_CHECKER_SEQUENTIAL", "40"))


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


def log(message: str) -> None:
    print(f"[checker bench {datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


class Config:
    def __init__(self, quick: bool):
        self.sources = int(_setting("BENCH_CHECKER_SOURCES", "400" if quick else "2000"))
        self.hosts = int(_setting("BENCH_CHECKER_HOSTS", "40" if quick else "100"))
        self.spacing = int(_setting("BENCH_CHECKER_SPACING", "1"))
        self.processes = int(_setting("BENCH_CHECKER_PROCESSES", "1"))
        self.concurrency = _setting("BENCH_CHECKER_CONCURRENCY", "")  # empty: the product's default
        self.pool_size = _setting("BENCH_CHECKER_DB_POOL", "4")
        self.batch = _setting("BENCH_CHECKER_BATCH", "32")
        self.threads = _setting("BENCH_CHECKER_THREADS", "")  # empty: the product's default
        self.port = int(_setting("BENCH_CHECKER_PORT", "8731"))
        self.control = int(_setting("BENCH_CHECKER_CONTROL_PORT", str(self.port + 1)))
        self.redis = _setting("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
        self.nice = int(_setting("BENCH_CHECKER_NICE", "10"))
        # The checker's PostgreSQL backends reniced too, as docs/operations.md advises when the
        # database is on the worker's machine (it is here); 0 leaves them at normal priority.
        self.database_nice = _setting("BENCH_CHECKER_DATABASE_NICE", "10")
        self.max_seconds = float(_setting("BENCH_CHECKER_MAX_SECONDS", "240" if quick else "480"))
        self.wrk_seconds = 4 if quick else 8

    @property
    def ceiling(self) -> float:
        return self.hosts * 1 / (LATENCY + self.spacing)


# --- The database ----------------------------------------------------------------------------


def checker_database_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return ""
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/')}_checker"))


def worker_env(config: Config, url: str) -> dict:
    from benchmarks.checker_hosts import host_address

    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": config.redis,
            "CHECKER_REDIS_URL": config.redis,
            "CHECKER_ALLOW_HOSTS": ",".join(f"{host_address(i)}:{config.port}" for i in range(config.hosts)),
            "CHECKER_HOST_SPACING_SECONDS": str(config.spacing),
            "MEDIA_ROOT": str(WORK / "checker-media"),
            "VAR_DIR": str(WORK / "checker-var"),
            "LOG_LEVEL": "WARNING",
            "DATABASE_POOL_SIZE": config.pool_size,
            "CHECKER_BATCH_SIZE": config.batch,
            "CHECKER_DATABASE_NICE": config.database_nice,
        }
    )
    if config.concurrency:
        env["CELERY_WORKER_CONCURRENCY"] = config.concurrency
    if config.threads:
        env["CHECKER_BATCH_THREADS"] = config.threads
    return env


def build_database(url: str, env: dict) -> None:
    from benchmarks.run import recreate_postgres

    recreate_postgres(url)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)


def fill(config: Config) -> tuple[list[int], list[int]]:
    """Sources, their citing claims and previous checks; returns (benchmark ids, sequential ids)."""
    from django.db import transaction
    from django.utils import timezone

    from benchmarks.checker_hosts import VARIANTS, article_paragraphs, etag_of, host_address, page
    from claims.checking import extract
    from claims.models import Claim, QuoteCheck, Source, SourceCheck
    from claims.synthetic import synthesize

    total = config.sources + SEQUENTIAL_SOURCES
    synthesize(disputes=(total + 4) // 5, claims_per_dispute=5, evidence_per_dispute=0, articles_per_dispute=0)
    sources = list(Source.objects.order_by("pk")[:total])
    rng = random.Random(9)
    # Evenly spread (as the ceiling assumes: every host has the same share), in random order.
    hosts = [i % config.hosts for i in range(config.sources)]
    rng.shuffle(hosts)
    hosts += [i % config.hosts for i in range(SEQUENTIAL_SOURCES)]
    now = timezone.now()
    earlier = now - datetime.timedelta(days=1)
    read = {}
    claims = {c.source_id: c for c in Claim.objects.filter(source__in=sources)}
    checks, quoted = [], []
    for story, (source, host) in enumerate(zip(sources, hosts, strict=True)):
        body = page(story, 0)
        variant = story % VARIANTS
        if variant not in read:
            read[variant] = extract.extract(body.decode())
        found = read[variant]
        source.url = f"http://{host_address(host)}:{config.port}/story/{story}"
        source.check_state = Source.CheckState.OK
        source.last_checked_at = earlier
        source.next_check_at = now + datetime.timedelta(days=30)
        paragraph = article_paragraphs(variant)[story % len(article_paragraphs(variant))]
        claim = claims[source.pk]
        claim.quote = paragraph.split(". ")[0] + "."
        claim.quote_exact = ""
        quoted.append(claim)
        checks.append(
            SourceCheck(
                source=source,
                started_at=earlier,
                finished_at=earlier,
                outcome=SourceCheck.Outcome.OK,
                http_status=200,
                final_url=source.url,
                content_type="text/html",
                size_bytes=len(body),
                raw_sha256=hashlib.sha256(body).hexdigest(),
                text=found.text,
                text_sha256=found.text_sha256,
                text_method=extract.TEXT_METHOD,
                title=found.title,
                publisher=found.publisher,
                author=found.author,
                etag=etag_of(body) if host % 2 == 0 else "",
            )
        )
    with transaction.atomic():
        Source.objects.bulk_update(sources, ["url", "check_state", "last_checked_at", "next_check_at"], batch_size=500)
        Claim.objects.bulk_update(quoted, ["quote", "quote_exact"], batch_size=500)
        Claim.objects.filter(pk__in=[c.pk for c in quoted]).update(updated_at=earlier - datetime.timedelta(days=1))
        SourceCheck.objects.bulk_create(checks, batch_size=500)
        QuoteCheck.objects.bulk_create(
            [QuoteCheck(check_run=check, claim=claims[check.source_id], present=True, score=100.0) for check in checks],
            batch_size=500,
        )
    ids = [s.pk for s in sources]
    return ids[: config.sources], ids[config.sources :]


# --- The pieces that run -----------------------------------------------------------------------


class Hosts:
    """The local sites (benchmarks/checker_hosts.py) in a process of their own."""

    def __init__(self, config: Config):
        self.config = config
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Hosts:
        c = self.config
        self.process = subprocess.Popen(
            [PYTHON, "-m", "benchmarks.checker_hosts", "--hosts", str(c.hosts), "--port", str(c.port)]
            + ["--control", str(c.control), "--latency", str(LATENCY), "--spacing", str(c.spacing)]
            + ["--edition", "0", "--max-seconds", "1500"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                self.stats()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the local hosts did not start")

    def stats(self, reset: bool = False, edition: int | None = None) -> dict:
        import json

        path = "/reset" + (f"?edition={edition}" if edition is not None else "") if reset else "/stats"
        # Loopback only: the benchmark's own referee.
        with urllib.request.urlopen(f"http://127.0.0.1:{self.config.control}{path}", timeout=10) as r:  # noqa: S310
            return json.loads(r.read())

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)


def clear_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    # Slots, lane hints and the shared robots.txt cache: every run starts cold.
    for pattern in ("checker:host:*", "checker:lane:*", "checker:robots:*"):
        for key in client.scan_iter(pattern, count=1000):
            client.delete(key)
    client.delete("celery", "unacked", "unacked_index")


def rss_mb(pids: list[int]) -> float:
    """Resident memory of these processes and their children, in MB."""
    total = 0
    seen = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            todo.extend(int(c) for c in children)
        except OSError:
            continue
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and their live children (seconds)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    seen = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
            todo.extend(int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
        except OSError:
            continue
    return total / tick


def database_backends(exclude: int = 0) -> list[int]:
    """Process ids of the PostgreSQL backends connected to the benchmark's database but this
    connection and ``exclude`` (the benchmark's other one): the workers'."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
            [exclude],
        )
        return [row[0] for row in cursor.fetchall()]


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs so far (/proc/stat)."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    return sum(parts) - parts[3] - parts[4], sum(parts)


def extraction_cpu_ms(edition: int = 1) -> float:
    """CPU milliseconds (median) to read one changed page of the benchmark, in this process."""
    import statistics

    from benchmarks.checker_hosts import VARIANTS, is_changed, page
    from claims.checking import extract

    stories = [n for n in range(VARIANTS * 10) if is_changed(n)][:VARIANTS]
    spent = []
    for story in stories:
        body = page(story, edition).decode()
        started = time.process_time()
        extract.extract(body)
        spent.append((time.process_time() - started) * 1000)
    return statistics.median(spent)


class Workers:
    def __init__(self, config: Config, env: dict):
        self.config, self.env = config, env
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def __enter__(self) -> Workers:
        for n in range(self.config.processes):
            log_path = WORK / f"checker-worker-{n}.log"
            self.logs.append(log_path)
            command = [PYTHON, "-m", "celery", "-A", "tracker", "worker", "-n", f"bench{n}@%h", "--loglevel=INFO"]
            command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
            if self.config.nice:
                command = ["nice", "-n", str(self.config.nice), *command]
            with log_path.open("w") as out:
                self.processes.append(
                    subprocess.Popen(
                        command, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                    )
                )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if all("ready." in p.read_text() for p in self.logs):
                return self
            if any(p.poll() is not None for p in self.processes):
                break
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"the workers did not start; see {self.logs}")

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def __exit__(self, *exc) -> None:
        for p in self.processes:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.processes:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def sequential(ids: list[int]) -> float:
    """Checks per second, one at a time, in this process (no Celery)."""
    from claims.checking import runner
    from claims.checking.jobs import jobs_request
    from claims.models import CheckJob

    if not ids:
        return 0.0
    jobs = jobs_request(source_ids=ids, reason=CheckJob.Reason.SCHEDULED, wake=False).jobs
    started = time.monotonic()
    for job in jobs:
        runner.run_job(job.pk)
    return len(jobs) / (time.monotonic() - started)


def home_p95(seconds: float) -> dict:
    from benchmarks import run as harness

    return harness.run_wrk(["/"], {}, harness.WORKERS, seconds)


def flat_out(config: Config, ids: list[int], workers: Workers, home: dict) -> dict:
    """Queue a check of every source, wake the workers, and wait until each has its outcome."""
    from django.db.models import Count

    from claims.checking.jobs import jobs_request, wake_workers
    from claims.models import CheckJob, SourceCheck

    jobs = jobs_request(source_ids=ids, reason=CheckJob.Reason.SCHEDULED, wake=False).jobs
    job_ids = [job.pk for job in jobs]
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        # The workers' database backends come and go with their pools: the CPU each has used
        # is read while it lives (a backend older than the run counts from its value before).
        from django.db import connection

        while not stop.wait(0.5):
            peak[0] = max(peak[0], rss_mb(workers.pids))
            for pid in database_backends(exclude=own_backend):
                backends_seen[pid] = max(backends_seen.get(pid, 0.0), cpu_seconds([pid]))
        connection.close()

    finished = threading.Event()

    def measure_home() -> None:
        # Rounds of wrk while the run lasts (at most three), from its 3rd second, when the
        # workers are at full speed; a round that outlived the run is not counted.
        time.sleep(3)
        rounds = []
        while not finished.is_set() and len(rounds) < 3:
            result = home_p95(config.wrk_seconds)
            if not finished.is_set():
                rounds.append({**result, "load": round(os.getloadavg()[0], 1)})
        home["busy_rounds"] = rounds

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own_backend = cursor.fetchone()[0]
    backends_before = {pid: cpu_seconds([pid]) for pid in database_backends(exclude=own_backend)}
    backends_seen: dict[int, float] = {}
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu_before, machine_before = cpu_seconds(workers.pids), machine_cpu()
    started = time.monotonic()
    woken = wake_workers(job_ids, budget=60, sweeping=True)
    home_thread = threading.Thread(target=measure_home, daemon=True)
    home_thread.start()
    live = CheckJob.objects.filter(pk__in=job_ids, state__in=["queued", "running"])
    remaining = len(job_ids)
    while remaining and time.monotonic() - started < config.max_seconds:
        time.sleep(0.25)
        remaining = live.count()
    elapsed = time.monotonic() - started
    finished.set()
    cpu_after, machine_after = cpu_seconds(workers.pids), machine_cpu()
    database_cpu = sum(cpu - backends_before.get(pid, 0.0) for pid, cpu in backends_seen.items())
    finished_at = (
        SourceCheck.objects.filter(job_id__in=job_ids)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)[:1]
    )
    home_thread.join(config.wrk_seconds + 30)
    stop.set()
    sampler.join(2)
    outcomes = dict(
        SourceCheck.objects.filter(job_id__in=job_ids).values_list("outcome").annotate(n=Count("pk")).order_by()
    )
    checks = SourceCheck.objects.filter(job_id__in=job_ids)
    return {
        "woken": woken,
        "elapsed": elapsed,
        "done": len(job_ids) - remaining,
        "remaining": remaining,
        "peak_rss_mb": peak[0],
        "worker_cpu_s": round(cpu_after - cpu_before, 1),
        "database_cpu_s": round(database_cpu, 1),
        "machine_busy_share": round(
            (machine_after[0] - machine_before[0]) / max(machine_after[1] - machine_before[1], 1), 3
        ),
        "outcomes": outcomes,
        "not_modified": checks.filter(not_modified=True).count(),
        "changed": checks.filter(changed=True).count(),
        "extracted": checks.exclude(timings__extract_ms=0).count(),
        "last_finished": str(finished_at[0]) if finished_at else "",
        "failed_jobs": CheckJob.objects.filter(pk__in=job_ids, state="failed").count(),
    }


def main() -> None:
    args = module_arguments(__doc__.splitlines()[0])
    config = Config(args.quick)
    url = checker_database_url()
    if not url:
        write_figures(
            args.out,
            [Figure(GROUP, "checker throughput", 0, "", note="skipped: needs PostgreSQL (DATABASE_URL)")],
        )
        return
    page_env = dict(os.environ)
    env = worker_env(config, url)
    shutil.rmtree(WORK / "checker-media", ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    log(f"building {url.rsplit('/', 1)[1]} …")
    build_database(url, env)
    os.environ.update(env)
    os.environ["DATABASE_POOL_SIZE"] = "0"  # this process is single-threaded
    from benchmarks.common import setup_django

    setup_django()
    from benchmarks import run as harness

    clear_redis(config.redis)
    started_fill = time.monotonic()
    ids, sequential_ids = fill(config)
    log(f"filled {len(ids)} + {len(sequential_ids)} sources in {time.monotonic() - started_fill:.0f}s")
    figures: list[Figure] = []
    with Hosts(config) as hosts, harness.Server(page_env):
        hosts.stats(reset=True, edition=1)
        quiet = wait_for_quiet()
        seq_rate = sequential(sequential_ids)
        log(f"sequential: {seq_rate:.2f} checks/s (load {quiet.load:.1f})")
        extract_ms = extraction_cpu_ms()
        log(f"extraction of a changed page: {extract_ms:.1f} ms of CPU (median)")
        home: dict = {}
        clear_redis(config.redis)
        hosts.stats(reset=True, edition=1)
        from django.db import connection

        connection.close()
        with Workers(config, env) as workers:
            # The home page with the worker started but idle, before and after the flat-out
            # run (the reference is their mean), after a warm-up that fills the page caches.
            home_p95(2)
            quiet_home = wait_for_quiet()
            home["idle"] = home_p95(config.wrk_seconds)
            log(f"home idle p95 {home['idle']['p95_us'] / 1000:.0f} ms")
            quiet_run = wait_for_quiet()
            run = flat_out(config, ids, workers, home)
            home["idle_after"] = home_p95(config.wrk_seconds)
            log(f"home idle p95 after {home['idle_after']['p95_us'] / 1000:.0f} ms")
        referee = hosts.stats()
    from django.conf import settings

    log(f"flat out: {run}")
    log(f"referee: {referee}")
    loads = [round(quiet.load, 2), round(quiet_home.load, 2), round(quiet_run.load, 2), round(os.getloadavg()[0], 2)]
    all_quiet = quiet.came and quiet_home.came and quiet_run.came
    rate = run["done"] / run["elapsed"] if run["elapsed"] else 0.0
    scale = f"{len(ids)} sources, {config.hosts} hosts, {LATENCY:g} s latency, {config.spacing} s spacing"
    unfinished = f" {run['remaining']} jobs unfinished after {config.max_seconds:g} s!" if run["remaining"] else ""
    figures.append(
        Figure(
            GROUP,
            f"checker throughput ({scale})",
            round(rate, 2),
            "checks/s",
            reference=round(config.ceiling, 2),
            reference_name="politeness ceiling: hosts ÷ (latency + spacing)",
            ratio=round(rate / config.ceiling, 3),
            target="≥ 80% of the ceiling",
            met=rate / config.ceiling >= 0.8 and not run["remaining"],
            load=loads,
            quiet=all_quiet,
            note=(
                f"{run['elapsed']:.1f} s for {run['done']} checks; {config.processes} Celery worker(s) "
                f"(prefork × {os.environ.get('CELERY_WORKER_CONCURRENCY') or os.cpu_count()}), batches of "
                f"{config.batch}, nice {config.nice}, its database backends nice {config.database_nice or 0}; "
                f"outcomes {run['outcomes']}; {run['not_modified']} answered 304, "
                f"{run['extracted']} extracted, {run['changed']} changed; {run['failed_jobs']} failed.{unfinished} "
                f"Up to {settings.CHECKER_BATCH_THREADS} threads per batch. CPU: the worker used "
                f"{run['worker_cpu_s']:g} s ({1000 * run['worker_cpu_s'] / max(run['done'], 1):.0f} ms per check), "
                f"its PostgreSQL backends {run['database_cpu_s']:g} s "
                f"({1000 * run['database_cpu_s'] / max(run['done'], 1):.0f} ms per check), "
                f"the machine was {100 * run['machine_busy_share']:.0f} % busy (all processes, both cores); "
                f"reading one changed page takes {extract_ms:.0f} ms of CPU here, "
                f"{run['extracted'] * extract_ms / 1000:.1f} s for the {run['extracted']} read."
            ),
            extra={**run, "referee": referee, "sequential_rate": seq_rate, "extract_cpu_ms": extract_ms},
        )
    )
    figures.append(
        Figure(
            GROUP,
            "checker vs a sequential loop (same kind of sources, run_job one at a time)",
            round(rate, 2),
            "checks/s",
            reference=round(seq_rate, 2),
            reference_name="sequential",
            ratio=round(rate / seq_rate, 1) if seq_rate else None,
            target="≥ 50×",
            met=bool(seq_rate) and rate / seq_rate >= 50,
            load=loads,
            quiet=all_quiet,
        )
    )
    violations = referee["spacing_violations"] + referee["hosts_over_concurrency"]
    bound = referee["busiest_host_requests"] * (LATENCY + config.spacing) - config.spacing
    figures.append(
        Figure(
            GROUP,
            "politeness violations (requests closer than the spacing, or two at once to a host)",
            violations,
            "",
            target="0",
            met=violations == 0,
            note=(
                f"busiest host {referee['busiest_host_requests']} requests (robots.txt included), so no polite run "
                f"takes less than {bound:.1f} s; "
                f"max {referee['max_concurrency_per_host']} at once per host; smallest gap "
                f"{referee['min_gap_seconds']} s (spacing {config.spacing} s); {referee['requests']} requests "
                f"({referee['robots']} robots.txt, {referee['conditional']} conditional, "
                f"{referee['not_modified']} answered 304)"
            ),
        )
    )
    figures.append(
        Figure(
            GROUP,
            f"worker memory, peak resident, {config.processes} process(es) together",
            round(run["peak_rss_mb"], 1),
            "MB",
            target="≤ 500 MB",
            met=run["peak_rss_mb"] <= 500,
        )
    )
    idle, idle_after, rounds = home["idle"], home["idle_after"], home.get("busy_rounds") or []
    if rounds:
        import statistics

        p95_idle = (idle["p95_us"] + idle_after["p95_us"]) / 2000
        p95_busy = statistics.median(r["p95_us"] for r in rounds) / 1000
        busy_text = ", ".join(f"{r['p95_us'] / 1000:.0f} ms (load {r['load']})" for r in rounds)
        figures.append(
            Figure(
                GROUP,
                f"home page p95 while the checker runs flat out ({harness.WORKERS} connections; median of rounds)",
                round(p95_busy, 1),
                "ms",
                reference=round(p95_idle, 1),
                reference_name="same page, checker idle (mean of before and after the run)",
                ratio=round(p95_busy / p95_idle, 2) if p95_idle else None,
                target="≤ 1.5× (ratio = busy ÷ idle)",
                met=bool(p95_idle) and p95_busy / p95_idle <= 1.5,
                load=loads,
                quiet=all_quiet,
                note=(
                    f"idle before {idle['p95_us'] / 1000:.1f} ms ({idle['requests']} requests), after "
                    f"{idle_after['p95_us'] / 1000:.1f} ms ({idle_after['requests']}); "
                    f"busy rounds of {config.wrk_seconds} s from the run's 3rd second: {busy_text}; "
                    f"the run lasted {run['elapsed']:.0f} s"
                ),
            )
        )
    write_figures(args.out, figures)
    for f in figures:
        log(f"{f.name}: {f.value} {f.unit} (ref {f.reference}, ratio {f.ratio}, met {f.met}) {f.note}")


if __name__ == "__main__":
    main()
