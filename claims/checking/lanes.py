"""Host lanes: how a batch's threads share out the due checks, one host per thread at a time.

Politeness allows one request at a time per host, ``CHECKER_HOST_SPACING_SECONDS`` apart,
so the most any checker can do is every host busy all the time. A thread that works one
host's checks back to back gets exactly that from its host: it sleeps through the spacing
in the host's slot (``fetch.host_slot``) while the previous check's reading and recording
overlap the spacing. So a batch groups the due jobs it sees by host and gives each thread
a host (a *lane*) until that host has nothing due, then another.

Which hosts a thread of *another* process (or machine) is working is a hint kept in
Redis (``checker:lane:<host>``, lasting longer than one check can take, renewed per check), so that two worker
processes cover different hosts instead of both queuing behind the same ones. It is only
a hint: politeness is the host slot's job, and "exactly one outcome" is the job claim's
(``runner.run_job``). Without Redis each process chooses from what it knows.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import deque
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from claims.models import CheckJob

from . import fetch
from .outcomes import STOP_NOW

log = logging.getLogger(__name__)

LANE_KEY = "checker:lane:"
# Keep the hint while it is ours (or take it back if it lapsed); never touch another's.
_RENEW_OR_RETAKE = (
    "local holder = redis.call('get', KEYS[1]) "
    "if holder == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end "
    "if not holder then return redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) and 1 or 0 end "
    "return 0"
)
_DROP_IF_OURS = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def lane_hint_ms() -> int:
    """How long a lane's hint lasts: longer than one check can take (its whole deadline plus
    the wait for the host's slot), since it is renewed between checks; a dead worker's hosts
    are free again after that."""
    return (int(settings.CHECKER_DEADLINE_SECONDS) + int(settings.CHECKER_SLOT_WAIT_SECONDS) + 5) * 1000


# Due jobs read from the queue at a time (id and URL only), at most this often.
REFILL_ROWS = 2000
REFILL_INTERVAL_SECONDS = 0.5


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class HostLanes:
    """The due jobs one batch knows of, by host, and which hosts its threads are working."""

    def __init__(self, until: float):
        self.until = until
        self.lock = threading.Lock()
        self.refill_lock = threading.Lock()
        self.pending: dict[str, deque[int]] = {}
        self.known: set[int] = set()
        # The batch's own jobs (its wake-up named them) not yet started, per host: these are
        # run whatever the hints say and after the batch's time is up, since their wake-up
        # was this batch. Jobs read from the queue besides are extras.
        self.own: set[int] = set()
        self.owed: dict[str, int] = {}
        self.working: set[str] = set()
        # Hosts another worker is on that this batch works only for its own jobs.
        self.borrowed: set[str] = set()
        self.cursor: tuple | None = None
        self.refilled_at = -REFILL_INTERVAL_SECONDS
        self.token = uuid.uuid4().hex

    # --- What is due ---------------------------------------------------------------

    def _add(self, rows) -> int:
        added = 0
        with self.lock:
            for job_id, url in rows:
                if job_id in self.known:
                    continue
                self.known.add(job_id)
                self.pending.setdefault(host_of(url), deque()).append(job_id)
                added += 1
        return added

    def add_jobs(self, job_ids: list[int]) -> None:
        """The batch's own jobs (those still waiting), first in line on their hosts."""
        waiting = CheckJob.objects.filter(pk__in=job_ids, state=CheckJob.State.QUEUED).values_list("pk", "source__url")
        order = {job_id: n for n, job_id in enumerate(job_ids)}
        rows = sorted(waiting, key=lambda row: order[row[0]])
        self._add(rows)
        with self.lock:
            for job_id, url in rows:
                self.own.add(job_id)
                self.owed[host_of(url)] = self.owed.get(host_of(url), 0) + 1

    def refill(self) -> int:
        """Read the next due jobs from the queue (after the last ones read; from the start when
        that gives nothing new); return how many were new to this batch."""
        with self.refill_lock:
            if time.monotonic() - self.refilled_at < REFILL_INTERVAL_SECONDS:
                return 0  # another thread just read; its rows will do
            self.refilled_at = time.monotonic()
            for from_start in (False, True):
                due = CheckJob.objects.filter(state=CheckJob.State.QUEUED, run_after__lte=timezone.now())
                if self.cursor is not None and not from_start:
                    run_after, pk = self.cursor
                    due = due.filter(run_after__gte=run_after).exclude(run_after=run_after, pk__lte=pk)
                rows = list(due.order_by("run_after", "pk").values_list("pk", "source__url", "run_after")[:REFILL_ROWS])
                if rows:
                    self.cursor = (rows[-1][2], rows[-1][0])
                added = self._add((pk, url) for pk, url, _ in rows)
                if added or from_start:
                    return added
            return 0

    def host_count(self) -> int:
        with self.lock:
            return sum(1 for jobs in self.pending.values() if jobs)

    # --- Lanes ---------------------------------------------------------------------

    def take_host(self) -> str | None:
        """A host with due jobs that no thread of this batch works, preferably one no other
        worker works either (else one with this batch's own jobs); None when there is none.
        After the batch's time is up, only hosts with its own jobs."""
        with self.lock:
            candidates = [host for host, jobs in self.pending.items() if jobs and host not in self.working]
        if not candidates and time.monotonic() < self.until:
            self.refill()
            with self.lock:
                candidates = [host for host, jobs in self.pending.items() if jobs and host not in self.working]
        random.shuffle(candidates)
        if time.monotonic() < self.until:
            for host in self._unworked_elsewhere(candidates):
                if self._start(host):
                    return host
        # Hosts another worker is on (or the time is up): only for this batch's own jobs,
        # which nobody else was woken for. The host's slot keeps the two polite.
        for host in candidates:
            if self.owed.get(host) and self._start(host, borrowed=True):
                return host
        return None

    def _start(self, host: str, borrowed: bool = False) -> bool:
        with self.lock:
            if host in self.working:
                return False
            self.working.add(host)
            if borrowed:
                self.borrowed.add(host)
            return True

    def next_job(self, host: str) -> int | None:
        """The host's next job; only the batch's own after its time is up, or on a host
        another worker is on."""
        late = time.monotonic() >= self.until or host in self.borrowed
        with self.lock:
            jobs = self.pending.get(host)
            while jobs:
                job_id = jobs.popleft()
                if job_id in self.own:
                    self.own.discard(job_id)
                    self.owed[host] -= 1
                    return job_id
                if not late:
                    return job_id
            return None

    def next_job_after_refill(self, host: str) -> int | None:
        """The host's deque ran dry: read the queue again (its later jobs may be there)."""
        if time.monotonic() >= self.until or host in self.borrowed:
            return None
        self.refill()
        return self.next_job(host)

    def renew(self, host: str) -> None:
        client = fetch._redis_client()
        if client is None or host in self.borrowed:
            return
        try:
            client.eval(_RENEW_OR_RETAKE, 1, LANE_KEY + host, self.token, lane_hint_ms())
        except STOP_NOW:
            raise
        except Exception as error:  # noqa: BLE001 — only a hint
            log.debug("lane hint for %s not renewed: %s", host, error)

    def drop_host(self, host: str) -> None:
        with self.lock:
            self.working.discard(host)
            borrowed = host in self.borrowed
            self.borrowed.discard(host)
        if borrowed:
            return  # the hint is the other worker's
        client = fetch._redis_client()
        if client is None:
            return
        try:
            client.eval(_DROP_IF_OURS, 1, LANE_KEY + host, self.token)
        except STOP_NOW:
            raise
        except Exception as error:  # noqa: BLE001 — only a hint; it lapses on its own
            log.debug("lane hint for %s not dropped: %s", host, error)

    def _unworked_elsewhere(self, hosts: list[str]) -> list[str]:
        """The first of ``hosts`` whose lane hint this batch could take (as a list of one), or
        none; all of them without Redis. One read for all, then one write per try."""
        client = fetch._redis_client()
        if client is None:
            return hosts
        try:
            held = client.mget([LANE_KEY + host for host in hosts])
            for host, holder in zip(hosts, held, strict=True):
                if holder is None and client.set(LANE_KEY + host, self.token, nx=True, px=lane_hint_ms()):
                    return [host]
        except STOP_NOW:
            raise
        except Exception:  # noqa: BLE001 — only a hint: without Redis every host is a candidate
            return hosts
        return []
