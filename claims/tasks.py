"""Celery tasks: thin wrappers that load ids and call plain functions in claims.checking.

Retries are not Celery's: a failed attempt puts the job row back in the queue with
backoff and jitter (``runner._retry_or_fail``) and a wake-up is sent for its due time,
so the database stays the only record of what is pending.
"""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


# Time limits, prefetch and visibility timeout come from CELERY_* in tracker/settings.py.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_check_job(job_id: int) -> None:
    from claims.checking import runner

    runner.run_job(job_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_check_jobs(job_ids: list[int]) -> None:
    """A batch of jobs at once (``CHECKER_BATCH_SIZE`` per wake-up): each is claimed on its own."""
    from claims.checking import runner

    runner.run_jobs(job_ids)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_check_jobs() -> None:
    """Every minute, run by beat itself (tracker.celery.BeatScheduler): recover lost jobs,
    queue due re-checks, re-send wake-ups that did not go out."""
    from claims.checking import runner

    report = runner.sweep()
    if report.failed or report.recovered or report.scheduled or report.woken:
        log.info("sweep: %s", report)


@shared_task(ignore_result=True)
def purge_old_rows() -> None:
    """Daily (beat): delete form keys, sent emails and finished webhook deliveries once old (claims.purging)."""
    from claims import purging

    counts = purging.purge_old_rows()
    if any(counts.values()):
        log.info("purged old rows: %s", counts)


@shared_task(acks_late=True, ignore_result=True)
def send_notifications(user_ids: list[int]) -> None:
    """Woken after a write made notifications: send these users' due emails (claims.notifications)."""
    from claims import notifications

    counts = notifications.send_for_users(user_ids)
    log.info("notification emails: %s", counts)


@shared_task(acks_late=True, ignore_result=True)
def send_due_notifications() -> None:
    """Every minute (beat): digests at their hour, retries of mails that failed, missed wake-ups."""
    from claims import notifications

    counts = notifications.sweep()
    if counts:
        log.info("notification sweep: %s", counts)


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhooks() -> None:
    """Woken after a write, and every minute by beat: post the due webhook deliveries (claims.webhooks)."""
    from claims import webhooks

    counts = webhooks.deliver_due()
    if counts:
        log.info("webhook deliveries: %s", counts)


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def render_share_image(dispute_id: int) -> None:
    """Queued after a write changes a published dispute's card: draw its share image (docs/sharing.md)."""
    from claims import share_images

    share_images.render_for_dispute(dispute_id)
