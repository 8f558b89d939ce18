"""The check views: badge (with polling), check now, diff, archive download, plain text."""

import datetime

import pytest
from django.urls import reverse

from claims.checking import runner
from claims.checking.selectors import check_history
from claims.models import CheckJob, Source
from tests.factories import ClaimFactory, SourceFactory
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def checked(site):
    """A source on the fixture site checked twice, the second time after an edit."""
    source = SourceFactory(url=site.url("/article"))
    ClaimFactory(source=source, quote="the flights near the Crimean coast were not a coincidence")
    runner.run_job(source.check_jobs.get().pk)
    site.routes["/article"] = site.routes["/article-edited"]
    runner.check_now(source)
    source.refresh_from_db()
    return source


def test_badge_polls_while_a_check_is_queued(client, editor):
    client.force_login(editor)
    source = SourceFactory()  # creating it queued a check
    response = client.get(reverse("claims:source-badge", args=[source.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in html and "Checking…" in html
    assert f'hx-get="{reverse("claims:source-badge", args=[source.pk])}"' in html


def test_badge_stops_polling_when_the_check_is_done(client, editor, checked):
    client.force_login(editor)
    html = client.get(reverse("claims:source-badge", args=[checked.pk])).content.decode()
    assert "hx-trigger" not in html
    assert "Quote missing" in html and "is-problem" in html


def test_badge_is_404_for_strangers_when_no_published_dispute_cites_it(client):
    source = SourceFactory()
    assert client.get(reverse("claims:source-badge", args=[source.pk])).status_code == 404


def test_badge_wrong_method(client, editor):
    client.force_login(editor)
    source = SourceFactory()
    assert client.post(reverse("claims:source-badge", args=[source.pk])).status_code == 405


def test_editor_check_now_queues_and_returns_polling_badge(client, editor, django_capture_on_commit_callbacks):
    client.force_login(editor)
    source = SourceFactory()
    CheckJob.objects.filter(source=source).update(state=CheckJob.State.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("claims:source-check-now", args=[source.pk]), **HTMX)
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in response.content.decode()
    job = source.check_jobs.get(state=CheckJob.State.QUEUED)
    assert job.reason == CheckJob.Reason.MANUAL and job.enqueued_at is not None


def test_check_now_without_htmx_redirects_to_the_source(client, editor):
    client.force_login(editor)
    source = SourceFactory()
    response = client.post(reverse("claims:source-check-now", args=[source.pk]))
    assert response.status_code == 302 and response.url == source.get_absolute_url()


def test_check_now_twice_joins_the_live_job(client, editor):
    client.force_login(editor)
    source = SourceFactory()
    for _ in range(2):
        client.post(reverse("claims:source-check-now", args=[source.pk]))
    assert source.check_jobs.count() == 1


@pytest.mark.parametrize("who", [None, "reader"])
def test_check_now_is_forbidden_to_non_editors(client, reader, who):
    if who:
        client.force_login(reader)
    source = SourceFactory()
    response = client.post(reverse("claims:source-check-now", args=[source.pk]))
    assert response.status_code == 403


def test_check_now_wrong_method(client, editor):
    client.force_login(editor)
    assert client.get(reverse("claims:source-check-now", args=[SourceFactory().pk])).status_code == 405


def test_diff_shows_removed_and_added_words(client, editor, checked):
    client.force_login(editor)
    response = client.get(reverse("claims:source-check-diff", args=[checked.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<del>absolute</del>" in html and "<ins>clear</ins>" in html


def test_diff_escapes_page_text(client, editor, site):
    client.force_login(editor)
    source = SourceFactory(url=site.url("/article"))
    runner.run_job(source.check_jobs.get().pk)
    from .site import EDITED_PARAGRAPHS, article_html

    hostile = [*EDITED_PARAGRAPHS, "&lt;script&gt;alert(1)&lt;/script&gt; was written in the comments section today."]
    site.routes["/article"] = (200, {"Content-Type": "text/html"}, article_html(hostile).encode())
    runner.check_now(source)
    html = client.get(reverse("claims:source-check-diff", args=[source.pk]), **HTMX).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_diff_of_checks_of_another_source_finds_nothing(client, editor, checked):
    client.force_login(editor)
    other = SourceFactory()
    a, b = checked.checks.order_by("pk").values_list("pk", flat=True)
    html = client.get(reverse("claims:source-check-diff", args=[other.pk]) + f"?a={a}&b={b}").content.decode()
    assert "No two checks to compare" in html


def test_archive_is_a_download_never_html(client, editor, checked):
    client.force_login(editor)
    check = checked.checks.first()
    response = client.get(reverse("claims:source-archive", args=[check.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/warc"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    body = b"".join(response.streaming_content)
    assert body[:2] == b"\x1f\x8b"  # gzipped WARC, not a page


def test_archive_is_404_for_strangers_when_no_published_dispute_cites_it(client, checked):
    from claims.models import Dispute

    Dispute.objects.update(is_published=False)
    check = checked.checks.first()
    assert client.get(reverse("claims:source-archive", args=[check.pk])).status_code == 404


def test_extracted_text_is_plain_text(client, editor, checked):
    client.force_login(editor)
    check = checked.checks.first()
    response = client.get(reverse("claims:source-check-text", args=[check.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "clear evidence of the contact" in response.content.decode()


def test_history_partial_lists_checks_with_diff_and_archive_links(rf, checked):
    from django.template.loader import render_to_string

    checks = check_history(checked)
    html = render_to_string("claims/checks.html#check-history", {"source": checked, "checks": checks})
    assert html.count('<tr id="check-') == 2
    assert "Quote missing" in html and "1 missing" in html
    assert reverse("claims:source-check-diff", args=[checked.pk]) + f"?a={checks[1].pk}&amp;b={checks[0].pk}" in html
    assert reverse("claims:source-archive", args=[checks[0].pk]) in html


@pytest.mark.parametrize("size", [2, 6])
def test_history_and_progress_use_fixed_queries(django_assert_num_queries, checked, size, site):
    for _ in range(size - 2):
        runner.check_now(checked)
    with django_assert_num_queries(2):
        checks = check_history(checked)
        assert len(checks) == size
        [c.quotes_missing for c in checks]
    SourceFactory.create_batch(size)
    with django_assert_num_queries(1):
        sources = list(Source.objects.with_check_progress())
        assert sum(s.check_live for s in sources) == size


@pytest.mark.parametrize(
    ("state", "running"),
    [("queued", True), ("running", True), ("done", False), ("failed", False)],
)
def test_a_check_is_running_while_its_job_is_queued_or_running(state, running):
    """One definition (``CheckJob.objects.live``) answers for the badge on the source page, the
    dispute page and the badge endpoint alike."""
    from claims.checking.jobs import check_progress

    source = ClaimFactory().source
    CheckJob.objects.filter(source=source).delete()  # the one queued when the claim cited it
    CheckJob.objects.create(source=source, state=state)
    assert check_progress(source).check_live is running
    assert Source.objects.with_check_progress().get(pk=source.pk).check_live is running
    assert CheckJob.objects.live().exists() is running


@pytest.mark.parametrize("bad", ["%C2%B2", "99999999999999999999999", "-1", "0", "abc"])
def test_diff_page_survives_odd_check_ids(client, checked, bad):
    url = reverse("claims:source-check-diff", args=[checked.pk])
    response = client.get(f"{url}?a={bad}&b=1")
    assert response.status_code == 200


def test_badge_says_since_when_a_check_is_queued_and_warns_editors_when_no_worker_takes_it(
    client, editor, reader, settings
):
    from django.utils import timezone

    settings.CHECKER_QUEUED_WARNING_SECONDS = 300
    source = SourceFactory()
    url = reverse("claims:source-badge", args=[source.pk])
    client.force_login(editor)
    html = client.get(url).content.decode()
    assert "queued since" in html and "no worker has picked it up" not in html
    waiting_since = timezone.now() - datetime.timedelta(minutes=7)
    CheckJob.objects.filter(source=source).update(run_after=waiting_since)
    html = client.get(url).content.decode()
    assert f">{timezone.localtime(waiting_since):%H:%M}</time>" in html
    assert "no worker has picked it up yet" in html
    client.force_login(reader)
    assert "no worker has picked it up" not in client.get(url).content.decode()


def test_badge_of_a_running_check_has_no_queued_since(client, editor):
    source = SourceFactory()
    CheckJob.objects.filter(source=source).update(state=CheckJob.State.RUNNING)
    client.force_login(editor)
    html = client.get(reverse("claims:source-badge", args=[source.pk])).content.decode()
    assert "Checking…" in html and "queued since" not in html


def test_admin_job_list_flags_a_job_no_worker_picked_up(staff_client, settings):
    from django.utils import timezone

    settings.CHECKER_QUEUED_WARNING_SECONDS = 300
    SourceFactory()  # queued just now: no warning
    stuck = SourceFactory()
    CheckJob.objects.filter(source=stuck).update(run_after=timezone.now() - datetime.timedelta(minutes=10))
    html = staff_client.get(reverse("admin:claims_checkjob_changelist")).content.decode()
    assert html.count("No worker has picked it up (queued 10") == 1
