"""Fault drills: the checker with real processes under real faults (``make drills``).

Starts its own Redis (port 6391) and PostgreSQL (port 5441, in a temporary folder), a
Celery prefork worker, beat and gunicorn, serves the pages to check from local HTTP
servers on several loopback addresses, and prints one line per drill:

    worker SIGKILL: 40/40 checks completed, 0 lost, 0 duplicated, 0 stuck, recovery 41 s

``DRILL_CHECKS`` (default 200) sets the checks per drill; ``DRILL_OUTAGE_SECONDS`` (60)
how long PostgreSQL stays down; ``DRILLS`` (comma-separated names) picks drills.
Exit status 1 if any drill lost, duplicated or left a check stuck.
"""

from __future__ import annotations

import contextlib
import html
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
REDIS_PORT = int(os.environ.get("DRILL_REDIS_PORT", 6391))
PG_PORT = int(os.environ.get("DRILL_PG_PORT", 5441))
WEB_PORT = int(os.environ.get("DRILL_WEB_PORT", 8791))
PAGE_PORT = int(os.environ.get("DRILL_PAGE_PORT", 8792))
HOSTS = [f"127.0.0.{n}" for n in range(2, 10)]  # eight "sites" on loopback
CHECKS = int(os.environ.get("DRILL_CHECKS", 200))
OUTAGE = int(os.environ.get("DRILL_OUTAGE_SECONDS", 60))
WORK = Path(tempfile.mkdtemp(prefix="drills-"))
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def log(message: str) -> None:
    print(f"  · {message}", flush=True)


# --- Pages to check --------------------------------------------------------------------


class Pages(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: dict[str, int] = {}
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def do_GET(self):
        key = f"{self.server.server_address[0]}{self.path}"
        with self.lock:
            self.hits[key] = self.hits.get(key, 0) + 1
        if self.path.startswith("/stall"):  # a poison page: never answers within the deadline
            time.sleep(40)
        time.sleep(0.2)  # a real site's latency
        words = " ".join(f"word{n}" for n in range(300))
        body = (
            f"<!doctype html><html><head><title>Page {self.path}</title></head><body><article>"
            f"<h1>Page {self.path}</h1><p>A statement about the events of the day. {words}</p>"
            f"<p>Officials said the report for {self.path} was accurate.</p></article></body></html>"
        ).encode()
        with contextlib.suppress(OSError):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)


def serve_pages() -> None:
    for host in HOSTS:
        server = http.server.ThreadingHTTPServer((host, PAGE_PORT), Pages)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()


# --- Services ----------------------------------------------------------------------------


class Proc:
    def __init__(self, name: str, cmd: list[str], env: dict | None = None):
        self.name, self.cmd, self.env = name, cmd, env
        self.proc: subprocess.Popen | None = None

    def start(self) -> Proc:
        out = open(WORK / f"{self.name}.log", "a")  # noqa: SIM115 — kept open for the child
        self.proc = subprocess.Popen(
            self.cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def signal(self, sig: int, group: bool = True) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig) if group else self.proc.send_signal(sig)

    def stop(self, timeout: float = 20) -> None:
        if self.proc and self.proc.poll() is None:
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGTERM, group=False)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.proc.wait(10)


def wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def redis_proc() -> Proc:
    return Proc(
        "redis", ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    )


PGDATA = WORK / "pg"


