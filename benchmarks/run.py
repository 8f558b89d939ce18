"""`make bench`: every page and the checker against their ceilings, in one run.

For each data size (``SIZES``, default 2000): build (or reuse) a database of that
size, serve the site as production does (gunicorn, DEBUG off, cached templates,
persistent connections), and drive each page with wrk on loopback, interleaved with
the trivial ``/_bench/ceiling/`` view: ceiling, page, ceiling, page, … Before every
timed phase it waits for a quiet machine and records the load average. Then it runs
the ``benchmarks/bench_*.py`` modules (search in the ORM, the checker) and writes
``benchmarks/results/latest.md`` and ``latest.json``. See docs/performance.md.

    python -m benchmarks.run [--sizes 2000,100000] [--quick] [--only home,search]
"""

import argparse
import dataclasses
import datetime
import importlib
import json
import os
import pkgutil
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus, urlsplit, urlunsplit

from benchmarks.common import Figure, read_figures, spread, wait_for_quiet

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
WORK = ROOT / "var" / "bench"
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8701"))
BASE = f"http://127.0.0.1:{PORT}"
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CEILING = "/_bench/ceiling/"


def log(message: str) -> None:
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


# --- Databases -------------------------------------------------------------------------------


def database_url(size: int) -> str:
    """A database of its own per size, next to the one DATABASE_URL names (never that one)."""
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(base)
        name = parts.path.lstrip("/") or "tracker"
        return urlunsplit(parts._replace(path=f"/{name}_bench_{size}"))
    return ""  # SQLite, in var/bench/


def sqlite_path(size: int) -> Path:
    return WORK / f"bench-{size}.sqlite3"


def fingerprint(size: int) -> str:
    """Changes whenever the synthetic data would: then the database is rebuilt."""
    import hashlib

    digest = hashlib.sha256()
    for name in ("claims/synthetic.py", "claims/demo.py", "benchmarks/prepare.py"):
        digest.update((ROOT / name).read_bytes())
    return f"{size}:{digest.hexdigest()[:16]}"


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def postgres_exists(url: str) -> bool:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]).fetchone()
            is not None
        )


def base_env(size: int) -> dict:
    env = dict(os.environ)
    url = database_url(size)
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "VAR_DIR": str(WORK / f"var-{size}"),
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "CELERY_BROKER_URL": "memory://",
            "BENCH_SIZE": str(size),
        }
    )
    if not url:
        # settings.py puts SQLite in VAR_DIR/db.sqlite3.
        env["VAR_DIR"] = str(WORK / f"sqlite-{size}")
    return env


def prepare(size: int, env: dict) -> dict:
    """Build the data if it is missing or stale, then describe it."""
    marker = WORK / f"data-{size}.txt"
    url = env.get("DATABASE_URL", "")
    exists = postgres_exists(url) if url else (Path(env["VAR_DIR"]) / "db.sqlite3").exists()
    stale = not exists or not marker.exists() or marker.read_text() != fingerprint(size)
    if stale:
        log(f"building {size} disputes ({'PostgreSQL' if url else 'SQLite'}) …")
        if url:
            recreate_postgres(url)
        else:
            shutil.rmtree(env["VAR_DIR"], ignore_errors=True)
        marker.unlink(missing_ok=True)
    else:
        log(f"reusing the {size}-dispute database (delete {marker} to rebuild)")
    started = time.monotonic()
    args = [PYTHON, "-m", "benchmarks.prepare", str(size)] + (["--build"] if stale else [])
    out = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"preparing the data failed:\n{out.stderr[-3000:]}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    if stale:
        marker.write_text(fingerprint(size))
        data["built_s"] = round(time.monotonic() - started)
        log(f"built in {data['built_s']}s")
    return data


# --- The server ------------------------------------------------------------------------------


