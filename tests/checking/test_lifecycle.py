"""The job lifecycle under faults: every job ends in exactly one recorded outcome, and
every source always has either a live job or a next check time (issue 14)."""

import datetime

import pytest
import trafilatura
from billiard.exceptions import SoftTimeLimitExceeded
from django.urls import reverse
from django.utils import timezone

from claims.checking import extract, outcomes, runner
from claims.models import CheckJob, Source, SourceCheck
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_source(site, path="/article", **kwargs):
    return SourceFactory(url=site.url(path), title="", publisher="", **kwargs)


def die_while_running(job, now=None):
    """What a SIGKILLed worker (or the hard time limit) leaves: claimed, lease run out, nothing recorded."""
    now = now or timezone.now()
    CheckJob.objects.filter(pk=job.pk).update(
        state=CheckJob.State.RUNNING,
        attempts=job.attempts + 1,
        started_at=now - datetime.timedelta(minutes=5),
        lease_until=now - datetime.timedelta(seconds=1),
    )


def test_source_whose_last_attempt_died_is_recorded_and_checked_again_later(site, editor_client):
    source = make_source(site)
    job = source.check_jobs.get()
    CheckJob.objects.filter(pk=job.pk).update(attempts=job.max_attempts - 1)
    job.refresh_from_db()
    die_while_running(job)

    report = runner.sweep()

    assert report.failed == 1
    job.refresh_from_db()
    assert job.state == CheckJob.State.FAILED
    check = SourceCheck.objects.get(job=job)
    assert check.outcome == Source.CheckState.ERROR and "worker running this check was lost" in check.error
    source.refresh_from_db()
    assert source.check_state == "error" and source.has_problem
    assert source.next_check_at > timezone.now() + datetime.timedelta(hours=1)  # backs off, but stays scheduled
    page = editor_client.get(reverse("claims:source-detail", args=[source.pk]))
    assert "worker running this check was lost" in page.text
    # Later, the scheduler looks at it again, and this time it is read.
    later = source.next_check_at + datetime.timedelta(minutes=1)
    assert runner.sweep(now=later).scheduled == 1
    retry = source.check_jobs.get(state=CheckJob.State.QUEUED)
    assert retry.reason == CheckJob.Reason.SCHEDULED
    assert runner.run_job(retry.pk).outcome == "ok"
    source.refresh_from_db()
    assert source.check_state == "ok"


def test_source_with_neither_live_job_nor_next_check_is_scheduled_by_the_sweeper(site):
    source = make_source(site)
    CheckJob.objects.filter(source=source).delete()  # e.g. lost by an older version
    Source.objects.filter(pk=source.pk).update(next_check_at=None)
    assert runner.sweep().scheduled == 1
    assert source.check_jobs.get().state == CheckJob.State.QUEUED


def soft_limit_inside_trafilatura(monkeypatch):
    def stalls(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(trafilatura, "bare_extraction", stalls)


def test_soft_time_limit_inside_extraction_is_not_swallowed(site, monkeypatch):
    soft_limit_inside_trafilatura(monkeypatch)
    with pytest.raises(SoftTimeLimitExceeded):
        extract.extract("<html><body><p>text</p></body></html>")


def test_soft_time_limit_during_extraction_retries_then_records_a_timeout(site, monkeypatch):
    soft_limit_inside_trafilatura(monkeypatch)
    source = make_source(site)
    job = source.check_jobs.get()
    with pytest.raises(SoftTimeLimitExceeded):
        runner.run_job(job.pk)
    job.refresh_from_db()
    assert job.state == CheckJob.State.QUEUED and job.attempts == 1
    assert "time limit" in job.last_error
    assert not SourceCheck.objects.filter(source=source).exists()  # no result "as if nothing happened"

    CheckJob.objects.filter(pk=job.pk).update(max_attempts=2, run_after=timezone.now())
    with pytest.raises(SoftTimeLimitExceeded):
        runner.run_job(job.pk)
    job.refresh_from_db()
    assert job.state == CheckJob.State.FAILED
    check = SourceCheck.objects.get(job=job)
    assert check.outcome == Source.CheckState.TIMEOUT and "time limit" in check.error
    source.refresh_from_db()
    assert source.check_state == "timeout" and source.next_check_at is not None


def test_crash_on_the_last_attempt_is_recorded_and_rescheduled(site, monkeypatch):
    source = make_source(site)
    job = source.check_jobs.get()
    CheckJob.objects.filter(pk=job.pk).update(max_attempts=1)

    def crash(*args, **kwargs):
        raise RuntimeError("extractor exploded")

    monkeypatch.setattr(runner.extract, "extract", crash)
    assert runner.run_job(job.pk) is None
    check = SourceCheck.objects.get(job=job)
    assert check.outcome == "error" and "extractor exploded" in check.error
    source.refresh_from_db()
    assert source.check_state == "error" and source.next_check_at is not None


# --- The general rule ------------------------------------------------------------------


def assert_invariants():
    """Every source has a live job or a next check time; every finished job has one recorded outcome."""
    for source in Source.objects.all():
        live = source.check_jobs.filter(state__in=outcomes.LIVE_JOB_STATES).count()
        assert live <= 1
        assert live == 1 or source.next_check_at is not None, f"{source.url} fell out of the schedule"
    for job in CheckJob.objects.filter(state__in=outcomes.FINISHED_JOB_STATES):
        assert SourceCheck.objects.filter(job=job).count() == 1, f"job {job.pk} ({job.state}) has no outcome"


SCENARIOS = {
    "ok": ("/article", None),
    "gone": ("/gone-404", None),
    "always 500": ("/broken-500", None),
    "refused": ("/redirect-loop-a", None),
    "crash in the pipeline": ("/article", "crash"),
    "soft time limit in extraction": ("/article", "soft-limit"),
    "worker killed on every attempt": ("/article", "killed"),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_job_ends_in_exactly_one_recorded_outcome(site, monkeypatch, name):
    path, fault = SCENARIOS[name]
    if fault == "crash":
        monkeypatch.setattr(runner.extract, "extract", lambda *a, **k: 1 / 0)
    elif fault == "soft-limit":
        soft_limit_inside_trafilatura(monkeypatch)
    source = make_source(site, path)
    assert_invariants()
    for _ in range(10):
        job = source.check_jobs.filter(state=CheckJob.State.QUEUED).first()
        if job is None:
            break
        CheckJob.objects.filter(pk=job.pk).update(run_after=timezone.now())
        if fault == "killed":
            die_while_running(job)
            runner.sweep()
        else:
            try:
                runner.run_job(job.pk)
            except outcomes.STOP_NOW:
                pass
        assert_invariants()
    job = source.check_jobs.get()
    assert job.state in outcomes.FINISHED_JOB_STATES and job.attempts <= job.max_attempts
    assert SourceCheck.objects.filter(source=source).count() == 1
    source.refresh_from_db()
    assert source.check_state == SourceCheck.objects.get(job=job).outcome
