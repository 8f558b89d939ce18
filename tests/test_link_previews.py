"""Link previews: Open Graph and Twitter-card meta on published disputes, parties and the home page,
as a social platform's crawler reads them (title, a description that states both sides, canonical
URL, site name, locale, an image that is there)."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders

from claims.models import Stance

from .factories import ClaimFactory, DisputeFactory, PartyFactory

pytestmark = pytest.mark.django_db


class MetaReader(HTMLParser):
    """The ``<meta property|name>`` and ``<link rel=canonical>`` of a page, as crawlers read them."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (key := attrs.get("property") or attrs.get("name")):
            self.meta.setdefault(key, attrs.get("content", ""))
        if tag == "link" and attrs.get("rel") == "canonical":
            self.meta["canonical"] = attrs["href"]


def meta_of(response) -> dict[str, str]:
    assert response.status_code == 200
    reader = MetaReader()
    reader.feed(response.content.decode())
    return reader.meta


REQUIRED = ["og:title", "og:description", "og:url", "og:site_name", "og:locale", "og:image", "og:type", "twitter:card"]


@pytest.fixture
def dispute(db):
    dispute = DisputeFactory(slug="contact", proposition="A Russian jet made contact with the US drone.")
    ClaimFactory(dispute=dispute, party=PartyFactory(name="United States", slug="us"), quote="Contact.")
    ClaimFactory(dispute=dispute, party=PartyFactory(name="United States Navy"), quote="Contact seen.")
    ClaimFactory(dispute=dispute, party=PartyFactory(name="Russia", slug="ru"), stance=Stance.DENIES, quote="None.")
    return dispute


def test_a_dispute_preview_states_both_sides_and_where_it_stands(client, dispute, settings):
    settings.SITE_URL = "https://claims.example.org"
    meta = meta_of(client.get(dispute.get_absolute_url()))
    assert all(meta.get(key) for key in REQUIRED), meta
    assert meta["og:title"] == "A Russian jet made contact with the US drone."
    description = meta["og:description"]
    assert "Affirms: United States, United States Navy (2 claims)." in description
    assert "Denies: Russia (1 claim)." in description
    assert "Status: Disputed." in description and "No verdict yet." in description
    assert meta["og:url"] == meta["canonical"] == "https://claims.example.org/disputes/contact/"
    assert meta["og:site_name"] == settings.SITE_NAME and meta["og:locale"] == "en_GB"
    assert meta["og:image"] == "https://claims.example.org/disputes/contact/share.png"
    assert meta["twitter:card"] == "summary_large_image" and meta["twitter:image"] == meta["og:image"]
    assert meta["og:image:width"] == "1200" and meta["og:image:height"] == "630"
    # The image named is there.
    assert client.get(urlsplit(meta["og:image"]).path)["Content-Type"] == "image/png"


def test_the_preview_is_there_for_visitors_served_the_cached_copy(client, dispute):
    first = meta_of(client.get(dispute.get_absolute_url()))
    again = meta_of(client.get(dispute.get_absolute_url()))
    assert first["og:description"] == again["og:description"]


def test_drafts_have_no_preview(editor_client):
    draft = DisputeFactory(is_published=False)
    meta = meta_of(editor_client.get(draft.get_absolute_url()))
    assert "og:title" not in meta and "og:image" not in meta


def test_party_and_home_pages_have_previews(client, dispute):
    for path, title in [("/parties/us/", "United States"), ("/", None)]:
        meta = meta_of(client.get(path))
        assert all(meta.get(key) for key in REQUIRED), (path, meta)
        if title:
            assert meta["og:title"].startswith(title)
            assert "1 claim in 1 dispute" in meta["og:description"]
        assert meta["og:image"].endswith("/static/img/share-card.png")
        assert finders.find("img/share-card.png")


def test_no_template_comment_shows_on_a_page(client, dispute):
    """A ``{# #}`` comment over several lines is printed as text (it was, at the top of every page)."""
    for path in ("/", dispute.get_absolute_url(), "/parties/us/", f"/embed/disputes/{dispute.slug}/"):
        text = client.get(path).text
        assert "{#" not in text and "{%" not in text, path
