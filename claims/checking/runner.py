"""Running check jobs: claim, fetch, extract, compare, archive, record; and the sweeper.

The database is the queue. ``run_job`` claims a job with a conditional UPDATE and does
nothing unless that UPDATE changed exactly one row, so a duplicate delivery, a late
message or a second worker is harmless. A claimed job holds a lease; if its worker
dies, the sweeper sees the lease expire and queues it again. Results are written only
while the job still holds its own lease, in one transaction, so one job gives at most
one ``SourceCheck``.
"""

from __future__ import annotations

import datetime
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from claims import feed_items
from claims.models import Appearance, ArticleLink, CheckJob, Claim, Dispute, Source, SourceCheck

from . import archive, extract, fetch, lanes, outcomes, priority, reading, schedule  # noqa: F401 — extract: patched here by tests
from .jobs import job_request, jobs_request, wake_workers

log = logging.getLogger(__name__)

Outcome = Source.CheckState


def lease_seconds() -> int:
    return int(settings.CHECKER_LEASE_SECONDS)


@dataclass
class Verdict:
    """What one fetch amounted to, before it is written."""

    outcome: str
    error: str = ""
    retry_after: float | None = None


def classify(result: fetch.FetchResult, source_url: str) -> Verdict:
    """Turn a fetch into an outcome (before the text and quote comparison)."""
    if result.error_kind:
        return Verdict(result.error_kind, result.error)
    status = result.status or 0
    if result.not_modified:
        moved = result.redirects and result.final_url.rstrip("/") != source_url.rstrip("/")
        return Verdict(Outcome.REDIRECTED if moved else Outcome.OK)
    if status == 304:
        return Verdict(Outcome.ERROR, "HTTP 304 Not Modified to a request that was not conditional")
    if status in (404, 410):
        return Verdict(Outcome.GONE, f"HTTP {status}")
    if status in (429, 503) and result.retry_after is not None:
        return Verdict(Outcome.SERVER_ERROR, f"HTTP {status}, retry after {result.retry_after:g} s", result.retry_after)
    if status >= 500:
        return Verdict(Outcome.SERVER_ERROR, f"HTTP {status}")
    if status >= 400 or status < 200:
        return Verdict(Outcome.ERROR, f"HTTP {status}")
    if not result.is_html:
        return Verdict(Outcome.NOT_HTML, f"Content-Type {result.content_type or 'missing'}; not parsed")
    if result.redirects and result.final_url.rstrip("/") != source_url.rstrip("/"):
        return Verdict(Outcome.REDIRECTED)
    return Verdict(Outcome.OK)


def run_job(job_id: int) -> SourceCheck | None:
    """Run one check job if it can be claimed now; return the check it recorded, if any.

    Every claimed job ends in exactly one of: a recorded check (done, or failed after its
    last attempt), or back in the queue for another attempt. A time limit or termination
    records a timeout (or a retry) and is then raised again so the worker stops.
    """
    job = _claim(job_id)
    if job is None:
        log.info("check job %s not claimed (already taken, finished or not due)", job_id)
        return None
    try:
        return _run_claimed(job)
    except fetch.HostBusy as busy:
        _requeue_unspent(job, str(busy))
        return None
    except outcomes.STOP_NOW as stop:
        log.warning("check job %s stopped: %s", job_id, stop.__class__.__name__)
        _retry_or_fail(
            job,
            f"The check ran past its time limit and was stopped ({stop.__class__.__name__}).",
            outcome=Outcome.TIMEOUT,
        )
        raise
    except Exception as error:  # noqa: BLE001 — a crash becomes a retry or a failed job, never a lost one
        log.exception("check job %s crashed", job_id)
        _retry_or_fail(job, f"{error.__class__.__name__}: {error}")
        return None


