"""The Clip bookmarklet's server side (issue 12, "Clip a quote from any page"): the link on the
account page, the prefilled claim form, the dispute picker, saving with the quote's selector,
and the CSRF-exempt landing for long selections that writes nothing of the ledger."""

import datetime
from urllib.parse import unquote, urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import clip
from claims.models import Claim, ClipDraft, Dispute, Source, Stance

from .factories import DisputeFactory, PartyFactory
from .helpers import HTMX, form_data

pytestmark = pytest.mark.django_db

QUOTE = "We have absolute evidence of the contact."
PAGE = {
    "quote": QUOTE,
    "url": "https://www.defense.gov/News/Transcripts/briefing/",
    "title": "Milley briefing transcript",
    "prefix": "at a briefing, Gen. Milley said: “",
    "suffix": "” He did not say more.",
}


def test_the_account_page_offers_the_clip_link_to_editors_only(client, editor, reader):
    client.force_login(editor)
    page = client.get(reverse("claims:account")).content.decode()
    assert 'href="javascript:' in page and "Clip to" in page
    client.force_login(reader)
    assert "javascript:" not in client.get(reverse("claims:account")).content.decode()


def test_the_bookmarklet_only_builds_an_address_to_the_tracker():
    code = unquote(clip.bookmarklet("https://claims.example.org"))
    assert code.startswith("javascript:(function(){")
    assert '"https://claims.example.org"' in code and "/clip/?" in code and "/clip/landing/" in code
    for loader in ("createElement('script')", "fetch(", "XMLHttpRequest", "import(", "eval(", ".src="):
        assert loader not in code, loader
    assert len(clip.bookmarklet("https://claims.example.org")) < 4000


def test_a_clip_in_the_address_prefills_the_form(editor_client):
    response = editor_client.get(f"{reverse('claims:clip')}?{urlencode(PAGE)}")
    assert response.status_code == 200
    data = form_data(response, action=reverse("claims:clip"))
    assert data["quote"] == QUOTE and data["source_url"] == PAGE["url"]
    assert data["quote_prefix"] == PAGE["prefix"] and data["quote_suffix"] == PAGE["suffix"]
    assert "Milley briefing transcript" in response.content.decode()


def test_saving_a_clip_records_the_claim_with_where_the_quote_sits(editor_client, editor):
    dispute = DisputeFactory(proposition="A Russian jet made contact with the US drone.")
    party = PartyFactory(name="United States")
    page = editor_client.get(f"{reverse('claims:clip')}?{urlencode(PAGE)}")
    data = form_data(
        page, action=reverse("claims:clip"), dispute=str(dispute.pk), party=str(party.pk), stance="affirms"
    )
    response = editor_client.post(reverse("claims:clip"), data)
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    assert (claim.dispute, claim.party, claim.stance, claim.quote) == (dispute, party, Stance.AFFIRMS, QUOTE)
    assert (claim.quote_exact, claim.quote_prefix, claim.quote_suffix) == (QUOTE, PAGE["prefix"], PAGE["suffix"])
    assert claim.source.url == Source.objects.get().url and claim.created_by == editor
    assert editor_client.post(reverse("claims:clip"), data).status_code == 302  # sent twice: one claim
    assert Claim.objects.count() == 1


def test_a_clip_can_start_a_new_dispute(editor_client):
    page = editor_client.get(f"{reverse('claims:clip')}?{urlencode(PAGE)}")
    data = form_data(
        page, action=reverse("claims:clip"), new_proposition="The US drone was in international airspace.",
        new_party="United States", stance="affirms",
    )  # fmt: skip
    assert editor_client.post(reverse("claims:clip"), data).status_code == 302
    dispute = Dispute.objects.get()
    assert dispute.proposition == "The US drone was in international airspace." and not dispute.is_published
    assert dispute.claims.get().quote == QUOTE


@pytest.mark.parametrize(
    "change,field",
    [
        ({}, "dispute"),  # neither a dispute nor a new one
        ({"new_proposition": "Another.", "dispute": "DISPUTE"}, "new_proposition"),  # both
        ({"dispute": "99999999"}, "dispute"),  # one that does not exist
        ({"dispute": "DISPUTE", "stance": "sideways"}, "stance"),
    ],
)
def test_a_bad_clip_form_is_refused_whole(editor_client, change, field):
    dispute = DisputeFactory()
    page = editor_client.get(f"{reverse('claims:clip')}?{urlencode(PAGE)}")
    change = {k: (str(dispute.pk) if v == "DISPUTE" else v) for k, v in change.items()}
    data = form_data(page, action=reverse("claims:clip"), new_party="Russia", stance="denies") | change
    response = editor_client.post(reverse("claims:clip"), data)
    assert response.status_code == 400
    assert f"field-{field} has-error" in response.content.decode()
    assert not Claim.objects.exists() and not Source.objects.exists()
    assert Dispute.objects.count() == 1


