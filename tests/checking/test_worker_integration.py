"""A real Celery worker against Redis and PostgreSQL runs checks; the sweeper recovers a killed worker's job.

Skipped (loudly) on SQLite: the test database is in memory there and a worker process
cannot share it.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from claims import services
from claims.checking import runner
from claims.models import CheckJob, Source, SourceCheck

from .conftest import broker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/4")
QUEUE = "celery"  # the default queue, in a Redis database kept for these tests


def _requirements():
    if connection.vendor != "postgresql":
        pytest.skip(
            "REAL-WORKER INTEGRATION TEST SKIPPED: the test database is SQLite in memory, which a worker "
            "process cannot open. Run with DATABASE_URL=postgres://... to exercise it."
        )
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"REAL-WORKER INTEGRATION TEST SKIPPED: Redis not reachable at {REDIS_URL}: {error}")


def _database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, site, tmp_path):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),  # the test database, not the development one
            "CELERY_BROKER_URL": REDIS_URL,
            "CHECKER_ALLOW_HOSTS": site.hostport,
            "CHECKER_HOST_SPACING_SECONDS": "0",
            "CHECKER_DEADLINE_SECONDS": "10",
            "CHECKER_REDIS_URL": REDIS_URL,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": "worker-in-tests",
            "DEBUG": "0",
            "CONN_MAX_AGE": "0",
        }
        self.log = open(tmp_path / f"worker-{time.monotonic_ns()}.log", "w+")  # noqa: SIM115
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tracker",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ]
        self.proc = subprocess.Popen(
            cmd,
            cwd=Path(django_settings.BASE_DIR),
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def workers(site, tmp_path):
    _requirements()
    import redis

    redis.Redis.from_url(REDIS_URL).delete(QUEUE)  # no stale wake-ups from an earlier run
    started = []

    def start():
        worker = Worker(site, tmp_path)
        started.append(worker)
        return worker

    with broker(REDIS_URL):
        try:
            yield start
        finally:
            for worker in started:
                worker.stop()


def wait_for(predicate, seconds, what, worker=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n{worker.output() if worker else ''}")


def test_adding_a_source_gets_checked_by_a_real_worker(site, workers):
    worker = workers()
    source = services.source_for_url(url=site.url("/article"))  # autocommit: on_commit wakes the worker now
    job = source.check_jobs.get()
    wait_for(lambda: Source.objects.get(pk=source.pk).check_state != "unchecked", 30, "the check", worker)
    source.refresh_from_db()
    assert source.check_state == "ok"
    assert source.title.startswith("US drone downed")
    job.refresh_from_db()
    assert job.state == CheckJob.State.DONE and job.enqueued_at is not None
    assert SourceCheck.objects.get(job=job).http_status == 200
    # A duplicate delivery of the same wake-up changes nothing.
    from claims.tasks import run_check_job

    run_check_job.apply_async(args=[job.pk])
    wait_for(
        lambda: "run_check_job" in worker.output() and worker.output().count("succeeded") >= 2,
        20,
        "the duplicate delivery",
        worker,
    )
    assert SourceCheck.objects.filter(source=source).count() == 1


def test_sweeper_recovers_the_job_of_a_killed_worker(site, workers):
    site.drip_seconds = 4  # the page answers slowly, so the worker is mid-fetch when it dies
    site.routes.pop("/slow-header", None)
    first = workers()
    source = services.source_for_url(url=site.url("/slow-header"))
    job = source.check_jobs.get()
    wait_for(lambda: CheckJob.objects.get(pk=job.pk).state == CheckJob.State.RUNNING, 30, "the claim", first)
    first.kill()
    # Time passes: the lease runs out, and so does the dead worker's hold on the host's
    # politeness slot (we move both rather than wait minutes).
    CheckJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    import redis

    redis.Redis.from_url(REDIS_URL).delete("checker:host:127.0.0.1")
    report = runner.sweep()
    assert report.recovered == 1 and report.woken == 1
    second = workers()
    wait_for(lambda: CheckJob.objects.get(pk=job.pk).state == CheckJob.State.DONE, 30, "the retry", second)
    job.refresh_from_db()
    assert job.attempts == 2
    assert SourceCheck.objects.get(job=job).outcome == "ok"
