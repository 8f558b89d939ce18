"""Check jobs end to end in-process: claim, fetch the fixture site, record, retry, sweep."""

import datetime
import time

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from warcio.archiveiterator import ArchiveIterator

from claims.checking import runner
from claims.models import CheckJob, QuoteCheck, Source, SourceCheck
from tests.factories import ClaimFactory, SourceFactory

from .site import EDITED_PARAGRAPHS, article_html

pytestmark = pytest.mark.django_db

MILLEY = "We have absolute evidence of the contact"
MINISTRY = (
    "The Russian fighters did not use their onboard weapons, did not come into contact with the unmanned "
    "aerial vehicle and returned safely to their home airfield"
)
LAVROV = "the flights near the Crimean coast were not a coincidence but a deliberate act"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_source(site, path="/article", **kwargs):
    return SourceFactory(url=site.url(path), title="", publisher="", **kwargs)


def run_pending(source):
    job = source.check_jobs.get(state=CheckJob.State.QUEUED)
    return runner.run_job(job.pk)


def test_new_source_is_checked_with_metadata_text_and_archive(site):
    source = make_source(site)
    check = run_pending(source)
    assert check.outcome == Source.CheckState.OK
    assert check.http_status == 200
    assert check.title == "US drone downed over Black Sea after encounter with Russian jets"
    assert check.publisher == "Example Wire"
    assert check.author == "Jane Reporter"
    assert check.published_on == datetime.date(2023, 3, 15)
    assert MILLEY in check.text
    assert "Subscribe today" not in check.text
    assert len(check.text_sha256) == 64 and len(check.raw_sha256) == 64
    source.refresh_from_db()
    assert source.check_state == "ok"
    assert source.title == check.title  # filled in because the editor left it blank
    assert source.next_check_at > timezone.now()
    assert source.check_jobs.get().state == CheckJob.State.DONE


def test_archive_is_a_warc_with_request_and_response(site):
    check = run_pending(make_source(site))
    with default_storage.open(check.archive_name) as fh:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(fh)
        ]
    assert [r[0] for r in records] == ["response", "request"]
    _, uri, http_headers, payload = records[0]
    assert uri == site.url("/article")
    assert http_headers.get_statuscode() == "200"
    assert MILLEY.encode() in payload
    assert records[1][2].protocol == "GET"


def test_unchanged_body_reuses_one_archive_file(site):
    source = make_source(site)
    first = run_pending(source)
    runner.check_now(source)
    second = source.checks.order_by("-started_at").first()
    assert first.archive_name == second.archive_name
    _, files = default_storage.listdir(first.archive_name.rsplit("/", 1)[0])
    assert len(files) == 1


def test_quotes_present_are_recorded_with_score_and_context(site):
    source = make_source(site)
    claim = ClaimFactory(source=source, quote=f"“{MILLEY},”")
    check = run_pending(source)
    quote = QuoteCheck.objects.get(check_run=check, claim=claim)
    assert quote.present and quote.score == 100
    assert quote.matched_text == f"{MILLEY},"
    assert quote.prefix.endswith("international waters. “")
    assert quote.suffix.startswith("” said Gen. Mark Milley")


def test_edit_of_main_text_is_changed(site):
    source = make_source(site)
    ClaimFactory(source=source, quote=MINISTRY)
    first = run_pending(source)
    site.routes["/article"] = site.routes["/article-edited"]
    second = runner.check_now(source)
    assert not first.changed
    assert second.changed
    assert second.outcome == Source.CheckState.CHANGED
    assert second.text_sha256 != first.text_sha256


def test_vanished_quote_is_quote_missing(site):
    source = make_source(site)
    claim = ClaimFactory(source=source, quote=LAVROV)
    run_pending(source)
    site.routes["/article"] = site.routes["/article-edited"]
    check = runner.check_now(source)
    assert check.outcome == Source.CheckState.QUOTE_MISSING
    quote = check.quote_checks.get(claim=claim)
    assert not quote.present and quote.score < 90
    source.refresh_from_db()
    assert source.check_state == "quote_missing" and source.has_problem


def test_edited_word_in_long_quote_is_tolerated_and_scored(site):
    site.routes["/article"] = (200, {"Content-Type": "text/html"}, article_html(EDITED_PARAGRAPHS).encode())
    source = make_source(site)
    long_quote = (
        f"{MILLEY},” said Gen. Mark Milley, chairman of the Joint Chiefs of Staff, at a briefing at the Pentagon"
    )
    claim = ClaimFactory(source=source, quote=long_quote)
    check = run_pending(source)
    quote = check.quote_checks.get(claim=claim)
    assert quote.present and 90 <= quote.score < 100
    assert "clear evidence" in quote.matched_text