def pg_ctl(*args: str) -> None:
    subprocess.run(
        [*AS_POSTGRES, "pg_ctl", "-D", str(PGDATA), "-l", str(WORK / "pg" / "server.log"), "-w", *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def pg_init() -> None:
    PGDATA.mkdir()
    if AS_POSTGRES:
        shutil.chown(WORK, "postgres")
        shutil.chown(PGDATA, "postgres")
    subprocess.run(
        [*AS_POSTGRES, "initdb", "-D", str(PGDATA), "-A", "trust", "-U", "postgres"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    opts = f"-p {PG_PORT} -k {PGDATA} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl("-o", opts, "start")
    subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "drills"], check=True)
    (WORK / "pgopts").write_text(opts)


def pg_start() -> None:
    pg_ctl("-o", (WORK / "pgopts").read_text(), "start")


def pg_stop() -> None:
    pg_ctl("-m", "fast", "stop")


ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/drills",
    "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
    "CHECKER_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
    "CHECKER_ALLOW_HOSTS": ",".join(f"{host}:{PAGE_PORT}" for host in HOSTS),
    "CHECKER_HOST_SPACING_SECONDS": "0",
    "CHECKER_DEADLINE_SECONDS": "8",
    "CHECKER_RETRY_BASE_SECONDS": "2",
    "CHECKER_LEASE_SECONDS": "30",
    "CHECKER_SWEEP_SECONDS": "5",
    "CHECKER_STALE_QUEUED_SECONDS": "15",
    "CELERY_TASK_SOFT_TIME_LIMIT": "15",
    "CELERY_TASK_TIME_LIMIT": "20",
    "SECRET_KEY": "drills-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_COOKIES": "0",
    "VAR_DIR": str(WORK / "var"),
    "MEDIA_ROOT": str(WORK / "media"),
    "STATIC_ROOT": str(WORK / "static"),
    "CONN_MAX_AGE": "0",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "tracker.settings",
}
CELERY = [PY, "-m", "celery", "-A", "tracker"]


def worker(name: str = "worker") -> Proc:
    return Proc(name, [*CELERY, "worker", "--concurrency=4", "--loglevel=INFO", "-n", f"{name}@%h"], ENV).start()


def beat(name: str = "beat") -> Proc:
    return Proc(name, [*CELERY, "beat", "--loglevel=INFO", "-s", str(WORK / f"{name}-schedule")], ENV).start()


# --- Measuring --------------------------------------------------------------------------

_counter = 0


def add_sources(count: int, prefix: str, poison: int = 0) -> list[int]:
    """Sources as an editor's form would add them (the service queues a check and wakes a worker)."""
    global _counter
    from claims import services

    ids = []
    for n in range(count):
        _counter += 1
        host = HOSTS[_counter % len(HOSTS)]
        path = f"/stall/{prefix}/{n}" if n < poison else f"/{prefix}/{n}"
        ids.append(services.source_for_url(url=f"http://{host}:{PAGE_PORT}{path}").pk)
    return ids


def tally(ids: list[int]) -> dict:
    from django.db.models import Count

    from claims.checking import outcomes
    from claims.models import CheckJob, Source

    rows = Source.objects.filter(pk__in=ids).annotate(n=Count("checks", distinct=True))
    live = set(
        CheckJob.objects.filter(source_id__in=ids, state__in=outcomes.LIVE_JOB_STATES).values_list(
            "source_id", flat=True
        )
    )
    ok = sum(1 for s in rows if s.n >= 1 and s.check_state in outcomes.READ)
    failed = sum(1 for s in rows if s.n >= 1 and s.check_state not in outcomes.READ)
    duplicated = sum(1 for s in rows if s.n > 1)
    stuck = sum(1 for s in rows if s.pk in live)
    lost = sum(1 for s in rows if s.n == 0 and s.pk not in live and s.next_check_at is None)
    return {"ok": ok, "failed": failed, "duplicated": duplicated, "stuck": stuck, "lost": lost, "done": ok + failed}


def wait_done(ids: list[int], seconds: float) -> dict:
    from django.db import close_old_connections

    deadline = time.monotonic() + seconds
    while True:
        close_old_connections()
        with contextlib.suppress(Exception):
            counts = tally(ids)
            if counts["done"] >= len(ids) and not counts["stuck"]:
                return counts
        if time.monotonic() > deadline:
            return tally(ids)
        time.sleep(0.5)


def wait_checked(ids: list[int], fraction: float, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and tally(ids)["done"] < fraction * len(ids):
        time.sleep(0.2)


RESULTS: list[tuple[str, bool]] = []


def report(name: str, ids: list[int], counts: dict, recovery: float, extra: str = "", expect_failed: int = 0) -> None:
    good = (
        counts["lost"] == 0
        and counts["duplicated"] == 0
        and counts["stuck"] == 0
        and counts["ok"] == len(ids) - expect_failed
        and counts["failed"] == expect_failed
    )
    line = (
        f"{name}: {counts['ok']}/{len(ids) - expect_failed} checks completed, {counts['lost']} lost, "
        f"{counts['duplicated']} duplicated, {counts['stuck']} stuck, recovery {recovery:.0f} s"
    )
    if extra:
        line += f"; {extra}"
    print(("PASS " if good else "FAIL ") + line, flush=True)
    RESULTS.append((line, good))


# --- Drills -----------------------------------------------------------------------------


def drill_worker_sigkill(procs):
    ids = add_sources(CHECKS, "sigkill")
    wait_checked(ids, 0.3)
    procs["worker"].signal(signal.SIGKILL)  # the parent and every child, mid-check
    procs["worker"].proc.wait()
    restart = time.monotonic()
    procs["worker"] = worker()
    counts = wait_done(ids, 300)
    report("worker SIGKILL", ids, counts, time.monotonic() - restart)


def drill_warm_shutdown(procs):
    ids = add_sources(CHECKS, "warm")
    wait_checked(ids, 0.3)
    procs["worker"].signal(signal.SIGTERM, group=False)
    procs["worker"].proc.wait(60)
    restart = time.monotonic()
    procs["worker"] = worker()
    counts = wait_done(ids, 300)
    report("warm shutdown", ids, counts, time.monotonic() - restart)


def drill_redis_killed(procs):
    ids = add_sources(CHECKS, "redis")
    wait_checked(ids, 0.3)
    procs["redis"].signal(signal.SIGKILL)
    procs["redis"].proc.wait()
    time.sleep(5)
    procs["redis"] = redis_proc().start()  # back, and empty
    wait_port(REDIS_PORT)
    restart = time.monotonic()
    counts = wait_done(ids, 300)
    recovery = time.monotonic() - restart
    # The worker must have lived through it (not only its last checks): new checks after the
    # restart need it. kombu once killed it while restoring its unacknowledged messages.
    after = add_sources(5, "redis-after")
    after_counts = wait_done(after, 120)
    alive = procs["worker"].proc.poll() is None
    if not alive or after_counts["ok"] != len(after):
        counts = {**counts, "stuck": counts["stuck"] + len(after) - after_counts["ok"]}
    state = "alive" if alive else "DEAD"
    extra = f"worker {state}; {after_counts['ok']}/{len(after)} checks added after the restart done"
    report("Redis killed", ids, counts, recovery, extra)


def web_probe(path: str = "/") -> tuple[int, float]:
    import http.client

    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=35)
        conn.request("GET", path)
        status = conn.getresponse().status
    except OSError:
        status = 0
    return status, time.monotonic() - started


def drill_postgres_stopped(procs):
    from django.db import connection

    ids = add_sources(CHECKS, "pg")
    wait_checked(ids, 0.3)
    connection.close()
    pg_stop()
    probes = []
    outage_ends = time.monotonic() + OUTAGE
    while time.monotonic() < outage_ends:
        probes.append(web_probe())
        time.sleep(1)
    pg_start()
    restart = time.monotonic()
    counts = wait_done(ids, 300)
    statuses = sorted({status for status, _ in probes})
    slowest = max(seconds for _, seconds in probes)
    after = web_probe()[0]
    report(
        f"PostgreSQL stopped {OUTAGE} s",
        ids,
        counts,
        time.monotonic() - restart,
        f"web during the outage answered {statuses} in at most {slowest:.2f} s, then {after}",
    )


def drill_poison(procs):
    ids = add_sources(CHECKS, "poison", poison=1)
    started = time.monotonic()
    counts = wait_done(ids, 300)
    from claims.models import CheckJob

    job = CheckJob.objects.filter(source_id=ids[0]).order_by("-pk").first()
    report(
        "poison source",
        ids,
        counts,
        time.monotonic() - started,
        f"poison job {job.state} after {job.attempts}/{job.max_attempts} attempts",
        expect_failed=1,
    )


def drill_two_beats(procs):
    second = beat("beat2")
    try:
        ids = add_sources(CHECKS, "beats")
        wait_checked(ids, 0.3)
        procs["worker"].signal(signal.SIGKILL)  # leave leases for both sweepers to fight over
        procs["worker"].proc.wait()
        restart = time.monotonic()
        procs["worker"] = worker()
        counts = wait_done(ids, 300)
        fetched_twice = sum(1 for key, n in Pages.hits.items() if "/beats/" in key and n > 1)
        report(
            "two beats at once",
            ids,
            counts,
            time.monotonic() - restart,
            f"{fetched_twice} pages fetched twice (retries of killed checks)",
        )
    finally:
        second.stop()


def _admin_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username="drill-admin", defaults={"is_staff": True})
    user.is_superuser = True
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def drill_frozen_broker(procs):
    from django.urls import reverse

    client = _admin_client()
    procs["redis"].signal(signal.SIGSTOP)
    timings, statuses, ids = [], [], []
    from claims.models import Source

    try:
        for n in range(10):
            url = f"http://{HOSTS[n % len(HOSTS)]}:{PAGE_PORT}/frozen/{n}"
            started = time.monotonic()
            response = client.post(reverse("admin:claims_source_add"), {"url": url, "kind": "article"})
            timings.append(time.monotonic() - started)
            statuses.append(response.status_code)
            ids.append(Source.objects.get(url=url).pk)
    finally:
        procs["redis"].signal(signal.SIGCONT)
    restart = time.monotonic()
    counts = wait_done(ids, 300)
    report(
        "frozen broker (SIGSTOP)",
        ids,
        counts,
        time.monotonic() - restart,
        f"10 claim-source adds answered {sorted(set(statuses))} in at most {max(timings):.2f} s",
    )


