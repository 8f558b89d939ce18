"""Check jobs: rows in the database are the queue; broker messages only wake workers.

A wake-up is a courtesy. Whatever the broker does (down, frozen, slow), a request that
queues checks spends at most ``CHECKER_WAKE_BUDGET_SECONDS`` on it in total, and a
process that found the broker not answering stops trying for
``CHECKER_WAKE_BACKOFF_SECONDS``. A job whose wake-up did not go out keeps
``enqueued_at`` empty and the sweeper sends it later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.models import CheckJob, Source

from . import outcomes

log = logging.getLogger(__name__)

# Monotonic time before which this process does not try the broker again.
_broker_down_until = 0.0


def _publish(job_ids: list[int], countdown: float | None, sent: list[int], budget: float) -> None:
    """Send the wake-ups over one connection; append each id once its message is out."""
    from claims.tasks import run_check_jobs
    from tracker.celery import app

    # Bound each socket operation too, so an abandoned publisher thread ends on its own.
    # kombu would otherwise retry connecting (forever, 2 s apart) before the first publish.
    timeouts = {
        "socket_timeout": max(budget, 0.5),
        "socket_connect_timeout": max(budget, 0.5),
        "max_retries": 0,
        "interval_start": 0,
    }
    size = max(int(settings.CHECKER_BATCH_SIZE), 1)
    with app.connection_for_write(transport_options=timeouts) as conn:
        for start in range(0, len(job_ids), size):
            batch = job_ids[start : start + size]
            run_check_jobs.apply_async(args=[batch], retry=False, connection=conn, countdown=countdown)
            sent.extend(batch)


def wake_workers(
    job_ids: Iterable[int], *, countdown: float | None = None, budget: float | None = None, sweeping: bool = False
) -> int:
    """Send the broker a wake-up per job within ``budget`` seconds in all; return how many went out.

    The publishing runs in a helper thread that this call waits for at most ``budget``
    seconds, so no library retry or frozen socket can hold the caller longer. Jobs whose
    wake-up went out get ``enqueued_at``; the others are left for the sweeper, which
    (``sweeping=True``) tries even while this process thinks the broker is down.
    """
    global _broker_down_until
    job_ids = list(job_ids)
    if not job_ids:
        return 0
    if not sweeping and time.monotonic() < _broker_down_until:
        log.info("broker recently unavailable; %d wake-up(s) left for the sweeper", len(job_ids))
        return 0
    budget = float(settings.CHECKER_WAKE_BUDGET_SECONDS if budget is None else budget)
    sent: list[int] = []
    failure: list[BaseException] = []

    def publish() -> None:
        try:
            _publish(job_ids, countdown, sent, budget)
        except outcomes.STOP_NOW:
            raise
        except Exception as error:  # noqa: BLE001 — any broker failure is survivable: the sweeper resends
            failure.append(error)

    thread = threading.Thread(target=publish, name="wake-workers", daemon=True)
    thread.start()
    thread.join(budget)
    done = list(sent)
    if thread.is_alive() or failure:
        _broker_down_until = time.monotonic() + float(settings.CHECKER_WAKE_BACKOFF_SECONDS)
        reason = failure[0] if failure else f"no answer within {budget:g} s"
        log.warning(
            "broker unavailable (%s); %d of %d wake-up(s) sent, the rest left for the sweeper",
            reason,
            len(done),
            len(job_ids),
        )
    elif sweeping:
        _broker_down_until = 0.0
    if done:
        CheckJob.objects.filter(pk__in=done).update(enqueued_at=timezone.now())
    return len(done)


def broker_reset() -> None:
    """Forget that the broker was down (tests, and after an operator fixed it)."""
    global _broker_down_until
    _broker_down_until = 0.0


def check_progress(source: Source) -> Source:
    """Set the badge's view of the source's live job, in one query.

    ``check_live``: a check is queued or running (the badge then polls);
    ``check_queued_since``: when the queued job became due (None while it runs);
    ``check_unclaimed``: it has waited past ``CHECKER_QUEUED_WARNING_SECONDS`` without a
    worker picking it up — no worker is running, or the queue is stuck.
    """
    job = CheckJob.objects.live().filter(source=source).only("state", "run_after").first()
    source.check_live = job is not None
    due = job.run_after if job is not None and job.state == outcomes.QUEUED else None
    queued = due is not None and due <= timezone.now()
    source.check_queued_since = due if queued else None
    waited = (timezone.now() - due).total_seconds() if due is not None and queued else 0
    source.check_unclaimed = waited > settings.CHECKER_QUEUED_WARNING_SECONDS
    return source


def job_request(*, source: Source, reason: str = CheckJob.Reason.MANUAL, wake: bool = True) -> CheckJob:
    """Queue a check of ``source``, joining the live job if there is one.

    The wake-up goes out after the surrounding transaction commits, so a worker
    never looks for a row that is not there yet. ``wake=False`` is for callers that
    run the job in-process (``check_sources --sync``).
    """
    live = CheckJob.objects.filter(source=source, state__in=outcomes.LIVE_JOB_STATES).first()
    if live:
        return live
    try:
        with transaction.atomic():
            job = CheckJob.objects.create(source=source, reason=reason)
    except IntegrityError:
        # Another request created the live job between our read and our insert.
        return CheckJob.objects.get(source=source, state__in=outcomes.LIVE_JOB_STATES)
    if wake:
        transaction.on_commit(lambda: wake_workers([job.pk]))
    return job


@dataclass
class JobBatch:
    """What ``jobs_request`` did: the live job of every source, how many were new, and
    (once the wake-ups went out after commit) how many workers were woken."""

    jobs: list[CheckJob] = field(default_factory=list)
    created: int = 0
    woken: int | None = None

    def summary(self) -> str:
        count = len(self.jobs)
        text = f"Queued checks for {count} source(s)"
        if count - self.created:
            text += f" ({count - self.created} were already queued)"
        text += "."
        if self.woken is not None and self.woken < self.created:
            text += (
                f" The task queue is not answering, so {self.created - self.woken} check(s) will be started "
                "by the sweeper within a few minutes."
            )
        return text


def jobs_request(*, source_ids: Iterable[int], reason: str = CheckJob.Reason.MANUAL, wake: bool = True) -> JobBatch:
    """Queue a check of each source in one transaction and wake workers in one batch.

    Sources with a live job keep it. The batch's ``woken`` is filled in when the
    wake-ups have gone out (at once, unless a surrounding transaction is still open).
    """
    source_ids = list(source_ids)
    batch = JobBatch()
    with transaction.atomic():
        live = set(
            CheckJob.objects.filter(source_id__in=source_ids, state__in=outcomes.LIVE_JOB_STATES).values_list(
                "source_id", flat=True
            )
        )
        # A concurrent request may create one of these meanwhile: the partial unique
        # index then skips ours, and the read below finds theirs.
        CheckJob.objects.bulk_create(
            [CheckJob(source_id=pk, reason=reason) for pk in source_ids if pk not in live], ignore_conflicts=True
        )
        batch.jobs = list(
            CheckJob.objects.filter(source_id__in=source_ids, state__in=outcomes.LIVE_JOB_STATES).order_by("pk")
        )
        to_wake = [job.pk for job in batch.jobs if job.source_id not in live]
        batch.created = len(to_wake)

    def send_wakeups() -> None:
        batch.woken = wake_workers(to_wake)

    # (The wake-up function was once named like the ``wake`` flag and hid it: ``wake=False``
    # still woke workers. mypy found it.)
    if wake and to_wake:
        transaction.on_commit(send_wakeups)
    elif not to_wake:
        batch.woken = 0
    return batch
