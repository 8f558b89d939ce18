"""Celery tasks: thin wrappers that load ids and call plain functions in claims.checking.

Retries are not Celery's: a failed attempt puts the job row back in the queue with
backoff and jitter (``runner._retry_or_fail``) and the sweeper wakes it when due, so
the database stays the only record of what is pending.
"""

from celery import shared_task


# Time limits, prefetch and visibility timeout come from CELERY_* in tracker/settings.py.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_check_job(job_id: int) -> None:
    from claims.checking import runner

    runner.run_job(job_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_check_jobs() -> None:
    """Beat, every minute: recover lost jobs, wake forgotten ones, queue due re-checks."""
    from claims.checking import runner

    runner.sweep()
