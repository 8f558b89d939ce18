"""Celery tasks: thin wrappers that load ids and call plain functions in claims.checking."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_check_job(job_id: int) -> None:
    from claims.checking import runner

    runner.run_job(job_id)