class Server:
    """gunicorn as production runs it, on loopback, with the benchmark ceiling mounted."""

    def __init__(self, env: dict):
        self.env = dict(env)
        self.env.update(
            {
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_COOKIES": "0",
                "BENCH_ENDPOINTS": "1",
                "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "600"),
                "STATIC_ROOT": str(WORK / "static"),
                "SITE_URL": BASE,
            }
        )
        # Production shares one Redis cache between web processes; without BENCH_CACHE_URL
        # each gunicorn worker keeps its own (locmem): cached pages are built once per worker.
        self.env.pop("CACHE_URL", None)
        if os.environ.get("BENCH_CACHE_URL"):
            self.env["CACHE_URL"] = os.environ["BENCH_CACHE_URL"]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=self.env, cwd=ROOT, check=True)
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [
                gunicorn,
                "tracker.wsgi",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{PORT}",
                "--access-logfile",
                "/dev/null",
                "--error-logfile",
                str(WORK / "gunicorn.log"),
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if fetch(CEILING)[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited; see {WORK / 'gunicorn.log'}")
            time.sleep(0.2)
        self.__exit__(None, None, None)
        sys.exit(f"gunicorn did not answer on port {PORT} within 30 s; see {WORK / 'gunicorn.log'}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def fetch(path: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    # Always http://127.0.0.1:PORT: nothing but loopback is ever opened.
    request = urllib.request.Request(BASE + path, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


# --- Load generation -------------------------------------------------------------------------


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    log("wrk is missing: installing it with apt-get (Debian's package)")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=False)
    path = shutil.which("wrk")
    if not path:
        sys.exit("make bench needs wrk: apt-get install wrk (or put it on the PATH)")
    return path


@dataclass
class Scenario:
    group: str
    name: str
    paths: list[str]
    headers: dict = field(default_factory=dict)
    connections: int = 8
    expect: int = 200
    min_ratio: float | None = None
    max_p95_ms: float | None = None
    note: str = ""
    # Called before each phase for headers that must be fresh (a conditional GET's ETag).
    fresh_headers: object = None
    # Called before each phase for paths never asked before (a page past every cache).
    fresh_paths: object = None

    def current_headers(self) -> dict:
        return {**self.headers, **(self.fresh_headers() if self.fresh_headers else {})}

    def current_paths(self) -> list[str]:
        return self.fresh_paths() if self.fresh_paths else self.paths


def run_wrk(paths: list[str], headers: dict, connections: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        paths_file, headers_file = Path(tmp, "paths"), Path(tmp, "headers")
        paths_file.write_text("\n".join(paths) + "\n")
        headers_file.write_text("".join(f"{k}: {v}\n" for k, v in headers.items()))
        command = [
            ensure_wrk(),
            "-t",
            str(min(2, connections)),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(ROOT / "benchmarks" / "wrk_report.lua"),
            BASE,
            "--",
            str(paths_file),
            str(headers_file),
        ]
        out = subprocess.run(command, capture_output=True, text=True, check=False)
    match = re.search(r"^BENCH-JSON (.*)$", out.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk said nothing useful:\n{out.stdout}\n{out.stderr}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def check_responses(scenario: Scenario) -> dict:
    """Before timing: each path answers as expected; note the response size."""
    sizes = []
    for path in scenario.current_paths()[:5]:
        status, body, headers = fetch(path, scenario.current_headers())
        if status != scenario.expect:
            raise RuntimeError(f"{scenario.name}: {path} answered {status}, expected {scenario.expect}")
        sizes.append(len(body))
    return {"bytes": int(statistics.median(sizes))}


def measure(scenario: Scenario, rounds: int, seconds: float) -> Figure:
    info = check_responses(scenario)
    run_wrk(scenario.current_paths(), scenario.current_headers(), scenario.connections, 1)  # warm both workers
    page, ceiling, loads, quiet = [], [], [], True
    for _ in range(rounds):
        for which in ("ceiling", "page"):
            q = wait_for_quiet()
            quiet &= q.came
            loads.append(round(q.load, 2))
            if which == "ceiling":
                ceiling.append(run_wrk([CEILING], {}, scenario.connections, seconds))
            else:
                page.append(
                    run_wrk(scenario.current_paths(), scenario.current_headers(), scenario.connections, seconds)
                )
    rps = [r["rps"] for r in page]
    value = statistics.median(rps)
    reference = statistics.median(r["rps"] for r in ceiling)
    p50 = statistics.median(r["p50_us"] for r in page) / 1000
    p95 = statistics.median(r["p95_us"] for r in page) / 1000
    errors = sum(r["errors_status"] + r["errors_connect"] + r["errors_read"] + r["errors_timeout"] for r in page)
    ratio = value / reference if reference else None
    met = None
    if scenario.min_ratio is not None or scenario.max_p95_ms is not None:
        met = (scenario.min_ratio is None or (ratio or 0) >= scenario.min_ratio) and (
            scenario.max_p95_ms is None or p95 <= scenario.max_p95_ms
        )
        met = met and errors == 0
    targets = []
    if scenario.min_ratio is not None:
        targets.append(f"≥ {scenario.min_ratio:.0%} of ceiling")
    if scenario.max_p95_ms is not None:
        targets.append(f"p95 ≤ {scenario.max_p95_ms:g} ms")
    return Figure(
        group=scenario.group,
        name=scenario.name,
        value=round(value, 1),
        unit="req/s",
        reference=round(reference, 1),
        reference_name="ceiling",
        ratio=round(ratio, 4) if ratio is not None else None,
        spread=round(spread(rps), 3) if spread(rps) is not None else None,
        target=", ".join(targets),
        met=met,
        load=loads,
        quiet=quiet,
        note=scenario.note + (f" {errors} failed responses!" if errors else ""),
        extra={
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "bytes": info["bytes"],
            "connections": scenario.connections,
            "rounds": rounds,
            "seconds": seconds,
            "expect": scenario.expect,
        },
    )


# --- What is measured ------------------------------------------------------------------------


def scenarios(data: dict, size: int, first: bool) -> list[Scenario]:
    editor = {"Cookie": data["session_cookie"]}
    htmx = {"HX-Request": "true"}
    selective = [f"/?q={quote_plus(t)}" for t in data["selective_terms"]]
    common = [f"/?q={quote_plus(t)}" for t in data["common_terms"]]

    def uncached(paths: list[str]):
        # The home page's results are cached per query string (docs/performance.md): a query
        # string never asked before makes every request run the search itself.
        return lambda: [f"{paths[i % len(paths)]}&fresh={secrets.token_hex(6)}-{i}" for i in range(20_000)]

    at = f"{size:,} disputes"
    home_ratio = 0.10 if size <= 2000 else None
    found = [
        Scenario("home", f"home, anonymous, full page ({at})", ["/"], min_ratio=home_ratio),
        Scenario("home", f"home, anonymous, htmx partial ({at})", ["/"], htmx),
        Scenario("home", f"home, editor, full page ({at})", ["/"], editor, min_ratio=home_ratio),
        Scenario("home", f"home, editor, htmx partial ({at})", ["/"], {**editor, **htmx}),
        # Latency targets: one connection per worker, so queueing does not count against the page.
        Scenario(
            "search",
            f"search, anonymous, full page, 20 selective terms ({at})",
            selective,
            connections=WORKERS,
            max_p95_ms=50,
        ),
        Scenario(
            "search",
            f"search, anonymous, full page, 10 common terms ({at})",
            common,
            connections=WORKERS,
            max_p95_ms=150,
        ),
        Scenario(
            "search",
            f"search, anonymous, full page, 20 selective terms, uncached ({at})",
            selective,
            connections=WORKERS,
            max_p95_ms=50,
            fresh_paths=uncached(selective),
        ),
        Scenario(
            "search",
            f"search, anonymous, full page, 10 common terms, uncached ({at})",
            common,
            connections=WORKERS,
            max_p95_ms=150,
            fresh_paths=uncached(common),
        ),
        Scenario(
            "search",
            f"search, editor, htmx partial, 10 common terms, uncached ({at})",
            common,
            {**editor, **htmx},
            connections=WORKERS,
            max_p95_ms=150,
            fresh_paths=uncached(common),
        ),
        Scenario(
            "search",
            f"search, editor, htmx partial, 20 selective terms ({at})",
            selective,
            {**editor, **htmx},
            connections=WORKERS,
            max_p95_ms=50,
        ),
        Scenario(
            "search",
            f"search, editor, htmx partial, 10 common terms ({at})",
            common,
            {**editor, **htmx},
            connections=WORKERS,
            max_p95_ms=150,
        ),
    ]
    if not first:
        return found

    def etag_of(path: str):
        return lambda: {"If-None-Match": fetch(path)[2].get("ETag", "")}

    big_etag = fetch(data["big_dispute"])[2].get("ETag")
    feed_etag = fetch("/feeds/disputed/")[2].get("ETag")

    def never_asked(path: str):
        # A query string the shared copy of the body has never been cached under: every
        # request renders the page (the "uncached" figure).
        return lambda: [f"{path}?fresh={secrets.token_hex(6)}-{i}" for i in range(20_000)]

    found += [
        Scenario("dispute", "dispute page, demo size, anonymous", [data["demo_dispute"]], min_ratio=0.20),
        Scenario(
            "dispute",
            "dispute page, big (200/50/100), anonymous, uncached (a new query string each request)",
            [data["big_dispute"]],
            fresh_paths=never_asked(data["big_dispute"]),
            min_ratio=0.05,
            note="The body is rendered each request; its rows, ClaimReview and cards come from caches kept "
            "per page stamp (claims/card_cache.py). With every cache empty: bench_dispute_cold below.",
        ),
        Scenario("dispute", "dispute page, big, anonymous, shared copy (cached per page stamp)", [data["big_dispute"]]),
        Scenario("dispute", "dispute page, big, editor (never cached)", [data["big_dispute"]], editor),
    ]
    if big_etag:
        found.append(
            Scenario(
                "dispute",
                "dispute page, big, repeat view (conditional GET → 304)",
                [data["big_dispute"]],
                fresh_headers=etag_of(data["big_dispute"]),
                expect=304,
                min_ratio=0.50,
            )
        )
    found.append(Scenario("party", "party page, anonymous", [data["party"]]))
    found.append(Scenario("party", "party page, editor", [data["party"]], editor))
    found.append(Scenario("feeds", "feed /feeds/disputed/", ["/feeds/disputed/"], min_ratio=0.10))
    if feed_etag:
        found.append(
            Scenario(
                "feeds",
                "feed /feeds/disputed/, conditional GET → 304",
                ["/feeds/disputed/"],
                fresh_headers=etag_of("/feeds/disputed/"),
                expect=304,
                min_ratio=0.70,
            )
        )
    return found


def bench_modules() -> list[str]:
    return sorted(
        f"benchmarks.{m.name}" for m in pkgutil.iter_modules([str(ROOT / "benchmarks")]) if m.name.startswith("bench_")
    )


# Plain modules with a ``run()`` that returns dicts of ``case``, ``size`` and ``median_ms``
# (the checker pipeline's shape); each becomes a figure of group ``PLAIN_MODULES[name]``.
PLAIN_MODULES = {"benchmarks.checker_pipeline": "checker pipeline"}


def run_plain_module(name: str, group: str, env: dict) -> list[Figure]:
    code = f"import json, {name} as m; print('BENCH-JSON ' + json.dumps(m.run()))"
    done = subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    match = re.search(r"^BENCH-JSON (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not match:
        note = (done.stderr.strip().splitlines() or ["no output"])[-1][:300]
        return [Figure(group=group, name=f"{name} failed", value=0, unit="", met=False, note=note)]
    return [
        Figure(group=group, name=f"{row.get('case', '?')} ({row.get('size', '')})", value=row["median_ms"], unit="ms")
        for row in json.loads(match.group(1))
    ]


def run_module(name: str, env: dict, quick: bool) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "figures.json")
        command = [PYTHON, "-m", name, "--out", str(out)] + (["--quick"] if quick else [])
        started = time.monotonic()
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not out.exists():
            log(f"{name} failed:\n{done.stderr[-2000:]}")
            return [
                Figure(
                    group=name,
                    name=f"{name} failed",
                    value=0,
                    unit="",
                    met=False,
                    note=(done.stderr.strip().splitlines() or ["no output"])[-1][:300],
                )
            ]
        log(f"{name}: {time.monotonic() - started:.0f}s")
        return read_figures(out)


# --- The report ------------------------------------------------------------------------------


def _fmt(value, digits=1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def write_report(figures: list[Figure], meta: dict, name: str = "latest") -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(
        json.dumps({"meta": meta, "figures": [dataclasses.asdict(f) for f in figures]}, indent=1)
    )
    lines = [
        "# Benchmark report",
        "",
        f"{meta['started']} · {meta['duration_s']:.0f} s · {meta['machine']} · database: {meta['database']} · "
        f"gunicorn sync × {WORKERS} · cache: {meta.get('cache', 'locmem')} · wrk on loopback · "
        f"{meta['rounds']} interleaved round(s) of {meta['seconds']} s"
        + (f" · load average before: {meta['load_before']}" if meta.get("load_before") else "")
        + (" · QUICK MODE" if meta["quick"] else "")
        + (
            " · data: " + ", ".join(f"{size} disputes {how}" for size, how in meta["data"].items())
            if meta.get("data")
            else ""
        ),
        "",
        "Time per part (s): "
        + (", ".join(f"{k} {v}" for k, v in meta.get("phase_seconds", {}).items()) or "—")
        + "; the rest is building or reusing the data and starting the server.",
        "",
        "Ratio: the page's throughput over the trivial view's (`/_bench/ceiling/`, same middleware) in the "
        "same run, phases interleaved ceiling/page. Spread: (max − min) / median of the page's rounds. "
        "Load: one-minute load average before each phase. Quiet: whether the machine was quiet (under "
        f"{float(os.environ.get('BENCH_QUIET_BUSY', '0.30')):.0%} CPU busy) before every phase; "
        "**no** means it never came within the wait and the figure was taken anyway.",
        "",
    ]
    lines += _targets_summary(figures, meta)
    if not all(f.quiet in (True, None) for f in figures):
        lines += [
            "> The machine was not quiet before some phases (other work was running): those figures are noisy.",
            "",
        ]
    groups: dict[str, list[Figure]] = {}
    for f in figures:
        # HTTP figures and the rest (ms from a module) get their own tables within a group.
        groups.setdefault(f.group + ("" if f.unit == "req/s" else " (in-process)"), []).append(f)
    for group, rows in groups.items():
        lines += [f"## {group}", ""]
        if all(r.unit == "req/s" for r in rows):
            lines += [
                "| what | req/s | ceiling | ratio | p50 ms | p95 ms | body | spread | target | met | load | quiet |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|",
            ]
            for r in rows:
                lines.append(
                    f"| {r.name} | {_fmt(r.value)} | {_fmt(r.reference, 0)} | {_fmt(r.ratio, 4)} | "
                    f"{_fmt(r.extra.get('p50_ms'))} | {_fmt(r.extra.get('p95_ms'))} | "
                    f"{r.extra.get('bytes', 0) / 1024:,.1f} KB | {_fmt(r.spread, 2)} | {r.target or '—'} | "
                    f"{_met(r.met)} | {' '.join(str(x) for x in r.load) or '—'} | {_quiet(r.quiet)} |"
                    + (f" {r.note}" if r.note else "")
                )
        else:
            lines += [
                "| what | figure | reference | ratio | spread | target | met | load | quiet | note |",
                "|---|---|---|---|---|---|---|---|---|---|",
            ]
            for r in rows:
                ref = f"{_fmt(r.reference, 2)} {r.unit} ({r.reference_name})" if r.reference is not None else "—"
                lines.append(
                    f"| {r.name} | {_fmt(r.value, 2)} {r.unit} | {ref} | {_fmt(r.ratio, 2)} | {_fmt(r.spread, 2)} | "
                    f"{r.target or '—'} | {_met(r.met)} | {' '.join(str(x) for x in r.load) or '—'} | "
                    f"{_quiet(r.quiet)} | {r.note} |"
                )
        lines.append("")
    (RESULTS / f"{name}.md").write_text("\n".join(lines))


def _headline(f: Figure) -> str:
    """The number a figure's target is about: a p95, a ratio to the ceiling, or the figure itself."""
    if "p95" in f.target and f.unit == "req/s":
        return f"p95 {_fmt(f.extra.get('p95_ms'))} ms"
    if f.unit == "req/s" or f.ratio is not None and ("×" in f.target or "%" in f.target):
        return f"ratio {_fmt(f.ratio, 2)}"
    return f"{_fmt(f.value, 2)} {f.unit}"


def _targets_summary(figures: list[Figure], meta: dict) -> list[str]:
    """The issue's targets at a glance: how many this run met, and which it missed."""
    targets = [f for f in figures if f.met is not None]
    if not targets:
        return []
    missed = [f for f in targets if not f.met]
    lines = ["## Targets", "", f"{len(targets) - len(missed)} of {len(targets)} targets met in this run."]
    if missed:
        lines += ["", "Missed (the causes measured, and what was tried, are in docs/performance.md, *Measured*):", ""]
        lines += [f"- {f.group}: {f.name}: {_headline(f)}, target {f.target}" for f in missed]
    if 100_000 not in meta.get("sizes", []) and any(f.group in ("home", "search") for f in figures):
        lines += [
            "",
            "Home and search at 100,000 disputes (≈ 1M claims) are not in this run: "
            '`make bench SIZES="2000 100000" ONLY=home,search` builds that data once (~11 minutes) and measures '
            "them (docs/performance.md, *Search and similar claims at 100,000 disputes*).",
        ]
    return lines + [""]


def _met(met) -> str:
    return {True: "yes", False: "**no**", None: "—"}[met]


def _quiet(quiet) -> str:
    return {True: "yes", False: "**no**", None: "—"}[quiet]


def rewrite_report() -> None:
    """Write latest.md again from latest.json (after a change to the report's layout)."""
    saved = json.loads((RESULTS / "latest.json").read_text())
    write_report([Figure(**row) for row in saved["figures"]], saved["meta"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=os.environ.get("SIZES", "2000"), help="Comma-separated dispute counts.")
    parser.add_argument("--quick", action="store_true", default=os.environ.get("QUICK", "") not in ("", "0"))
    parser.add_argument("--only", default=os.environ.get("ONLY", ""), help="Comma-separated groups to run.")
    parser.add_argument(
        "--report", default=os.environ.get("REPORT", "latest"), help="benchmarks/results/<REPORT>.md and .json."
    )
    args = parser.parse_args()
    sizes = [int(s) for s in re.split(r"[,\s]+", args.sizes.strip()) if s]
    only = {g.strip() for g in args.only.split(",") if g.strip()}
    rounds, seconds = (2, 2) if args.quick else (3, 4)
    started = time.monotonic()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    WORK.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    figures: list[Figure] = []
    builds: dict[str, str] = {}
    # Where the run's time went (the whole of `make bench` must stay under 20 minutes).
    phase_seconds: dict[str, float] = {}
    for index, size in enumerate(sizes):
        env = base_env(size)
        data = prepare(size, env)
        builds[f"{size:,}"] = f"built in {data['built_s']} s" if "built_s" in data else "reused"
        with Server(env):
            for scenario in scenarios(data, size, first=index == 0):
                if only and scenario.group not in only:
                    continue
                log(f"{scenario.name} …")
                phase_started = time.monotonic()
                try:
                    figure = measure(scenario, rounds, seconds)
                except (RuntimeError, OSError) as error:
                    log(f"  failed: {error}")
                    figures.append(
                        Figure(
                            group=scenario.group,
                            name=scenario.name,
                            value=0,
                            unit="req/s",
                            met=False,
                            note=f"failed: {error}",
                        )
                    )
                    continue
                log(f"  {figure.value} req/s, ratio {figure.ratio}, p95 {figure.extra['p95_ms']} ms")
                figures.append(figure)
                phase_seconds[scenario.group] = phase_seconds.get(scenario.group, 0) + time.monotonic() - phase_started
        for name in bench_modules():
            module = importlib.import_module(name)
            if not getattr(module, "PER_SIZE", False) and index > 0:
                continue
            if only and getattr(module, "GROUP", name) not in only:
                continue
            phase_started = time.monotonic()
            figures.extend(run_module(name, env, args.quick))
            phase_seconds[name] = phase_seconds.get(name, 0) + time.monotonic() - phase_started
        for name, group in PLAIN_MODULES.items():
            if index == 0 and (ROOT / (name.replace(".", "/") + ".py")).exists() and (not only or group in only):
                log(f"{name} …")
                figures.extend(run_plain_module(name, group, env))
    meta = {
        "started": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "duration_s": time.monotonic() - started,
        "machine": f"{os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}",
        "database": "PostgreSQL" if database_url(sizes[0]) else "SQLite",
        "sizes": sizes,
        "rounds": rounds,
        "seconds": seconds,
        "quick": args.quick,
        "workers": WORKERS,
        "cache": "Redis (BENCH_CACHE_URL)" if os.environ.get("BENCH_CACHE_URL") else "locmem per worker",
        "load_before": load_before,
        "data": builds,
        "phase_seconds": {k: round(v) for k, v in phase_seconds.items()},
    }
    write_report(figures, meta, args.report)
    log(f"done in {meta['duration_s']:.0f}s: {RESULTS / (args.report + '.md')}")


if __name__ == "__main__":
    main()
