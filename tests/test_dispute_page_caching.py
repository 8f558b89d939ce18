"""Repeat views of the dispute page: 304 while nothing changed, a fresh page after any write."""

import re

import pytest
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import CheckJob, EvidenceLink, Source, Stance

from .factories import (
    ArticleLinkFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceFactory,
    SourceFactory,
    SpeakerFactory,
)
from .helpers import CacheCalls

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute():
    dispute = DisputeFactory(proposition="The jet hit the drone.")
    speaker = SpeakerFactory(name="Pat Ryder")
    ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS, party=speaker.party, speaker=speaker)
    ClaimFactory(dispute=dispute, stance=Stance.DENIES)
    EvidenceFactory(dispute=dispute, source=SourceFactory())
    ArticleLinkFactory(dispute=dispute)
    return dispute


def _url(dispute) -> str:
    return reverse("claims:dispute-detail", args=[dispute.slug])


def _etag(client, dispute) -> str:
    client.get(_url(dispute))  # the first view sets the CSRF cookie, part of what the page shows
    response = client.get(_url(dispute))
    assert response.status_code == 200
    return response.headers["ETag"]


def test_repeat_view_of_an_unchanged_dispute_is_304_from_one_query(client, dispute, django_assert_num_queries):
    etag = _etag(client, dispute)
    with django_assert_num_queries(1):
        response = client.get(_url(dispute), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""


def test_page_says_browsers_must_revalidate(client, dispute):
    response = client.get(_url(dispute))
    assert "no-cache" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]


def _first(model_qs):
    return model_qs.order_by("pk").first()


# Each write a user would see on the page, done the way the code that really does it does it.
WRITES = {
    "claim added": lambda d: ClaimFactory(dispute=d, quote="A new quote."),
    "claim edited": lambda d: _save(_first(d.claims), quote="An edited quote."),
    "claim deleted": lambda d: _first(d.claims).delete(),
    "evidence added": lambda d: EvidenceFactory(dispute=d),
    "evidence edited": lambda d: _save(_first(d.evidence), title="A new title"),
    "evidence deleted": lambda d: _first(d.evidence).delete(),
    "evidence linked to a claim": lambda d: EvidenceLink.objects.create(
        evidence=_first(d.evidence), claim=_first(d.claims), effect=EvidenceLink.Effect.SUPPORTS
    ),
    "article linked": lambda d: ArticleLinkFactory(dispute=d),
    "article edited": lambda d: _save(_first(d.article_links), note="A note."),
    "article removed": lambda d: _first(d.article_links).delete(),
    "dispute edited": lambda d: _save(d, summary="Background."),
    # The checker writes results with update(), as claims/checking/runner.py does.
    "source check found a problem": lambda d: Source.objects.filter(pk=_first(d.claims).source_id).update(
        check_state=Source.CheckState.GONE, last_checked_at=timezone.now()
    ),
    "evidence source checked": lambda d: Source.objects.filter(pk=_first(d.evidence).source_id).update(
        check_state=Source.CheckState.OK, last_checked_at=timezone.now()
    ),
    "article source check queued": lambda d: _queue_check(_first(d.article_links).source),
    "source retitled by an editor": lambda d: _save(_first(d.claims).source, title="Retitled"),
    "party renamed": lambda d: _save(_first(d.claims).party, name="Renamed party"),
    "speaker renamed": lambda d: _save(_first(d.claims.filter(speaker__isnull=False)).speaker, name="Renamed"),
}


def _queue_check(source):
    CheckJob.objects.filter(source=source).update(state=CheckJob.State.DONE)
    CheckJob.objects.create(source=source)


def _save(obj, **changes):
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()


