"""Conditional re-checks: the last check's ETag / Last-Modified go back to the server, and a
304 Not Modified costs no extraction, no quote matching and no new archive."""

import pytest

from claims.checking import archive, compare, extract, fetch, reading, runner
from claims.models import CheckJob, SourceCheck
from tests.factories import ClaimFactory, SourceFactory

from .site import EDITED_PARAGRAPHS, article_html

pytestmark = pytest.mark.django_db

MILLEY = "We have absolute evidence of the contact"
HTML = {"Content-Type": "text/html; charset=utf-8"}
LAST_MODIFIED = "Wed, 15 Mar 2023 09:30:00 GMT"
# Statements per check through check_now: queue the job 5; claim and read 4 (the claim
# returns the job, the source comes with "is it disputed?", the previous checks with the
# text to carry over in one, the claims with the results to copy in one); record 6 (the
# savepoint, the job, the check with its final outcome, its quote results, the source, the
# release); a changed page with a lost quote also writes its feed items (5). Was 18, 18 and
# 26 before the checker's statements were cut (29 Nov 2026, issue 9).
PER_CHECK = {"304": 15, "same body": 15, "changed": 20}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def serve(site, path, validators, paragraphs=None):
    site.routes[path] = (200, {**HTML, **validators}, article_html(paragraphs).encode())


def conditional_headers(site, path):
    """The conditional headers of each request the server saw for ``path``, in order."""
    return [
        {k: v for k, v in headers.items() if k.lower() in ("if-none-match", "if-modified-since")}
        for seen, headers in site.requests
        if seen == path
    ]


def forbid_work(monkeypatch):
    monkeypatch.setattr(extract, "extract", lambda *a, **k: pytest.fail("extracted again"))
    monkeypatch.setattr(compare.PageText, "find", lambda *a, **k: pytest.fail("matched again"))
    monkeypatch.setattr(archive, "archive_fetch", lambda *a, **k: pytest.fail("archived again"))


@pytest.mark.parametrize(
    ("validators", "sent"),
    [
        ({"ETag": '"v1"'}, {"If-None-Match": '"v1"'}),
        ({"Last-Modified": LAST_MODIFIED}, {"If-Modified-Since": LAST_MODIFIED}),
        (
            {"ETag": 'W/"v1"', "Last-Modified": LAST_MODIFIED},
            {"If-None-Match": 'W/"v1"', "If-Modified-Since": LAST_MODIFIED},
        ),
    ],
)
def test_a_304_to_the_stored_validators_carries_the_last_check_over_without_any_work(
    site, monkeypatch, validators, sent
):
    serve(site, "/story", validators)
    source = SourceFactory(url=site.url("/story"), title="", publisher="")
    claim = ClaimFactory(source=source, quote=MILLEY)
    first = runner.check_now(source)
    assert first.outcome == "ok" and first.quote_checks.get().score == 100
    assert (first.etag, first.last_modified) == (validators.get("ETag", ""), validators.get("Last-Modified", ""))

    forbid_work(monkeypatch)
    second = runner.check_now(source)

    assert conditional_headers(site, "/story") == [{}, sent]
    assert second.http_status == 304 and second.not_modified and second.outcome == "ok"
    assert not second.changed and second.text == first.text and second.text_sha256 == first.text_sha256
    assert (second.raw_sha256, second.archive_name, second.size_bytes) == (
        first.raw_sha256,
        first.archive_name,
        first.size_bytes,
    )
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    assert second.timings["extract_ms"] == 0
    row = second.quote_checks.get()
    assert (row.claim_id, row.present, row.score, row.matched_text) == (claim.pk, True, 100, MILLEY)
    source.refresh_from_db()
    assert source.check_state == "ok" and source.last_checked_at >= second.started_at


def test_a_changed_page_answers_200_with_a_new_etag_which_the_next_check_sends(site):
    serve(site, "/story", {"ETag": '"v1"'})
    source = SourceFactory(url=site.url("/story"))
    ClaimFactory(source=source, quote=MILLEY)
    runner.check_now(source)
    serve(site, "/story", {"ETag": '"v2"'}, EDITED_PARAGRAPHS)  # the edit: "absolute" → "clear"
    second = runner.check_now(source)
    assert second.http_status == 200 and not second.not_modified
    assert second.changed and second.outcome == "quote_missing" and second.etag == '"v2"'
    third = runner.check_now(source)
    assert conditional_headers(site, "/story") == [{}, {"If-None-Match": '"v1"'}, {"If-None-Match": '"v2"'}]
    assert third.not_modified and third.outcome == "quote_missing" and not third.changed