def drill_admin_broker_down(procs):
    from django.urls import reverse

    from claims.models import CheckJob

    ids = add_sources(30, "admin")
    wait_done(ids, 120)
    client = _admin_client()
    procs["redis"].signal(signal.SIGKILL)
    procs["redis"].proc.wait()
    before = CheckJob.objects.filter(source_id__in=ids).count()
    started = time.monotonic()
    response = client.post(
        reverse("admin:claims_source_changelist"),
        {"action": "recheck_sources", "_selected_action": ids},
        follow=True,
    )
    took = time.monotonic() - started
    page = response.content.decode()
    start = page.find("Queued checks for")
    message = html.unescape(page[start : page.find("<", start)]) if start >= 0 else "(no message)"
    queued = CheckJob.objects.filter(source_id__in=ids).count() - before
    procs["redis"] = redis_proc().start()
    wait_port(REDIS_PORT)
    restart = time.monotonic()
    from django.db.models import Count

    from claims.models import Source

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        rows = Source.objects.filter(pk__in=ids).annotate(n=Count("checks"))
        if all(s.n >= 2 for s in rows):
            break
        time.sleep(0.5)
    rows = list(Source.objects.filter(pk__in=ids).annotate(n=Count("checks")))
    counts = {
        "ok": sum(1 for s in rows if s.n == 2),
        "failed": 0,
        "duplicated": sum(1 for s in rows if s.n > 2),
        "stuck": sum(1 for s in rows if s.n < 2),
        "lost": 0,
    }
    report(
        "admin re-check of 30 with the broker down",
        ids,
        counts,
        time.monotonic() - restart,
        f"{queued} queued in {took:.2f} s, told: “{message}”",
    )


