"""Checks are queued when a source is added or its URL changes (``services.source_for_url``/``source_save``),
even with the broker down; the command."""

import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims import services
from claims.models import CheckJob, Source
from tests.factories import SourceFactory

from .conftest import broker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_new_source_queues_a_check_woken_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        source = SourceFactory()
        job = source.check_jobs.get()
        assert job.reason == CheckJob.Reason.NEW and job.enqueued_at is None
    assert len(callbacks) == 1  # the wake-up waits for the commit


def test_url_change_queues_a_check_and_other_edits_do_not():
    source = SourceFactory()
    CheckJob.objects.update(state=CheckJob.State.DONE)
    source.title = "New title"
    services.source_save(source=source)
    assert not source.check_jobs.filter(state=CheckJob.State.QUEUED).exists()
    source = Source.objects.get(pk=source.pk)
    source.url = "https://news.example.org/moved"
    services.source_save(source=source)
    assert source.check_jobs.get(state=CheckJob.State.QUEUED).reason == CheckJob.Reason.URL_CHANGED


def test_adding_a_source_succeeds_quickly_with_the_broker_down(staff_client, django_capture_on_commit_callbacks):
    with broker("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = staff_client.post(
            reverse("admin:claims_source_add"), {"url": "https://news.example.org/new-story", "kind": "article"}
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    assert elapsed < 3
    job = Source.objects.get(url="https://news.example.org/new-story").check_jobs.get()
    assert job.state == CheckJob.State.QUEUED and job.enqueued_at is None  # left for the sweeper
    from claims.checking import runner

    with django_capture_on_commit_callbacks(execute=True):
        assert runner.sweep().woken == 1  # the broker is back: the sweeper sends the wake-up
    job.refresh_from_db()
    assert job.enqueued_at is not None


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("check_sources", *args, stdout=out)
    return out.getvalue()


def test_command_url_sync_creates_and_checks(site):
    out = run("--url", site.url("/article"), "--sync")
    source = Source.objects.get(url=site.url("/article"))
    assert f"Created source {source.pk}" in out
    assert f"{source.pk}\t{source.url}\tok HTTP 200" in out
    assert source.checks.count() == 1


def test_command_ids_sync_one_line_each(site):
    a = SourceFactory(url=site.url("/gone-404"))
    b = SourceFactory(url="http://10.0.0.1/")
    out = run("--id", str(a.pk), str(b.pk), "--sync")
    lines = out.strip().splitlines()
    assert lines[0] == f"{a.pk}\t{a.url}\tgone HTTP 404 (HTTP 404)"
    assert lines[1].startswith(f"{b.pk}\t{b.url}\tunsafe (10.0.0.1 resolves to a non-public address")


def test_command_without_sync_queues(site):
    source = SourceFactory(url=site.url("/article"))
    out = run("--all")
    job = source.check_jobs.get()
    assert out.strip() == f"{source.pk}\t{source.url}\tqueued (job {job.pk}, queued)"


def test_command_due_finds_nothing_when_nothing_is_due():
    SourceFactory()
    assert run("--due").strip() == "No sources to check."


def test_command_rejects_bad_arguments():
    with pytest.raises(CommandError, match="No source with id 999"):
        run("--id", "999")
    with pytest.raises(CommandError, match="Only http:// and https://"):
        run("--url", "file:///etc/passwd")
    with pytest.raises(CommandError, match="one of the arguments"):
        run()