def test_advert_and_timestamp_change_is_not_changed(site):
    source = make_source(site)
    first = run_pending(source)
    site.routes["/article"] = site.routes["/article-advert"]
    second = runner.check_now(source)
    assert second.raw_sha256 != first.raw_sha256
    assert second.text_sha256 == first.text_sha256
    assert not second.changed and second.outcome == "ok"


def test_redirected_source_records_chain(site):
    source = make_source(site, "/chain/2")
    check = run_pending(source)
    assert check.outcome == "redirected"
    assert check.final_url == site.url("/article")
    assert [hop["status"] for hop in check.redirect_chain] == [302, 301]


@pytest.mark.parametrize("path", ["/gone-404", "/gone-410"])
def test_dead_page_is_gone(site, path):
    check = run_pending(make_source(site, path))
    assert check.outcome == "gone"
    assert check.error == f"HTTP {path[-3:]}"


def test_pdf_is_not_html_but_archived(site):
    check = run_pending(make_source(site, "/doc.pdf"))
    assert check.outcome == "not_html"
    assert check.text == ""
    assert default_storage.exists(check.archive_name)


def test_unsafe_url_is_recorded_as_refused_not_retried(site):
    source = SourceFactory(url="http://169.254.169.254/latest/meta-data/")
    check = run_pending(source)
    assert check.outcome == "unsafe"
    assert "non-public address" in check.error
    assert source.check_jobs.get().state == CheckJob.State.DONE


def test_server_error_is_retried_with_backoff_then_failed(site):
    source = make_source(site, "/broken-500")
    job = source.check_jobs.get()
    assert runner.run_job(job.pk) is None
    job.refresh_from_db()
    assert job.state == CheckJob.State.QUEUED and job.attempts == 1
    assert job.run_after > timezone.now() + datetime.timedelta(seconds=10)
    assert job.last_error == "HTTP 500"
    assert runner.run_job(job.pk) is None  # not due yet: nothing happens
    for _ in range(2):
        CheckJob.objects.filter(pk=job.pk).update(run_after=timezone.now())
        runner.run_job(job.pk)
    job.refresh_from_db()
    assert job.state == CheckJob.State.FAILED and job.attempts == 3
    check = SourceCheck.objects.get(job=job)
    assert check.outcome == "server_error"


def test_rate_limited_job_waits_for_retry_after(site):
    source = make_source(site, "/rate-limited")
    job = source.check_jobs.get()
    before = timezone.now()
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert job.state == CheckJob.State.QUEUED
    assert job.run_after >= before + datetime.timedelta(seconds=120)
    assert "retry after 120" in job.last_error
    assert not SourceCheck.objects.filter(source=source).exists()


def test_duplicate_delivery_records_one_result(site):
    source = make_source(site)
    job = source.check_jobs.get()
    assert runner.run_job(job.pk) is not None
    assert runner.run_job(job.pk) is None
    assert SourceCheck.objects.filter(source=source).count() == 1
    assert site.paths().count("/article") == 1


def test_scheduled_check_honours_robots_txt(site):
    source = make_source(site, "/private/page")
    CheckJob.objects.filter(source=source).update(reason=CheckJob.Reason.SCHEDULED)
    check = run_pending(source)
    assert check.outcome == "robots"
    assert "/private/page" not in site.paths()