def _claim(job_id: int) -> CheckJob | None:
    """Claim the job if it is queued and due, with a lease; return it (with its source, which
    knows whether it is ``disputed``), or None if this call did not claim it.

    The claim is a conditional UPDATE that returns the row it changed, and the source is read
    with the scheduler's one question about it: two statements written out, because built
    through the ORM they cost several times the database's work on every check.
    """
    priority.lower_database_priority()
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=lease_seconds())
    ops = connection.ops
    claimed = list(
        CheckJob.objects.raw(
            _CLAIM_SQL,
            [
                CheckJob.State.RUNNING,
                ops.adapt_datetimefield_value(lease),
                ops.adapt_datetimefield_value(now),
                job_id,
                CheckJob.State.QUEUED,
                ops.adapt_datetimefield_value(now),
            ],
        )
    )
    if len(claimed) != 1:
        return None
    job = claimed[0]
    disputed = Dispute.Status.DISPUTED
    params = [job.source_id, disputed, job.source_id, disputed, job.source_id, disputed, job.source_id]
    job.source = Source.objects.raw(_SOURCE_SQL, params)[0]
    return job


_CLAIM_SQL = f"""
UPDATE {CheckJob._meta.db_table}
   SET state = %s, attempts = attempts + 1, lease_until = %s, started_at = %s
 WHERE id = %s AND state = %s AND run_after <= %s
RETURNING {", ".join(str(field.column) for field in CheckJob._meta.concrete_fields)}
"""  # noqa: S608 — table and column names from the models, values as parameters

# The source, and whether it is cited (by a claim, an appearance or a later article) in a
# dispute whose status is "disputed" (the scheduler checks those more often).
_SOURCE_SQL = f"""
SELECT s.*, (
       EXISTS (SELECT 1 FROM {Claim._meta.db_table} c JOIN {Dispute._meta.db_table} d ON d.id = c.dispute_id
                WHERE c.source_id = %s AND d.status = %s)
    OR EXISTS (SELECT 1 FROM {Appearance._meta.db_table} ap
                 JOIN {Claim._meta.db_table} c ON c.id = ap.claim_id
                 JOIN {Dispute._meta.db_table} d ON d.id = c.dispute_id
                WHERE ap.source_id = %s AND d.status = %s)
    OR EXISTS (SELECT 1 FROM {ArticleLink._meta.db_table} al JOIN {Dispute._meta.db_table} d ON d.id = al.dispute_id
                WHERE al.source_id = %s AND d.status = %s)) AS disputed
  FROM {Source._meta.db_table} s
 WHERE s.id = %s
"""  # noqa: S608 — table names from the models, values as parameters


def run_jobs(job_ids: list[int]) -> None:
    """Run a batch of jobs at once, in threads that each work one host at a time, and
    return when all have ended.

    A check is mostly waiting (the site's answer, the host's politeness spacing), so one
    worker process overlaps many; the fastest any polite checker can go is every host busy
    all the time. So the batch groups the due jobs it knows by host (its own, then more
    from the queue) and each thread takes a host nobody else is working and runs its jobs
    back to back (``lanes.HostLanes``), sleeping through the spacing in the host's slot while
    the previous check's reading and recording overlap it; then another host, for up to
    ``CHECKER_BATCH_SECONDS``. Up to ``CHECKER_BATCH_THREADS`` threads per process. Each job
    is claimed, leased and recorded on its own exactly as in ``run_job`` (a job taken this
    way makes its own wake-up a no-op). A time limit stops the task (raised here, in the
    main thread); the jobs still running are then lost with the process at the hard limit
    and recovered by the sweeper from their leases.
    """

    job_ids = list(dict.fromkeys(job_ids))
    # SQLite (development) takes one writer at a time: threads would only fight over it.
    if len(job_ids) <= 1 or connection.vendor == "sqlite":
        for job_id in job_ids:
            run_job(job_id)
        return
    batch = lanes.HostLanes(until=time.monotonic() + float(settings.CHECKER_BATCH_SECONDS))
    batch.add_jobs(job_ids)
    batch.refill()
    release_pooled_connection()
    threads = max(1, min(int(settings.CHECKER_BATCH_THREADS), batch.host_count()))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="check") as pool:
        for future in [pool.submit(_run_lanes, batch) for _ in range(threads)]:
            future.result()


def _run_lanes(batch: lanes.HostLanes) -> None:

    try:
        while (host := batch.take_host()) is not None:
            try:
                while (job_id := batch.next_job(host) or batch.next_job_after_refill(host)) is not None:
                    run_job(job_id)
                    batch.renew(host)
            finally:
                batch.drop_host(host)
    finally:
        connection.close()  # this thread's own connection; the thread ends with the batch


