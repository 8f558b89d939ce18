"""Each hostile input the outside review found answers with a clear error (or is made
harmless) and saves nothing partial — the general property lives in
tests/test_every_form_and_filter.py; these are the cases as reported."""

import pytest
from django.db import connection

from claims.models import ApiToken, ArticleLink, Claim, Dispute, Evidence, FeedItem, Party, Source, Stance

from .factories import DisputeFactory, PartyFactory
from .helpers import HTMX

pytestmark = pytest.mark.django_db


def _claim(party=None, **overrides):
    data = {
        "party": party.pk if party else "",
        "new_party": "",
        "speaker": "",
        "new_speaker": "",
        "stance": Stance.AFFIRMS,
        "quote": "We have absolute evidence of the contact.",
        "paraphrase": "",
        "said_on": "2023-03-15",
        "said_on_precision": "day",
        "source_url": "https://www.defense.gov/News/Transcripts/briefing/",
    }
    return data | overrides


@pytest.mark.parametrize("dashes", ["-" * 35, "-" * 200, "- " * 60, "-(" * 60 + "drone"])
@pytest.mark.parametrize("url", ["/", "/disputes.csv"])
def test_search_of_many_dashes_answers_normally(client, url, dashes):
    DisputeFactory(proposition="The drone was hit.")
    response = client.get(url, {"q": dashes})
    assert response.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="word search (and its - operator) is PostgreSQL's")
def test_a_dash_still_leaves_a_word_out(client):
    DisputeFactory(proposition="The drone was hit by the jet.")
    DisputeFactory(proposition="The drone fell on its own.")
    html = client.get("/", {"q": "drone -jet"}).content.decode()
    assert "fell on its own" in html and "hit by the jet" not in html


@pytest.mark.parametrize("bad_url", ["http://[::1", "http://[zzz]/", "https://[fe80::1%zz/"])
def test_malformed_bracketed_host_is_a_field_error_in_every_url_field(editor_client, bad_url):
    dispute = DisputeFactory()
    party = PartyFactory()
    claim = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", _claim(party, source_url=bad_url), **HTMX)
    evidence = editor_client.post(
        f"/disputes/{dispute.slug}/evidence/new/",
        {"kind": "footage", "title": "Footage", "released_on_precision": "day", "source_url": bad_url},
        **HTMX,
    )
    article = editor_client.post(
        f"/disputes/{dispute.slug}/articles/new/", {"url": bad_url, "relation": "reports"}, **HTMX
    )
    for response in (claim, evidence, article):
        assert response.status_code == 200, response.status_code  # a form error is a page, not a failure
        html = response.content.decode()
        assert "not valid" in html and 'aria-invalid="true"' in html
    assert not Source.objects.exists() and not Claim.objects.exists()
    assert not Evidence.objects.exists() and not ArticleLink.objects.exists()


@pytest.mark.parametrize("length", [171, 185, 200])
def test_a_long_new_party_name_makes_a_feed_item_that_fits(editor_client, client, length):
    dispute = DisputeFactory(proposition="A long proposition " * 5)
    name = "P" * length
    response = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", _claim(new_party=name))
    assert response.status_code == 302
    assert Party.objects.filter(name=name).exists()
    development = FeedItem.objects.get(kind="claim")
    assert len(development.title) <= FeedItem._meta.get_field("title").max_length
    assert client.get(f"/feeds/disputes/{dispute.slug}/").status_code == 200


def test_a_party_name_longer_than_the_column_is_a_field_error(editor_client):
    dispute = DisputeFactory()
    response = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", _claim(new_party="P" * 201), **HTMX)
    assert "at most 200 characters" in response.content.decode()
    assert not Party.objects.exists() and not Claim.objects.exists()


@pytest.mark.parametrize("field", ["quote", "paraphrase"])
def test_a_megabyte_quote_is_a_field_error_not_a_tsvector_failure(editor_client, field):
    dispute = DisputeFactory()
    party = PartyFactory()
    huge = " ".join(f"w{i}" for i in range(150_000))  # ~1 MB of distinct words
    response = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", _claim(party, **{field: huge}), **HTMX)
    assert response.status_code == 200
    max_length = Claim._meta.get_field(field).max_length
    assert f"at most {max_length:,}".replace(",", "") in response.content.decode().replace(",", "")
    assert not Claim.objects.exists() and not Source.objects.exists()


def test_a_megabyte_proposition_is_a_field_error(editor_client):
    huge = " ".join(f"w{i}" for i in range(150_000))
    response = editor_client.post("/disputes/new/", {"proposition": huge, "summary": ""})
    assert response.status_code == 200  # the form again, with the error beside the field
    assert "at most 1000 characters" in response.content.decode()
    assert not Dispute.objects.exists()


def test_api_token_name_with_nul_is_cleaned_not_a_500(editor_client):
    response = editor_client.post("/account/api-tokens/", {"action": "create", "name": "graphics\x00desk"})
    assert response.status_code == 200
    assert ApiToken.objects.get().name == "graphicsdesk"


def test_api_token_name_too_long_keeps_what_was_typed(editor_client):
    response = editor_client.post("/account/api-tokens/", {"action": "create", "name": "n" * 150})
    assert response.status_code == 400
    html = response.content.decode()
    assert "at most 100 characters" in html and 'value="' + "n" * 150 + '"' in html
    assert not ApiToken.objects.exists()


def test_home_page_shows_why_a_filter_was_not_applied(client):
    html = client.get("/", {"occurred_from": "2023-02-30", "status": "bogus"}).content.decode()
    assert "These filters were not applied" in html
    assert "Event from" in html and "Status" in html


def test_home_page_htmx_results_say_why_a_filter_was_not_applied(client):
    html = client.get("/", {"occurred_from": "yesterday"}, **HTMX).content.decode()
    assert "These filters were not applied" in html and "Enter a valid date" in html
