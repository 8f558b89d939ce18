"""The embeddable dispute card (/embed/disputes/<slug>/): what it shows, who may frame it, that it is
the same for everyone (no cookie, no login state), cheap (304, shared caches, a query budget) and
that drafts, deleted and unknown disputes are 404 without a word of their title."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from claims import services
from claims.models import Claim, Dispute, Stance

from .factories import ClaimFactory, DisputeFactory, PartyFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


def embed_url(dispute) -> str:
    return f"/embed/disputes/{dispute.slug}/"


@pytest.fixture
def contact(db):
    """A published, settled dispute: two parties, the US with an older and a newer claim."""
    dispute = DisputeFactory(
        slug="jet-contact", proposition="A Russian jet made contact with the US drone.", verdict="mostly_true"
    )
    us, russia = PartyFactory(name="United States"), PartyFactory(name="Russia")
    milley = SpeakerFactory(party=us, name="Gen. Mark Milley")
    ClaimFactory(dispute=dispute, party=us, quote="An older US statement.", said_on=datetime.date(2023, 3, 14))
    ClaimFactory(
        dispute=dispute,
        party=us,
        speaker=milley,
        quote="We have absolute evidence of the contact.",
        said_on=datetime.date(2023, 3, 16),
    )
    ClaimFactory(dispute=dispute, party=russia, stance=Stance.DENIES, quote="There was no contact.", said_on=None)
    dispute.refresh_status()
    dispute.refresh_from_db()
    return dispute


def test_the_card_shows_the_proposition_both_sides_and_where_it_stands(client, contact):
    page = client.get(embed_url(contact))
    assert page.status_code == 200
    html = page.text
    assert "A Russian jet made contact with the US drone." in html
    assert "Disputed" in html or "Settled" in html
    assert "Verdict: Mostly true" in html
    # Each party's latest claim, with its speaker and date; the older US claim is not on the card.
    assert "We have absolute evidence of the contact." in html and "Gen. Mark Milley" in html
    assert "16 March 2023" in html
    assert "There was no contact." in html and "date not known" in html
    assert "An older US statement." not in html
    # Counts per stance, when it last moved, and the way back to the whole dispute.
    assert "<strong>2</strong> affirms" in html and "<strong>1</strong> denies" in html
    assert "Updated" in html
    assert f'href="{contact.get_absolute_url()}" target="_blank"' in html


def test_the_card_is_its_own_document_with_its_own_styles_and_script(client, contact):
    html = client.get(embed_url(contact)).text
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "css/embed.css" in html and "js/embed-card.js" in html
    assert "css/site.css" not in html  # not the site's page chrome
    assert "<script>" not in html and "style=" not in html


@pytest.mark.parametrize("how", ["draft", "unknown", "deleted", "unpublished"])
def test_drafts_deleted_and_unknown_disputes_are_404_without_their_title(client, senior, how):
    secret = "Qzx a secret proposition"
    dispute = DisputeFactory(slug="secret", proposition=secret, is_published=how != "draft")
    ClaimFactory(dispute=dispute, quote="Qzx secret words")
    if how == "deleted":
        services.dispute_delete(dispute=dispute, user=senior)
    elif how == "unpublished":
        services.dispute_publish(dispute=dispute, user=senior, publish=False)
    slug = "nothing-here" if how == "unknown" else "secret"
    for who in ("stranger", "senior"):
        viewer = Client()
        if who == "senior":
            viewer.force_login(senior)  # an editor who may see the draft cannot embed it either
        response = viewer.get(f"/embed/disputes/{slug}/")
        assert response.status_code == 404
        assert "Qzx" not in response.text


def test_the_card_sets_no_cookie_and_is_the_same_for_everyone(client, contact, senior):
    stranger = client.get(embed_url(contact))
    editor = Client()
    editor.force_login(senior)
    editors = editor.get(embed_url(contact))
    assert stranger.status_code == editors.status_code == 200
    for response in (stranger, editors):
        assert not response.cookies, response.cookies  # no session, no CSRF cookie
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.get("Vary", "")
        assert "csrfmiddlewaretoken" not in response.text
    assert stranger.content == editors.content
    assert senior.username not in editors.text and "Log out" not in editors.text and "Log in" not in editors.text


def test_the_card_may_be_framed_by_the_allowed_origins_only(client, contact, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://news.example.org", "https://*.example.com"]
    response = client.get(embed_url(contact))
    assert "X-Frame-Options" not in response.headers
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors https://news.example.org https://*.example.com" in policy
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    settings.EMBED_ALLOWED_ORIGINS = ["none"]
    assert "frame-ancestors 'none'" in client.get(embed_url(contact))["Content-Security-Policy"]
    # Every other page keeps refusing to be framed.
    page = client.get(contact.get_absolute_url())
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", ["*"]),
        ("*", ["*"]),
        ("none", ["none"]),
        ("https://news.example.org, http://127.0.0.1:8080/", ["https://news.example.org", "http://127.0.0.1:8080"]),
        ("https://*.Example.org", ["https://*.example.org"]),
        ("http://[::1]:8001", ["http://[::1]:8001"]),
    ],
)
def test_embed_allowed_origins_are_read_from_the_environment(monkeypatch, value, expected):
    from tracker.settings import envorigins

    monkeypatch.setenv("EMBED_ALLOWED_ORIGINS", value)
    assert envorigins("EMBED_ALLOWED_ORIGINS", "*") == expected


@pytest.mark.parametrize(
    "value",
    [
        "news.example.org",
        "https://news.example.org/articles",
        "ftp://x.org",
        "https://a.org;script-src *",
        "*, https://a.org",
    ],
)
def test_a_bad_embed_origin_stops_start_up_with_a_clear_message(monkeypatch, value):
    from tracker.settings import envorigins

    monkeypatch.setenv("EMBED_ALLOWED_ORIGINS", value)
    with pytest.raises(ImproperlyConfigured, match="EMBED_ALLOWED_ORIGINS"):
        envorigins("EMBED_ALLOWED_ORIGINS", "*")


def test_a_repeat_request_is_304_and_shared_caches_may_keep_the_card_briefly(client, contact, settings):
    settings.EMBED_MAX_AGE = 120
    first = client.get(embed_url(contact))
    assert first["Cache-Control"] in ("public, max-age=120", "max-age=120, public")
    again = client.get(embed_url(contact), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_the_card_changes_when_the_dispute_changes(client, contact, editor):
    first = client.get(embed_url(contact))
    services.claim_create(
        dispute=contact, user=editor, party=PartyFactory(name="NATO"), stance=Stance.QUALIFIED, quote="It is unclear."
    )
    again = client.get(embed_url(contact), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "It is unclear." in again.text and "<strong>1</strong> qualified" in again.text


def _big(parties: int, claims_each: int) -> Dispute:
    dispute = DisputeFactory(slug=f"big-{parties}")
    for n in range(parties):
        party = PartyFactory()
        for m in range(claims_each):
            ClaimFactory(dispute=dispute, party=party, stance=[Stance.AFFIRMS, Stance.DENIES][n % 2], quote=f"q{n}-{m}")
    return dispute


@pytest.mark.parametrize("parties, claims_each", [(2, 1), (12, 10)])
def test_the_card_costs_the_same_few_queries_at_any_size(client, django_assert_max_num_queries, parties, claims_each):
    dispute = _big(parties, claims_each)
    # The page version, the dispute with its counts, each party's latest claim.
    with django_assert_max_num_queries(3):
        first = client.get(embed_url(dispute))
    assert first.status_code == 200
    assert first.text.count('class="claim stance-') == min(parties, 4)
    with django_assert_max_num_queries(1):
        assert client.get(embed_url(dispute), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # A second visitor without the ETag gets the copy rendered once for this version.
    with django_assert_max_num_queries(1):
        assert Client().get(embed_url(dispute)).content == first.content


def test_editors_find_the_embed_code_on_a_published_dispute(client, contact, editor, reader):
    client.force_login(editor)
    page = client.get(contact.get_absolute_url())
    assert "Embed this dispute in an article" in page.text
    assert f"http://testserver/embed/disputes/{contact.slug}/" in page.text
    assert "/static/js/embed-host.js" in page.text
    reader_client = Client()
    reader_client.force_login(reader)
    assert "Embed this dispute" not in reader_client.get(contact.get_absolute_url()).text
    draft = DisputeFactory(is_published=False)
    assert "Embed this dispute" not in client.get(draft.get_absolute_url()).text


def test_a_withdrawn_or_superseded_claim_is_not_the_partys_position_on_the_card(client, contact):
    """Only claims that stand count: the card shows the party's latest standing claim and counts those."""
    latest = contact.claims.get(quote="We have absolute evidence of the contact.")
    Claim.objects.filter(pk=latest.pk).update(standing="withdrawn", withdrawn_on=datetime.date(2023, 3, 20))
    html = client.get(embed_url(contact)).text
    assert "We have absolute evidence of the contact." not in html
    assert "An older US statement." in html
    assert "<strong>1</strong> affirms" in html


@pytest.mark.parametrize(
    "path",
    [
        "/embed/disputes/jet-contact/",
        "/disputes/jet-contact/share.png",
        "/oembed?url=http://testserver/disputes/jet-contact/",
    ],
)
def test_on_a_private_site_no_shared_cache_keeps_the_card_its_image_or_its_oembed(
    client, contact, reader, settings, path
):
    """A private site's card is the newsroom's own: a proxy must not hand it to the next visitor."""
    settings.SITE_PRIVATE = True
    client.force_login(reader)
    response = client.get(path)
    assert response.status_code == 200
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    settings.SITE_PRIVATE = False
    assert "public" in client.get(path)["Cache-Control"]