def _run_claimed(job: CheckJob) -> SourceCheck | None:
    source = job.source
    started = timezone.now()
    previous, recent = reading.previous_checks(source)
    release_pooled_connection()
    result = fetch.fetch(
        source.url,
        respect_robots=job.reason == CheckJob.Reason.SCHEDULED,
        validators=reading.validators_of(previous),
    )
    priority.lower_database_priority()  # the pool may give this thread another connection now
    verdict = classify(result, source.url)
    if verdict.outcome in outcomes.RETRYABLE and job.attempts < job.max_attempts:
        _retry_or_fail(job, verdict.error or verdict.outcome, retry_after=verdict.retry_after)
        return None
    fields = _check_fields(job, result, verdict, started, previous)
    # Everything the check is known by is worked out before it is written, so the check is
    # one INSERT with its final outcome and its feed items are made once: the quote results
    # (their claims and the copied results in one read), then the outcome they lead to.
    reused_from = fields.pop("_reused_from", None)
    quote_rows = reading.quote_results(fields.get("text", ""), source, reused_from)
    fields["outcome"] = _final_outcome(fields["outcome"], quote_rows, fields.get("changed", False))
    with transaction.atomic():
        # Only the holder of this lease may write; a job re-queued after a lost lease and
        # run elsewhere has moved on, and this late result is dropped.
        final_state = CheckJob.State.FAILED if verdict.outcome in outcomes.RETRYABLE else CheckJob.State.DONE
        owned = CheckJob.objects.filter(pk=job.pk, state=CheckJob.State.RUNNING, lease_until=job.lease_until).update(
            state=final_state, finished_at=timezone.now(), lease_until=None, last_error=verdict.error
        )
        if owned != 1:
            log.warning("check job %s lost its lease; result dropped", job.pk)
            return None
        check = SourceCheck.objects.create(**fields)
        check._quote_rows = reading.save_quote_results(check, quote_rows)
        feed_items.create_for_source_check(check, new=True, previous_outcome=recent[0][0] if recent else None)
        _update_source(
            source,
            check,
            verdict,
            disputed=_known_disputed(source),
            stable_runs=_stable_runs(check, recent),
        )
    log.info("checked %s: %s", source.url, check.outcome)
    return check


def release_pooled_connection() -> None:
    """Give a pooled database connection back before waiting on a site.

    A worker's threads spend most of a check waiting (the host's slot, the site); with
    ``DATABASE_POOL_SIZE`` they share a few connections instead of holding one each
    through that wait. The next query takes one from the pool again. Not inside a
    transaction (the tests' ``check_now``), and a no-op without a pool.
    """

    if connection.in_atomic_block or getattr(connection, "pool", None) is None:
        return
    connection.close()


def _check_fields(
    job: CheckJob, result: fetch.FetchResult, verdict: Verdict, started, previous: SourceCheck | None
) -> dict:
    source = job.source
    fields = {
        "source": source,
        "job": job,
        "started_at": started,
        "finished_at": timezone.now(),
        "duration_ms": result.timings.get("total_ms"),
        "outcome": verdict.outcome,
        "http_status": result.status,
        "redirect_chain": result.redirects,
        "final_url": result.final_url[:2000],
        "content_type": result.content_type[:200],
        "size_bytes": len(result.body) if result.status else None,
        "timings": result.timings,
        "error": verdict.error,
    }
    if result.status and not result.error_kind and not result.not_modified:
        fields["archive_name"], fields["raw_sha256"] = archive.archive_fetch(result)
    if verdict.outcome in (Outcome.OK, Outcome.REDIRECTED):
        read, fields["_reused_from"] = reading.read_page(
            source, result, fields.get("raw_sha256", ""), fields["timings"], previous=previous
        )
        fields.update(read)
    return fields


def _final_outcome(outcome: str, quote_rows: list, changed: bool) -> str:
    """Most telling first: a lost quote, then an edit, then a redirect."""
    if outcome not in (Outcome.OK, Outcome.REDIRECTED):
        return outcome
    if any(not row.present for row in quote_rows):
        return Outcome.QUOTE_MISSING
    if changed:
        return Outcome.CHANGED
    return outcome


