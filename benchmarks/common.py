"""What every benchmark module shares: figures, the quiet-machine wait, and the module protocol.

A benchmark module is ``benchmarks/bench_<name>.py`` with a ``main()`` that the harness
(``benchmarks/run.py``) runs as ``python -m benchmarks.bench_<name> --out FILE [--quick]``
in its own process, with ``DATABASE_URL`` pointing at the benchmark database of the
size being measured (and ``BENCH_SIZE`` saying which size that is). It writes a JSON
list of :class:`Figure` to ``FILE`` with :func:`write_figures`; the harness puts those
figures in the same report as the pages. Modules that do not need Django simply do
not set it up. The checker benchmarks (pipeline, throughput) plug in this way.
"""

import argparse
import json
import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

# The machine counts as quiet when, over one second, less than this share of its CPU
# time was busy (anything: other people's tests, our own previous phase winding down).
QUIET_BUSY_SHARE = float(os.environ.get("BENCH_QUIET_BUSY", "0.30"))
QUIET_MAX_WAIT_SECONDS = float(os.environ.get("BENCH_QUIET_WAIT", "6"))


@dataclass
class Figure:
    """One measured number, with what it is compared against in the same run.

    ``value`` and ``reference`` are in ``unit``; ``ratio`` is value / reference (for
    throughput) or reference / value (for times, so that higher is better either way);
    ``spread`` is (max - min) / median over the rounds; ``target`` says what the issue
    asks for and ``met`` whether this run met it (None: no target).
    """

    group: str
    name: str
    value: float
    unit: str
    reference: float | None = None
    reference_name: str = ""
    ratio: float | None = None
    spread: float | None = None
    target: str = ""
    met: bool | None = None
    load: list[float] = field(default_factory=list)
    quiet: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def cpu_busy_share(interval: float = 1.0) -> float:
    """The share of all CPUs' time spent busy over ``interval`` seconds (from /proc/stat)."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            parts = [int(x) for x in f.readline().split()[1:]]
        idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
        return sum(parts), idle

    total1, idle1 = sample()
    time.sleep(interval)
    total2, idle2 = sample()
    total = max(total2 - total1, 1)
    return 1 - (idle2 - idle1) / total


def load_average() -> float:
    return os.getloadavg()[0]


@dataclass
class Quiet:
    came: bool
    waited: float
    busy: float
    load: float


def wait_for_quiet(max_wait: float | None = None) -> Quiet:
    """Wait until the machine is quiet (see QUIET_BUSY_SHARE), at most ``max_wait`` seconds.

    Returns whether quiet came, how long it took, the last busy share and the
    one-minute load average, so the report can say so when it never came.
    """
    max_wait = QUIET_MAX_WAIT_SECONDS if max_wait is None else max_wait
    started = time.monotonic()
    while True:
        busy = cpu_busy_share(0.5)
        waited = time.monotonic() - started
        if busy < QUIET_BUSY_SHARE:
            return Quiet(True, waited, busy, load_average())
        if waited >= max_wait:
            return Quiet(False, waited, busy, load_average())


def spread(values: list[float]) -> float | None:
    if len(values) < 2 or not statistics.median(values):
        return None
    return (max(values) - min(values)) / statistics.median(values)


def write_figures(path: str | Path, figures: list[Figure]) -> None:
    Path(path).write_text(json.dumps([asdict(f) for f in figures], indent=1))


def read_figures(path: str | Path) -> list[Figure]:
    return [Figure(**row) for row in json.loads(Path(path).read_text())]


def module_arguments(description: str) -> argparse.Namespace:
    """The command line every benchmark module accepts."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", required=True, help="Where to write the JSON list of figures.")
    parser.add_argument("--quick", action="store_true", help="Fewer, shorter rounds (a smoke run).")
    return parser.parse_args()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