def test_a_draft_is_not_offered_to_pick_for_those_who_cannot_see_it(client, editor):
    DisputeFactory(proposition="A drone fell into the sea.", is_published=False)
    client.force_login(editor)
    found = client.get(reverse("claims:clip-disputes"), {"q": "drone"}, **HTMX).content.decode()
    assert "A drone fell into the sea." in found  # editors see drafts


def test_the_picker_finds_disputes_as_one_types_and_keeps_the_choice(editor_client, django_assert_max_num_queries):
    kept = DisputeFactory(proposition="The intercept was intentional.")
    for n in range(20):
        DisputeFactory(proposition=f"The drone was struck, version {n}.")
    with django_assert_max_num_queries(8):
        response = editor_client.get(reverse("claims:clip-disputes"), {"q": "struck", "dispute": kept.pk}, **HTMX)
    html = response.content.decode()
    assert html.count('type="radio"') == 9  # the eight best matches and the one already chosen
    assert f'value="{kept.pk}" id="dispute-{kept.pk}" checked' in html
    assert "No dispute matches" in editor_client.get(reverse("claims:clip-disputes"), {"q": "zzzz"}).content.decode()


def test_a_long_selection_lands_as_a_draft_without_csrf_and_writes_nothing_else(editor):
    long_quote = "The Russian fighters did not come into contact. " * 100
    stranger = Client(enforce_csrf_checks=True)  # a cross-site POST: no session, no token
    response = stranger.post(reverse("claims:clip-landing"), PAGE | {"quote": long_quote})
    assert response.status_code == 302
    key = ClipDraft.objects.get().key
    assert response["Location"] == f"{reverse('claims:clip')}?draft={key}"
    assert "sessionid" not in response.cookies  # it touches nobody's session
    assert not Claim.objects.exists() and not Dispute.objects.exists() and not Source.objects.exists()

    editor_client = Client()
    editor_client.force_login(editor)
    page = editor_client.get(response["Location"])
    data = form_data(page, action=reverse("claims:clip"))
    assert data["quote"] == long_quote.strip() or data["quote"] == long_quote
    assert data["source_url"] == PAGE["url"]


def test_the_landing_cuts_what_is_too_long_and_refuses_a_get(client):
    response = client.post(reverse("claims:clip-landing"), {"quote": "q" * 50_000, "title": "t" * 5_000})
    assert response.status_code == 302
    draft = ClipDraft.objects.get()
    assert len(draft.data["quote"]) == clip.LIMITS["quote"] and len(draft.data["title"]) == clip.LIMITS["title"]
    assert client.get(reverse("claims:clip-landing")).status_code == 405


def test_an_expired_or_unknown_draft_says_so(editor_client):
    old = ClipDraft.objects.create(data=clip.clean_draft(PAGE))
    ClipDraft.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    for key in (old.key, "no-such-key", "x" * 100):
        response = editor_client.get(reverse("claims:clip"), {"draft": key})
        assert response.status_code == 200
        assert "no longer kept" in response.content.decode()


def test_only_editors_clip(client, reader):
    response = client.get(f"{reverse('claims:clip')}?{urlencode(PAGE)}")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(reader)
    assert client.get(reverse("claims:clip")).status_code == 403
    assert client.post(reverse("claims:clip"), {"dispute": "1"}).status_code == 403


def test_one_address_cannot_flood_the_landing_with_drafts(client, settings):
    settings.RATELIMIT_CLIP_LANDING = "3/m"
    for n in range(3):
        assert client.post(reverse("claims:clip-landing"), PAGE | {"quote": f"Quote {n}"}).status_code == 302
    refused = client.post(reverse("claims:clip-landing"), PAGE | {"quote": "One too many"})
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert ClipDraft.objects.count() == 3
    # Another address is counted on its own.
    other = client.post(reverse("claims:clip-landing"), PAGE | {"quote": "Elsewhere"}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302