def _known_disputed(source: Source) -> bool | None:
    """Whether the source is cited in a disputed dispute, as read with it when its job was
    claimed (None if it was read otherwise)."""
    disputed = getattr(source, "disputed", None)
    return None if disputed is None else bool(disputed)


def _stable_runs(check: SourceCheck, recent: list[tuple[str, str]]) -> int:
    """How many checks in a row before this one found the same outcome and text
    (``recent``: the latest checks' outcome and text hash, newest first)."""
    runs = 0
    for outcome, text_hash in recent:
        if outcome != check.outcome or text_hash != check.text_sha256:
            break
        runs += 1
    return runs


def _recent_outcomes(source: Source) -> list[tuple[str, str]]:
    return list(
        source.checks.order_by("-started_at").values_list("outcome", "text_sha256")[: reading.RECENT_CHECKS + 1]
    )


def _disputed(source):
    """Disputes in the "disputed" state that cite ``source`` (a source or an ``OuterRef``)."""
    return Dispute.objects.filter(
        Q(claims__source=source) | Q(claims__appearances__source=source) | Q(article_links__source=source),
        status=Dispute.Status.DISPUTED,
    )


def _update_source(
    source: Source,
    check: SourceCheck,
    verdict: Verdict,
    *,
    disputed: bool | None = None,
    stable_runs: int | None = None,
) -> None:
    """Schedule the source's next check and fill in what the check found; ``disputed`` and
    ``stable_runs`` are read here unless the caller already has them."""
    now = timezone.now()
    if disputed is None:
        disputed = _disputed(source).exists()
    if stable_runs is None:
        # The latest checks include this one: the run before it starts at the second.
        stable_runs = _stable_runs(check, _recent_outcomes(source)[1:])
    delay = schedule.next_check_delay(
        source_age=now - source.created_at,
        stable_runs=stable_runs,
        outcome=check.outcome,
        disputed=disputed,
        retry_after=verdict.retry_after,
    )
    updates = {"check_state": check.outcome, "last_checked_at": now, "next_check_at": now + delay}
    # Fill in what the editor left blank; never overwrite what they typed.
    for name in ("title", "author", "publisher", "published_on"):
        if getattr(check, name) and not getattr(source, name):
            updates[name] = getattr(check, name)
    Source.objects.filter(pk=source.pk).update(**updates)


def _retry_or_fail(
    job: CheckJob, error: str, *, outcome: str = Outcome.ERROR, retry_after: float | None = None
) -> None:
    """Put a running job back in the queue with backoff and jitter, or record its failure.

    The retry's wake-up is sent for its due time; the sweeper is the safety net.
    """
    if job.attempts >= job.max_attempts:
        record_failure(job, outcome, error)
        return
    now = timezone.now()
    delay = schedule.retry_delay(job.attempts, base=settings.CHECKER_RETRY_BASE_SECONDS)
    if retry_after:
        delay = max(delay, datetime.timedelta(seconds=retry_after))
    running = CheckJob.objects.filter(pk=job.pk, state=CheckJob.State.RUNNING, lease_until=job.lease_until)
    requeued = running.update(
        state=CheckJob.State.QUEUED, run_after=now + delay, lease_until=None, enqueued_at=None, last_error=error[:2000]
    )
    log.info("check job %s will retry in %s: %s", job.pk, delay, error)
    if requeued and delay.total_seconds() <= settings.CHECKER_RETRY_WAKE_MAX_SECONDS:
        # A long countdown would sit in the worker's memory; those are left to the sweeper.
        countdown = delay.total_seconds() + 1
        transaction.on_commit(lambda: wake_workers([job.pk], countdown=countdown))


def _requeue_unspent(job: CheckJob, why: str) -> None:
    """Give the job back without spending an attempt: the site was never contacted."""
    delay = datetime.timedelta(seconds=random.uniform(1, 5))
    running = CheckJob.objects.filter(pk=job.pk, state=CheckJob.State.RUNNING, lease_until=job.lease_until)
    if running.update(
        state=CheckJob.State.QUEUED,
        attempts=F("attempts") - 1,
        run_after=timezone.now() + delay,
        lease_until=None,
        enqueued_at=None,
    ):
        log.info("check job %s waits for its host: %s", job.pk, why)
        countdown = delay.total_seconds() + 1
        transaction.on_commit(lambda: wake_workers([job.pk], countdown=countdown))