def test_sweeper_recovers_job_whose_worker_died(site):
    source = make_source(site)
    job = source.check_jobs.get()
    # A worker claimed it and died: running, lease long expired, nothing recorded.
    CheckJob.objects.filter(pk=job.pk).update(
        state=CheckJob.State.RUNNING, attempts=1, lease_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert runner.run_job(job.pk) is None  # a running job is not claimed twice
    report = runner.sweep()
    assert report.recovered == 1 and report.woken == 1
    job.refresh_from_db()
    assert job.state == CheckJob.State.QUEUED and job.enqueued_at is not None
    check = runner.run_job(job.pk)
    assert check.outcome == "ok"
    job.refresh_from_db()
    assert job.state == CheckJob.State.DONE and job.attempts == 2


def test_sweeper_fails_job_that_lost_its_last_attempt(site):
    source = make_source(site)
    job = source.check_jobs.get()
    CheckJob.objects.filter(pk=job.pk).update(
        state=CheckJob.State.RUNNING, attempts=3, lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    report = runner.sweep()
    job.refresh_from_db()
    assert report.failed == 1 and job.state == CheckJob.State.FAILED
    assert "worker running this check was lost" in job.last_error


def test_late_result_after_lost_lease_is_dropped(site):
    source = make_source(site)
    job = source.check_jobs.get()
    # Claimed by a slow worker whose lease then ran out.
    CheckJob.objects.filter(pk=job.pk).update(
        state=CheckJob.State.RUNNING, attempts=1, lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    slow = CheckJob.objects.select_related("source").get(pk=job.pk)
    runner.sweep()
    assert runner.run_job(job.pk) is not None  # the retry records the result
    assert runner._run_claimed(slow) is None  # the slow worker's late result is dropped
    assert SourceCheck.objects.filter(source=source).count() == 1


def test_sweeper_queues_due_sources_and_wakes_forgotten_jobs(site, django_capture_on_commit_callbacks):
    due = make_source(site)
    runner.run_job(due.check_jobs.get().pk)
    Source.objects.filter(pk=due.pk).update(next_check_at=timezone.now() - datetime.timedelta(minutes=1))
    forgotten = make_source(site, "/article-advert")  # its wake-up never went out (broker was down)
    with django_capture_on_commit_callbacks(execute=True):
        report = runner.sweep()
    assert report.scheduled == 1
    job = due.check_jobs.get(state=CheckJob.State.QUEUED)
    assert job.reason == CheckJob.Reason.SCHEDULED
    assert forgotten.check_jobs.get().enqueued_at is not None
    due.refresh_from_db()
    assert due.next_check_at > timezone.now()
    assert runner.sweep().scheduled == 0  # not queued twice


def test_fetch_deadline_holds_the_worker_only_briefly(site, settings):
    settings.CHECKER_DEADLINE_SECONDS = 1
    source = make_source(site, "/drip")
    job = source.check_jobs.get()
    CheckJob.objects.filter(pk=job.pk).update(max_attempts=1)
    started = time.monotonic()
    check = runner.run_job(job.pk)
    assert time.monotonic() - started < 3
    assert check.outcome == "timeout"


@pytest.mark.django_db(transaction=True)
def test_a_batch_runs_every_job_once_with_its_own_outcome(site):
    """One wake-up carries a batch; its jobs run in threads, each claimed and recorded on its own."""
    from claims.checking.jobs import jobs_request

    paths = {"/article": "ok", "/gone-404": "gone", "/doc.pdf": "not_html", "/chain/2": "redirected"}
    sources = {SourceFactory(url=site.url(path)).pk: outcome for path, outcome in paths.items()}
    jobs = jobs_request(source_ids=list(sources), wake=False).jobs
    CheckJob.objects.update(run_after=timezone.now())
    ids = [job.pk for job in jobs]
    runner.run_jobs(ids + ids[:2])  # a job named twice runs once
    runner.run_jobs(ids)  # a second delivery of the whole batch changes nothing
    for source_id, outcome in sources.items():
        assert list(SourceCheck.objects.filter(source_id=source_id).values_list("outcome", flat=True)) == [outcome]
    assert set(CheckJob.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"done"}


@pytest.mark.django_db(transaction=True)
def test_a_batch_thread_whose_job_is_done_takes_further_due_jobs_from_the_queue(site):
    from django.db import connection

    from claims.checking.jobs import jobs_request

    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs a batch one job at a time (one writer), taking nothing further")

    sources = [SourceFactory(url=site.url(f"/article?n={n}")) for n in range(5)]
    jobs = jobs_request(source_ids=[s.pk for s in sources], wake=False).jobs
    CheckJob.objects.update(run_after=timezone.now())
    runner.run_jobs([jobs[0].pk, jobs[1].pk])  # woken for two; the other three were due too
    assert set(CheckJob.objects.values_list("state", flat=True)) == {"done"}
    assert SourceCheck.objects.count() == 5


@pytest.fixture
def lane_redis(settings):
    import os

    import redis

    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/4")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"Redis not reachable at {url}")
    settings.CHECKER_REDIS_URL = url
    client = redis.Redis.from_url(url)
    yield client
    for key in client.scan_iter("checker:lane:*"):
        client.delete(key)


def test_a_batch_gives_its_threads_hosts_no_other_worker_is_on(lane_redis):
    """Two worker processes cover different hosts: a host another worker's thread is working
    is skipped, unless the batch's own wake-up named one of its jobs."""
    from claims.checking.lanes import LANE_KEY, HostLanes

    taken = SourceFactory(url="https://taken.example/story")
    free = SourceFactory(url="https://free.example/story")
    later = SourceFactory(url="https://later.example/story")
    now = timezone.now()
    for source, minutes in ((taken, -5), (free, -1), (later, 5)):  # each got its job when it was added
        CheckJob.objects.filter(source=source).update(run_after=now + datetime.timedelta(minutes=minutes))
    lane_redis.set(LANE_KEY + "taken.example", "another worker", px=60_000)

    batch = HostLanes(until=time.monotonic() + 60)
    batch.refill()
    assert batch.take_host() == "free.example"  # the only due host nobody works
    assert batch.next_job("free.example") == CheckJob.objects.get(source=free).pk
    assert lane_redis.get(LANE_KEY + "free.example") == batch.token.encode()  # the other worker now skips it
    assert batch.take_host() is None  # taken.example is another worker's; later.example is not due

    also_taken = SourceFactory(url="https://taken.example/other-story")
    own = HostLanes(until=time.monotonic() + 60)
    own.add_jobs([CheckJob.objects.get(source=taken).pk])
    own.refill()
    assert own.take_host() == "taken.example"  # its own job: woken for it, nobody else was
    assert own.next_job("taken.example") == CheckJob.objects.get(source=taken).pk
    assert own.next_job("taken.example") is None  # the other due job there is the other worker's
    assert CheckJob.objects.filter(source=also_taken, state="queued").exists()
    own.drop_host("taken.example")
    assert lane_redis.get(LANE_KEY + "taken.example") == b"another worker"  # its hint is left alone
    batch.drop_host("free.example")
    assert lane_redis.get(LANE_KEY + "free.example") is None


def test_a_lane_hint_outlives_a_slow_check_and_is_only_ever_renewed_or_dropped_by_its_holder(lane_redis, settings):
    """A check may take its whole deadline plus the wait for the host's slot: the hint lasts longer,
    so a second worker does not take a slow host mid-check; and a worker whose hint lapsed and was
    taken by another never overwrites or deletes the other's."""
    from claims.checking.lanes import LANE_KEY, HostLanes, lane_hint_ms

    settings.CHECKER_DEADLINE_SECONDS, settings.CHECKER_SLOT_WAIT_SECONDS = 30, 10
    SourceFactory(url="https://slow.example/story")
    first = HostLanes(until=time.monotonic() + 60)
    first.refill()
    assert first.take_host() == "slow.example"
    assert lane_hint_ms() == 45_000 and lane_redis.pttl(LANE_KEY + "slow.example") > 40_000

    lane_redis.set(LANE_KEY + "slow.example", "second worker", px=60_000)  # the first's hint lapsed; taken
    first.renew("slow.example")
    assert lane_redis.get(LANE_KEY + "slow.example") == b"second worker"
    first.drop_host("slow.example")
    assert lane_redis.get(LANE_KEY + "slow.example") == b"second worker"

    lane_redis.delete(LANE_KEY + "slow.example")  # nobody's: renewing takes it back
    second = HostLanes(until=time.monotonic() + 60)
    second.refill()
    assert second.take_host() == "slow.example"
    lane_redis.delete(LANE_KEY + "slow.example")
    second.renew("slow.example")
    assert lane_redis.get(LANE_KEY + "slow.example") == second.token.encode()


@pytest.mark.django_db(transaction=True)
def test_after_the_batch_time_only_its_own_jobs_run(site, settings):
    from django.db import connection

    from claims.checking.jobs import jobs_request

    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs a batch one job at a time (one writer), taking nothing further")
    settings.CHECKER_BATCH_SECONDS = 0
    sources = [SourceFactory(url=site.url(f"/article?n={n}")) for n in range(5)]
    jobs = jobs_request(source_ids=[s.pk for s in sources], wake=False).jobs
    CheckJob.objects.update(run_after=timezone.now())
    runner.run_jobs([jobs[0].pk, jobs[3].pk])
    states = dict(CheckJob.objects.values_list("pk", "state"))
    assert [states[job.pk] for job in jobs] == ["done", "queued", "queued", "done", "queued"]