@pytest.mark.parametrize("write", WRITES)
def test_any_write_shows_on_the_next_view(client, dispute, write):
    etag = _etag(client, dispute)
    WRITES[write](dispute)
    response = client.get(_url(dispute), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_finished_check_job_shows_on_the_next_view(client, dispute):
    source = _first(dispute.claims).source
    CheckJob.objects.get_or_create(source=source, state=CheckJob.State.QUEUED)
    etag = _etag(client, dispute)
    CheckJob.objects.filter(source=source).update(state=CheckJob.State.DONE)
    assert client.get(_url(dispute), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_another_viewers_copy_is_not_reused(client, dispute, editor):
    etag = _etag(Client(), dispute)
    client.force_login(editor)
    assert client.get(_url(dispute), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_page_with_a_message_is_never_answered_304(rf, dispute):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage

    from claims import selectors
    from claims.views.disputes import _dispute_page_etag

    request = rf.get(_url(dispute))
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    stamp = selectors.dispute_page_version(slug=dispute.slug, user=request.user).stamp
    assert _dispute_page_etag(request, stamp, "") is not None
    request._messages.add(constants.SUCCESS, "Saved.")
    assert _dispute_page_etag(request, stamp, "") is None
    assert len(get_messages(request)) == 1  # still there to be shown


def test_unchanged_source_elsewhere_does_not_change_the_page(client, dispute):
    etag = _etag(client, dispute)
    ClaimFactory(source=SourceFactory())  # another dispute entirely
    assert client.get(_url(dispute), HTTP_IF_NONE_MATCH=etag).status_code == 304


# The body shared by readers and visitors: rendered once per stamp, then one query per view.


# What a visitor who is not signed in costs once the page is stored (claims/visitor_pages.py):
# the page version, and the page from the cache.
VISITOR_QUERIES = 1
VISITOR_CACHE_CALLS = 1


def test_another_visitor_gets_the_stored_page_from_one_query_and_one_cache_round_trip(dispute):
    first = Client().get(_url(dispute))
    with CaptureQueriesContext(connection) as queries, CacheCalls() as calls:
        second = Client().get(_url(dispute))
    assert second.status_code == 200
    assert (len(queries), len(calls)) == (VISITOR_QUERIES, VISITOR_CACHE_CALLS), (queries.captured_queries, calls)
    assert second.text.count('class="claim-card') == 2
    # The same page but for each visitor's own CSRF token and CSP nonce.
    assert _without_tokens(second.text) == _without_tokens(first.text)
    assert _token(second.text) != _token(first.text)


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


def _without_tokens(html: str) -> str:
    html = html.replace(_token(html), "TOKEN")
    return re.sub(r'nonce="[^"]*"', 'nonce="N"', html)


def test_a_stored_page_carries_the_visitors_own_token_and_nonce(dispute, client):
    Client().get(_url(dispute))  # stored with placeholders by another visitor
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(_url(dispute))
    assert "\x00" not in page.text
    nonces = set(re.findall(r'nonce="([^"]*)"', page.text))
    assert len(nonces) == 1 and "" not in nonces
    assert f"'nonce-{nonces.pop()}'" in page.headers["Content-Security-Policy"]  # the scripts run
    # The language switcher's form posts with the token the page gave this visitor.
    switched = visitor.post(
        reverse("set_language"), {"csrfmiddlewaretoken": _token(page.text), "language": "ru", "next": _url(dispute)}
    )
    assert switched.status_code == 302
    assert visitor.get(_url(dispute)).headers["Content-Language"] == "ru"


def test_a_visitor_with_a_message_gets_it_and_not_the_stored_page(dispute, rf):
    Client().get(_url(dispute))
    visitor = Client()
    visitor.cookies["messages"] = CookieStorage(rf.get("/"))._encode([Message(constants.SUCCESS, "Thanks, noted.")])
    assert "Thanks, noted." in visitor.get(_url(dispute)).text


def test_a_signed_in_reader_never_gets_the_visitors_page(dispute, client, reader):
    Client().get(_url(dispute))
    client.force_login(reader)
    html = client.get(_url(dispute)).text
    assert reader.username in html and "?next=" not in html


def test_the_stored_page_is_per_query_string_and_path(dispute):
    Client().get(_url(dispute))
    page = Client().get(_url(dispute) + "?utm_source=feed").text
    # The language switcher comes back to the page asked for, not to the one stored first.
    assert f'name="next" value="{_url(dispute)}?utm_source=feed"' in page


def _queries_for_a_new_visitor(dispute) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(_url(dispute)).status_code == 200
    return len(queries)


@pytest.mark.parametrize("write", WRITES)
def test_any_write_renews_the_shared_copy(dispute, write):
    Client().get(_url(dispute))
    assert _queries_for_a_new_visitor(dispute) == VISITOR_QUERIES
    WRITES[write](dispute)
    assert _queries_for_a_new_visitor(dispute) > VISITOR_QUERIES  # rebuilt, not the copy from before the write


def test_editors_never_get_the_shared_copy(dispute, editor_client):
    Client().get(_url(dispute))
    html = editor_client.get(_url(dispute)).text
    assert "csrfmiddlewaretoken" in html and ">Edit<" in html