def test_a_304_keeps_the_validators_it_repeats_and_the_old_ones_it_leaves_out():
    previous = SourceCheck(etag='"v1"', last_modified=LAST_MODIFIED)
    renamed = fetch.FetchResult(url="u", status=304, not_modified=True, headers={"etag": '"v1-br"'})
    silent = fetch.FetchResult(url="u", status=304, not_modified=True, headers={})
    assert reading._validator_fields(renamed, previous) == {"etag": '"v1-br"', "last_modified": LAST_MODIFIED}
    assert reading._validator_fields(silent, previous) == {"etag": '"v1"', "last_modified": LAST_MODIFIED}


def test_a_server_without_validators_gets_plain_requests_and_the_body_hash_still_saves_the_work(site, monkeypatch):
    source = SourceFactory(url=site.url("/article"))
    first = runner.check_now(source)
    assert (first.etag, first.last_modified) == ("", "")
    monkeypatch.setattr(extract, "extract", lambda *a, **k: pytest.fail("extracted again"))
    second = runner.check_now(source)
    assert conditional_headers(site, "/article") == [{}, {}]
    assert second.http_status == 200 and not second.not_modified and second.text == first.text


def test_validators_go_only_to_the_url_they_came_from(site):
    serve(site, "/article", {"ETag": '"v1"'})
    source = SourceFactory(url=site.url("/chain/2"))
    first = runner.check_now(source)
    assert first.outcome == "redirected" and first.etag == '"v1"'
    second = runner.check_now(source)
    assert conditional_headers(site, "/chain/2") == [{}, {}]
    assert conditional_headers(site, "/article") == [{}, {"If-None-Match": '"v1"'}]
    assert second.not_modified and second.outcome == "redirected" and second.text == first.text


def test_no_conditional_request_when_the_last_text_was_read_another_way(site):
    serve(site, "/story", {"ETag": '"v1"'})
    source = SourceFactory(url=site.url("/story"))
    first = runner.check_now(source)
    SourceCheck.objects.filter(pk=first.pk).update(text_method=1)
    second = runner.check_now(source)
    assert conditional_headers(site, "/story") == [{}, {}]
    assert second.http_status == 200 and second.text_method == extract.TEXT_METHOD and not second.changed


def test_a_304_nobody_asked_for_is_an_error_not_an_unchanged_page(site):
    site.routes["/odd"] = (304, {}, b"")
    source = SourceFactory(url=site.url("/odd"))
    assert runner.check_now(source) is None  # an error: retried later, as any other
    job = CheckJob.objects.get(source=source)
    assert job.state == "queued" and "not conditional" in job.last_error
    assert not SourceCheck.objects.filter(source=source).exists()


@pytest.mark.parametrize("claims", [1, 3])
def test_a_checks_database_work_is_a_fixed_number_of_statements(site, django_assert_max_num_queries, claims):
    """Query-count guard (issue 9): the worker's CPU per check is mostly the statements that
    record it, so they must not grow with the page or with the claims citing the source.
    Counts include the transaction's savepoint and release."""
    serve(site, "/tagged", {"ETag": '"v1"'})
    serve(site, "/plain", {})
    tagged = SourceFactory(url=site.url("/tagged"), title="", publisher="")
    plain = SourceFactory(url=site.url("/plain"), title="", publisher="")
    for source in (tagged, plain):
        for _ in range(claims):
            ClaimFactory(source=source, quote=MILLEY)
        runner.check_now(source)
    with django_assert_max_num_queries(PER_CHECK["304"]):
        assert runner.check_now(tagged).not_modified
    with django_assert_max_num_queries(PER_CHECK["same body"]):
        assert runner.check_now(plain).outcome == "ok"
    serve(site, "/plain", {}, EDITED_PARAGRAPHS)
    # Each claim here is in a dispute of its own, and following.announce reads the watchers
    # of each dispute that gets a feed item with one statement each (not the checker's code).
    with django_assert_max_num_queries(PER_CHECK["changed"] + claims - 1):
        assert runner.check_now(plain).changed