def drill_sweep_behind_backlog(procs):
    from django.utils import timezone

    from claims.models import CheckJob
    from claims.tasks import run_check_job

    procs["worker"].signal(signal.SIGSTOP)  # a busy worker: the queue only grows
    for _ in range(2000):
        run_check_job.apply_async(args=[0])  # a backlog of wake-ups ahead of everything
    ids = add_sources(1, "backlog")
    job = CheckJob.objects.get(source_id=ids[0])
    # A worker died holding this job: its lease has run out.
    CheckJob.objects.filter(pk=job.pk).update(
        state="running", attempts=1, lease_until=timezone.now() - timezone.timedelta(seconds=1)
    )
    started = time.monotonic()
    while CheckJob.objects.get(pk=job.pk).state == "running" and time.monotonic() - started < 120:
        time.sleep(0.2)
    recovered = time.monotonic() - started
    procs["worker"].signal(signal.SIGCONT)
    counts = wait_done(ids, 300)
    report(
        "sweep behind a 2,000-message backlog",
        ids,
        counts,
        time.monotonic() - started,
        f"lost job recovered by the sweeper {recovered:.1f} s after its lease ran out",
    )


def _hold_slot(host: str) -> None:
    from claims.checking import fetch

    with fetch.host_slot(host, fetch.Deadline(60)):
        time.sleep(120)


