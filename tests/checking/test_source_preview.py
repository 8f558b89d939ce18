"""Paste a URL, see what the page says it is (issue 12): through the checker's fetcher only.

Real parts: the fixture site over HTTP (allow-listed), a loopback canary that is not, the view
as the form's htmx calls it.
"""

import pytest
from django.urls import reverse

from claims.models import Claim, Source
from tests.factories import DisputeFactory, PartyFactory
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db

PREVIEW = "/sources/preview/"


def test_a_pasted_url_shows_its_title_publisher_author_and_date(editor_client, site):
    answer = editor_client.post(PREVIEW, {"source_url": site.url("/article")}, **HTMX)
    assert answer.status_code == 200
    text = answer.text
    assert "US drone downed over Black Sea after encounter with Russian jets" in text
    assert "Example Wire" in text and "Jane Reporter" in text and "15 March 2023" in text
    assert not Source.objects.exists()  # nothing saved: the form saves the source


def test_the_same_address_again_is_not_fetched_again(editor_client, site):
    editor_client.post(PREVIEW, {"source_url": site.url("/article")}, **HTMX)
    fetched = site.paths().count("/article")
    again = editor_client.post(PREVIEW, {"url": site.url("/article") + "?utm_source=x"}, **HTMX)
    assert "Example Wire" in again.text and site.paths().count("/article") == fetched


def test_a_private_address_is_never_fetched(editor_client, site, canary):
    answer = editor_client.post(PREVIEW, {"source_url": f"http://127.0.0.1:{canary.port}/admin"}, **HTMX)
    assert "could not be read just now" in answer.text
    assert canary.connections() == 0


def test_a_hostile_url_is_refused_without_a_request(editor_client, site):
    answer = editor_client.post(PREVIEW, {"source_url": "javascript:alert(1)"}, **HTMX)
    assert "Only http:// and https://" in answer.text and site.paths() == []


def test_a_slow_page_is_given_up_quickly_and_the_form_still_saves(editor_client, site, settings):
    settings.SOURCE_PREVIEW_SECONDS = 1
    url = site.url("/slow-header")
    answer = editor_client.post(PREVIEW, {"source_url": url}, **HTMX)
    assert "could not be read just now" in answer.text
    dispute, party = DisputeFactory(), PartyFactory()
    saved = editor_client.post(
        reverse("claims:claim-create", args=[dispute.slug]),
        {"party": party.pk, "stance": "affirms", "quote": "Words.", "source_url": url, "said_on_precision": "day"},
    )
    assert saved.status_code == 302 and Claim.objects.get().source.url == url


def test_previews_are_rate_limited_per_user(editor_client, site, settings):
    settings.RATELIMIT_PREVIEW = "2/m"
    for path in ("/article", "/article-edited"):
        editor_client.post(PREVIEW, {"source_url": site.url(path)}, **HTMX)
    fetched = len(site.paths())
    answer = editor_client.post(PREVIEW, {"source_url": site.url("/article-advert")}, **HTMX)
    assert answer.status_code == 200 and "Too many addresses read just now" in answer.text
    assert len(site.paths()) == fetched


def test_only_editors_preview_and_only_by_post(client, reader, editor):
    assert client.post(PREVIEW, {"source_url": "https://example.org/"}).status_code in (302, 403)
    client.force_login(reader)
    assert client.post(PREVIEW, {"source_url": "https://example.org/"}).status_code == 403
    client.force_login(editor)
    assert client.get(PREVIEW).status_code == 405


def test_every_source_url_field_asks_for_a_preview(editor_client):
    dispute = DisputeFactory()
    for name in ("claim-create", "evidence-create", "article-create"):
        form = editor_client.get(reverse(f"claims:{name}", args=[dispute.slug])).text
        assert f'hx-post="{PREVIEW}"' in form and 'class="source-preview"' in form, name
