"""Check jobs: rows in the database are the queue; broker messages only wake workers."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.models import CheckJob, Source

log = logging.getLogger(__name__)


def wake_worker(job_id: int) -> None:
    """Send the broker a wake-up for a job; if the broker is down, the sweeper sends it later."""
    from claims.tasks import run_check_job

    try:
        run_check_job.apply_async(args=[job_id], retry=False)
    except Exception as error:  # noqa: BLE001 — any broker failure is survivable here
        log.warning("broker unavailable, job %s left for the sweeper: %s", job_id, error)
        return
    CheckJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())


def job_request(*, source: Source, reason: str = CheckJob.Reason.MANUAL, wake: bool = True) -> CheckJob:
    """Queue a check of ``source``, joining the live job if there is one.

    The wake-up goes out after the surrounding transaction commits, so a worker
    never looks for a row that is not there yet. ``wake=False`` is for callers that
    run the job in-process (``check_sources --sync``).
    """
    live = CheckJob.objects.filter(source=source, state__in=[CheckJob.State.QUEUED, CheckJob.State.RUNNING]).first()
    if live:
        return live
    try:
        with transaction.atomic():
            job = CheckJob.objects.create(source=source, reason=reason)
    except IntegrityError:
        # Another request created the live job between our read and our insert.
        return CheckJob.objects.get(source=source, state__in=[CheckJob.State.QUEUED, CheckJob.State.RUNNING])
    if wake:
        transaction.on_commit(lambda: wake_worker(job.pk))
    return job