def drill_dead_worker_slot(procs):
    import multiprocessing

    from claims.models import CheckJob

    host = HOSTS[0]
    holder = multiprocessing.get_context("fork").Process(target=_hold_slot, args=(host,))
    holder.start()
    time.sleep(1)
    os.kill(holder.pid, signal.SIGKILL)  # a worker killed while it held the host's slot
    holder.join()
    killed = time.monotonic()
    ids = []
    from claims import services

    for n in range(5):
        ids.append(services.source_for_url(url=f"http://{host}:{PAGE_PORT}/slot/{n}").pk)
    counts = wait_done(ids, 120)
    attempts = max(CheckJob.objects.filter(source_id__in=ids).values_list("attempts", flat=True))
    report(
        "slot held by a killed worker",
        ids,
        counts,
        time.monotonic() - killed,
        f"at most {attempts} attempt(s) per check, no timeout charged",
    )


DRILLS = {
    "sigkill": drill_worker_sigkill,
    "warm": drill_warm_shutdown,
    "redis": drill_redis_killed,
    "postgres": drill_postgres_stopped,
    "poison": drill_poison,
    "beats": drill_two_beats,
    "frozen": drill_frozen_broker,
    "admin": drill_admin_broker_down,
    "backlog": drill_sweep_behind_backlog,
    "slot": drill_dead_worker_slot,
}


def main() -> int:
    chosen = [name.strip() for name in os.environ.get("DRILLS", ",".join(DRILLS)).split(",") if name.strip()]
    print(f"Drills in {WORK}: {CHECKS} checks per drill; {', '.join(chosen)}", flush=True)
    procs: dict[str, Proc] = {}
    try:
        procs["redis"] = redis_proc().start()
        pg_init()
        wait_port(REDIS_PORT)
        os.environ.update(ENV)
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=ENV, check=True)
        subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=ENV, check=True)
        serve_pages()
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        procs["worker"] = worker()
        procs["beat"] = beat()
        procs["web"] = Proc(
            "web",
            [PY, "-m", "gunicorn", "tracker.wsgi", "-w", "2", "-b", f"127.0.0.1:{WEB_PORT}", "--timeout", "30"],
            ENV,
        ).start()
        wait_port(WEB_PORT)
        for name in chosen:
            log(f"drill {name}")
            DRILLS[name](procs)
    finally:
        for proc in procs.values():
            proc.stop()
        with contextlib.suppress(Exception):
            pg_stop()
    if os.environ.get("DRILL_KEEP") != "1":
        shutil.rmtree(WORK, ignore_errors=True)
    failed = [line for line, good in RESULTS if not good]
    print(f"{len(RESULTS) - len(failed)}/{len(RESULTS)} drills held.", flush=True)
    return 1 if failed or len(RESULTS) < len(chosen) else 0


if __name__ == "__main__":
    sys.exit(main())
