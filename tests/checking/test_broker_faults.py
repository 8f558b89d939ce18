"""The checker under a sick broker (issue 16): no hung requests, no silently dropped
re-checks, a sweeper that never waits behind the backlog, politeness that survives
dead workers and a dead Redis."""

import contextlib
import datetime
import multiprocessing
import os
import signal
import socket
import threading
import time

import pytest
from celery.beat import ScheduleEntry
from django.urls import reverse
from django.utils import timezone

from claims.checking import fetch, jobs, runner
from claims.models import CheckJob, SourceCheck
from tests.factories import SourceFactory

from .conftest import broker

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/4")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    jobs.broker_reset()
    yield
    jobs.broker_reset()


class Hung(BaseException):  # not swallowable by a broad "except Exception"
    pass


@contextlib.contextmanager
def hang_guard(seconds):
    """Fail (instead of hanging the suite) if the block is still running after ``seconds``."""

    def fire(*_):
        raise Hung(f"still waiting after {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture
def frozen_broker():
    """A TCP server that accepts connections and never answers: Redis under SIGSTOP."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []

    def accept():
        with contextlib.suppress(OSError):
            while True:
                accepted.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()
    for conn in accepted:
        conn.close()


def test_adding_a_source_with_a_frozen_broker_answers_at_once(staff_client, frozen_broker, settings):
    settings.CHECKER_WAKE_BUDGET_SECONDS = 1
    url = "https://news.example.org/frozen"
    with broker(frozen_broker), hang_guard(10):
        started = time.monotonic()
        response = staff_client.post(reverse("admin:claims_source_add"), {"url": url, "kind": "article"})
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 5  # the wake-up's budget, not gunicorn's 30 s worker timeout
    job = CheckJob.objects.get(source__url=url)
    assert job.state == CheckJob.State.QUEUED and job.enqueued_at is None  # the sweeper sends it later


def test_after_one_failed_wake_up_the_process_leaves_the_broker_alone(frozen_broker, settings):
    settings.CHECKER_WAKE_BUDGET_SECONDS = 1
    ids = [SourceFactory().check_jobs.get().pk for _ in range(3)]
    with broker(frozen_broker), hang_guard(10):
        assert jobs.wake_workers(ids[:1]) == 0
        started = time.monotonic()
        assert jobs.wake_workers(ids[1:]) == 0
        assert time.monotonic() - started < 0.5  # no second wait for the same dead broker


@pytest.mark.django_db(transaction=True)  # real commits: the wake-ups go out before the reply
@pytest.mark.parametrize("state", ["down", "frozen"])
def test_admin_recheck_of_many_sources_with_the_broker_down_queues_all_and_says_so(
    staff_client, frozen_broker, settings, state
):
    settings.CHECKER_WAKE_BUDGET_SECONDS = 1
    sources = [SourceFactory() for _ in range(30)]
    CheckJob.objects.update(state=CheckJob.State.DONE)
    url = "redis://127.0.0.1:1/0" if state == "down" else frozen_broker
    with broker(url), hang_guard(15):
        response = staff_client.post(
            reverse("admin:claims_source_changelist"),
            {"action": "recheck_sources", "_selected_action": [s.pk for s in sources]},
            follow=True,
        )
    assert CheckJob.objects.filter(state=CheckJob.State.QUEUED).count() == 30
    message = [str(m) for m in response.context["messages"]][0]
    assert "Queued checks for 30 source(s)." in message
    assert "not answering, so 30 check(s) will be started by the sweeper" in message


def test_admin_recheck_joins_checks_already_queued(staff_client):
    sources = [SourceFactory() for _ in range(3)]
    CheckJob.objects.filter(source=sources[0]).update(state=CheckJob.State.DONE)
    response = staff_client.post(
        reverse("admin:claims_source_changelist"),
        {"action": "recheck_sources", "_selected_action": [s.pk for s in sources]},
        follow=True,
    )
    message = [str(m) for m in response.context["messages"]][0]
    assert message.startswith("Queued checks for 3 source(s) (2 were already queued).")
    assert CheckJob.objects.filter(state=CheckJob.State.QUEUED).count() == 3


@pytest.mark.django_db(transaction=True)  # beat refreshes its connection, as after a database restart
def test_beat_runs_the_sweep_itself_not_behind_the_queue(tmp_path):
    """However long the broker's queue, beat's sweep recovers a dead worker's job at once."""
    from tracker.celery import BeatScheduler, app

    job = SourceFactory().check_jobs.get()
    CheckJob.objects.filter(pk=job.pk).update(
        state=CheckJob.State.RUNNING, attempts=1, lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    scheduler = BeatScheduler(app=app, lazy=True, schedule_filename=str(tmp_path / "beat"))
    entry = ScheduleEntry(name="sweep", task="claims.tasks.sweep_check_jobs", schedule=60, app=app)
    with broker("redis://127.0.0.1:1/0"):  # nothing could be sent anyway
        assert scheduler.apply_async(entry, advance=False) is None
    job.refresh_from_db()
    assert job.state == CheckJob.State.QUEUED and "worker was lost" in job.last_error


def test_sweep_resends_each_wake_up_at_most_once_per_interval(settings):
    settings.CHECKER_STALE_QUEUED_SECONDS = 120
    ids = {SourceFactory().check_jobs.get().pk for _ in range(5)}  # wake-ups lost (broker was down)
    now = timezone.now()
    assert runner.sweep(now=now).woken == 5
    assert runner.sweep(now=now + datetime.timedelta(seconds=60)).woken == 0
    later = runner.sweep(now=timezone.now() + datetime.timedelta(seconds=121))
    assert later.woken == 5
    assert set(CheckJob.objects.filter(enqueued_at__isnull=False).values_list("pk", flat=True)) == ids


def test_retry_wake_up_is_sent_for_its_due_time(site, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(jobs, "_publish", lambda ids, countdown, out, budget: (sent.append(countdown), out.extend(ids)))
    job = SourceFactory(url=site.url("/broken-500")).check_jobs.get()
    with django_capture_on_commit_callbacks(execute=True):
        runner.run_job(job.pk)
    job.refresh_from_db()
    due_in = (job.run_after - timezone.now()).total_seconds()
    assert job.state == CheckJob.State.QUEUED and sent
    assert due_in <= sent[-1] <= due_in + 2  # arrives just after the retry is due, not at the next sweep
    assert runner.sweep().woken == 0  # the sweeper does not send it again


# --- Politeness slots ------------------------------------------------------------------


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    return client


def test_slot_held_by_a_dead_worker_hands_the_job_back_without_spending_an_attempt(site, settings):
    client = redis_or_skip()
    settings.CHECKER_REDIS_URL = REDIS_URL
    settings.CHECKER_SLOT_WAIT_SECONDS = 0
    client.set("checker:host:127.0.0.1", "a-dead-worker", px=60_000)
    try:
        job = SourceFactory(url=site.url("/article")).check_jobs.get()
        assert runner.run_job(job.pk) is None
        job.refresh_from_db()
        assert job.state == CheckJob.State.QUEUED and job.attempts == 0
        assert not SourceCheck.objects.filter(job=job).exists() and site.paths() == []
    finally:
        client.delete("checker:host:127.0.0.1")


def _hold_slot_forever(use_redis, ready):
    from django.conf import settings as live

    live.CHECKER_REDIS_URL = REDIS_URL if use_redis else ""
    with fetch.host_slot("held.example", fetch.Deadline(30)):
        ready.set()
        time.sleep(60)


@pytest.mark.parametrize("use_redis", [True, False], ids=["redis", "lock-file"])
def test_a_killed_worker_releases_its_slot_within_seconds(site, settings, use_redis):
    if use_redis:
        redis_or_skip().delete("checker:host:held.example")
    settings.CHECKER_REDIS_URL = REDIS_URL if use_redis else ""
    settings.CHECKER_SLOT_LEASE_SECONDS = 1
    settings.CHECKER_SLOT_WAIT_SECONDS = 0
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_slot_forever, args=(use_redis, ready))
    holder.start()
    try:
        assert ready.wait(10)
        time.sleep(1.5)  # past the lease: a live holder keeps renewing it
        with pytest.raises(fetch.HostBusy):
            with fetch.host_slot("held.example", fetch.Deadline(5)):
                pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.join()
    settings.CHECKER_SLOT_WAIT_SECONDS = 3  # a dead holder's slot lapses within the 1 s lease
    with fetch.host_slot("held.example", fetch.Deadline(5)):
        pass


def _fetch_in_child(url):
    os._exit(0 if fetch.fetch(url).ok else 1)


def test_with_redis_down_processes_still_take_turns_per_host(site, settings):
    settings.CHECKER_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.CHECKER_HOST_SPACING_SECONDS = 0
    site.drip_seconds = 0.3
    ctx = multiprocessing.get_context("fork")
    children = [ctx.Process(target=_fetch_in_child, args=(site.url("/slow-header"),)) for _ in range(3)]
    for child in children:
        child.start()
    for child in children:
        child.join(30)
    assert [child.exitcode for child in children] == [0, 0, 0]
    assert site.max_active["/slow-header"] == 1