def record_failure(job: CheckJob, outcome: str, error: str) -> SourceCheck | None:
    """End a running job as failed, with a recorded check and the source's next check scheduled.

    Only the holder of the job's lease (or the sweeper, for an expired lease) gets here;
    the conditional update makes sure one job gets one outcome even if two try at once.
    """
    now = timezone.now()
    with transaction.atomic():
        owned = CheckJob.objects.filter(pk=job.pk, state=CheckJob.State.RUNNING, lease_until=job.lease_until).update(
            state=CheckJob.State.FAILED, finished_at=now, lease_until=None, last_error=error[:2000]
        )
        if owned != 1:
            return None
        check = SourceCheck.objects.create(
            source=job.source,
            job=job,
            started_at=job.started_at or now,
            finished_at=now,
            outcome=outcome,
            error=error[:2000],
        )
        feed_items.create_for_source_check(check)
        _update_source(job.source, check, Verdict(outcome, error))
    log.warning("check job %s failed for good after %s attempts: %s", job.pk, job.attempts, error)
    return check


# --- Sweeper -------------------------------------------------------------------------


@dataclass
class SweepReport:
    recovered: int = 0
    failed: int = 0
    woken: int = 0
    scheduled: int = 0


LOST_LAST_ATTEMPT = (
    "The worker running this check was lost (killed, out of memory or past its hard time limit) on its last attempt."
)


def sweep(now: datetime.datetime | None = None) -> SweepReport:
    """Recover jobs whose worker died, queue due (and unscheduled) sources, re-send lost wake-ups.

    Safe to run in several processes at once: every step is a conditional update or
    joins the source's one live job. A job's wake-up is re-sent at most once per
    ``CHECKER_STALE_QUEUED_SECONDS``.
    """
    now = now or timezone.now()
    report = SweepReport()
    interval = datetime.timedelta(seconds=settings.CHECKER_STALE_QUEUED_SECONDS)
    expired = CheckJob.objects.filter(state=CheckJob.State.RUNNING, lease_until__lt=now)
    for job in expired.filter(attempts__gte=F("max_attempts")).select_related("source")[:200]:
        if record_failure(job, Outcome.ERROR, LOST_LAST_ATTEMPT):
            report.failed += 1
    report.recovered = expired.filter(attempts__lt=F("max_attempts")).update(
        state=CheckJob.State.QUEUED,
        lease_until=None,
        run_after=now,
        enqueued_at=None,
        last_error="The worker was lost (lease expired); queued again.",
    )
    # Due sources, and any source that has neither a live job nor a next check time
    # (it would otherwise never be looked at again).
    due = (
        Source.objects.filter(Q(next_check_at__lte=now) | Q(next_check_at__isnull=True))
        .exclude(check_jobs__state__in=outcomes.LIVE_JOB_STATES)
        .order_by(F("next_check_at").asc(nulls_first=True))
    )
    due_ids = list(due.values_list("pk", flat=True)[:500])
    if due_ids:
        batch = jobs_request(source_ids=due_ids, reason=CheckJob.Reason.SCHEDULED, wake=False)
        # A placeholder until the job records its result (which sets the real next time).
        Source.objects.filter(pk__in=due_ids).update(next_check_at=now + datetime.timedelta(hours=1))
        report.scheduled = batch.created
    stale = now - interval
    waiting = (
        CheckJob.objects.filter(state=CheckJob.State.QUEUED, run_after__lte=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale, run_after__lt=stale))
        .order_by("run_after")
    )
    job_ids = list(waiting.values_list("pk", flat=True)[:1000])
    report.woken = wake_workers(job_ids, budget=settings.CHECKER_SWEEP_WAKE_BUDGET_SECONDS, sweeping=True)
    return report


def check_now(source: Source, reason: str = CheckJob.Reason.MANUAL) -> SourceCheck | None:
    """Check ``source`` in this process, now (the ``--sync`` path of the command)."""
    job = job_request(source=source, reason=reason, wake=False)
    CheckJob.objects.filter(pk=job.pk, state=CheckJob.State.QUEUED).update(run_after=timezone.now())
    return run_job(job.pk)
