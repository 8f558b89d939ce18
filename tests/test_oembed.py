"""oEmbed (/oembed?url=…&format=json): a CMS that speaks oEmbed embeds a dispute from its plain URL.
Found from the dispute page's discovery link; every bad request is a clear 4xx (or 501 for a format
other than JSON, as the specification asks), never a 500, and never names a draft."""

import re
from html import unescape
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client

from claims import services

from .factories import ClaimFactory, DisputeFactory, PartyFactory

pytestmark = pytest.mark.django_db

DISCOVERY = re.compile(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"')


@pytest.fixture
def dispute(db):
    dispute = DisputeFactory(slug="contact", proposition="A jet made contact with the drone.")
    ClaimFactory(dispute=dispute, party=PartyFactory(name="United States"), quote="Contact.")
    return dispute


def oembed(client, url: str, **params):
    query = "&".join(f"{k}={quote(str(v))}" for k, v in {"url": url, **params}.items())
    return client.get(f"/oembed?{query}")


def test_a_dispute_page_url_gives_a_rich_embed(client, dispute):
    response = oembed(client, f"http://testserver/disputes/{dispute.slug}/", format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["title"] == "A jet made contact with the drone."
    assert data["provider_name"] and data["provider_url"] == "http://testserver/"
    assert isinstance(data["width"], int) and isinstance(data["height"], int)
    src = re.search(r'<iframe src="([^"]+)"', data["html"]).group(1)
    assert src == f"http://testserver/embed/disputes/{dispute.slug}/"
    assert f'height="{data["height"]}"' in data["html"]
    assert data["thumbnail_url"].endswith(f"/disputes/{dispute.slug}/share.png")
    # What the iframe points at is the card itself.
    assert Client().get(urlsplit(src).path).status_code == 200


def test_the_dispute_page_says_where_its_oembed_is_and_that_address_works(client, dispute):
    page = client.get(dispute.get_absolute_url())
    (href,) = DISCOVERY.findall(page.text)
    answer = client.get(unescape(href).replace("http://testserver", ""))
    assert answer.status_code == 200
    assert answer.json()["type"] == "rich"


def test_drafts_carry_no_discovery_link(editor_client):
    draft = DisputeFactory(is_published=False)
    assert not DISCOVERY.findall(editor_client.get(draft.get_absolute_url()).text)


def test_the_embed_url_itself_is_accepted_too(client, dispute):
    assert oembed(client, f"http://testserver/embed/disputes/{dispute.slug}/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example.org/disputes/contact/",  # another host
        "http://testserver.evil.org/disputes/contact/",
        "http://testserver/disputes/nothing-here/",  # unknown
        "http://testserver/parties/united-states/",  # not a dispute
        "http://testserver/",
        "javascript:alert(1)",
        "http://[::1",
        "http://testserver/disputes/%00/",
        "//testserver/disputes/contact/",
    ],
)
def test_an_address_that_is_not_a_published_dispute_here_is_404(client, dispute, url):
    response = oembed(client, url)
    assert response.status_code == 404
    assert "text/plain" in response["Content-Type"]


@pytest.mark.parametrize("how", ["draft", "deleted"])
def test_drafts_and_deleted_disputes_are_404_without_their_title(client, senior, how):
    secret = DisputeFactory(slug="secret", proposition="Qzx the secret proposition", is_published=how != "draft")
    if how == "deleted":
        services.dispute_delete(dispute=secret, user=senior)
    senior_client = Client()
    senior_client.force_login(senior)
    for viewer in (client, senior_client):
        response = oembed(viewer, "http://testserver/disputes/secret/")
        assert response.status_code == 404
        assert "Qzx" not in response.text


def test_formats_other_than_json_are_501_as_the_specification_asks(client, dispute):
    for fmt in ("xml", "yaml", "jsonp"):
        response = oembed(client, f"http://testserver/disputes/{dispute.slug}/", format=fmt)
        assert response.status_code == 501, fmt
        assert "format=json" in response.text


def test_without_a_url_the_answer_says_what_to_give(client):
    response = client.get("/oembed?format=json")
    assert response.status_code == 400
    assert "url" in response.text


@pytest.mark.parametrize("name", ["maxwidth", "maxheight"])
@pytest.mark.parametrize("value", ["-5", "0", "abc", "1e3", "12.5", "٣٠٠", "9" * 5000, "50"])
def test_sizes_that_are_not_a_usable_number_of_pixels_are_400(client, dispute, name, value):
    response = oembed(client, f"http://testserver/disputes/{dispute.slug}/", **{name: value})
    assert response.status_code == 400
    # 5,000 digits: the site's query-string limit (claims/middleware.py) answers first, naming its own limit.
    assert name in response.text or len(value) > 1000


def test_huge_sizes_are_kept_to_what_the_card_needs(client, dispute):
    data = oembed(client, f"http://testserver/disputes/{dispute.slug}/", maxwidth="100000", maxheight="999999").json()
    assert 280 <= data["width"] <= 640 and 200 <= data["height"] <= 2000
    small = oembed(client, f"http://testserver/disputes/{dispute.slug}/", maxwidth="300", maxheight="250").json()
    assert small["width"] <= 300 and small["height"] <= 250
    assert 'width="300"' in small["html"]


def test_answers_are_cached_briefly_and_revalidated(client, dispute, editor):
    url = f"http://testserver/disputes/{dispute.slug}/"
    first = oembed(client, url)
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    again = client.get(
        first.request["PATH_INFO"] + "?" + first.request["QUERY_STRING"], HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    services.dispute_update(dispute=dispute, user=editor, version=dispute.version, proposition="A new wording.")
    changed = oembed(client, url)
    assert changed["ETag"] != first["ETag"] and changed.json()["title"] == "A new wording."


def test_a_huge_url_is_a_clear_4xx(client, dispute):
    response = oembed(client, "http://testserver/disputes/contact/" + "x" * 5000)
    assert response.status_code == 400  # the query string's own limit answers before the URL is looked up
