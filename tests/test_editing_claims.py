"""Adding and editing claims, as a plain form page and in place with htmx."""

import pytest

from claims.models import Claim, Source, Stance

from .factories import ClaimFactory, DisputeFactory, PartyFactory, SourceFactory, SpeakerFactory
from .helpers import HTMX, form_data

pytestmark = pytest.mark.django_db


def claim_data(party, **overrides):
    data = {
        "party": party.pk,
        "speaker": "",
        "new_speaker": "",
        "stance": Stance.AFFIRMS,
        "quote": "We have absolute evidence of the contact.",
        "paraphrase": "",
        "said_on": "2023-03-15",
        "said_on_precision": "day",
        "source_url": "https://www.defense.gov/News/Transcripts/briefing/",
    }
    data.update(overrides)
    return data


def test_editor_adds_a_claim_without_javascript(editor_client):
    dispute = DisputeFactory()
    party = PartyFactory(name="United States")
    url = f"/disputes/{dispute.slug}/claims/new/?stance=affirms"
    page = editor_client.get(url)
    assert page.status_code == 200
    assert b"<html" in page.content and b'name="quote"' in page.content
    response = editor_client.post(url, claim_data(party))
    assert response.status_code == 302
    claim = Claim.objects.get(dispute=dispute)
    assert response["Location"] == claim.get_absolute_url()
    assert claim.quote == "We have absolute evidence of the contact."
    assert claim.source.url == "https://www.defense.gov/News/Transcripts/briefing/"
    assert claim.created_by.username == "eddie"


def test_pasting_a_known_url_reuses_its_source(editor_client):
    known = SourceFactory(url="https://news.example.org/drone")
    dispute = DisputeFactory()
    party = PartyFactory()
    pasted = "HTTPS://News.Example.org:443/drone?utm_source=x#top"
    response = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", claim_data(party, source_url=pasted))
    assert response.status_code == 302
    assert Claim.objects.get(dispute=dispute).source == known
    assert Source.objects.count() == 1


@pytest.mark.parametrize(
    ("bad_url", "message"),
    [
        ("ftp://example.org/file", "Only http:// and https:// URLs"),
        ("javascript:alert(1)", "Only http:// and https:// URLs"),
        ("https://user:secret@example.org/", "user name or password"),
        ("https://example.org/a b", "cannot contain spaces"),
    ],
)
def test_bad_url_shows_an_error_next_to_the_field_and_saves_nothing(editor_client, bad_url, message):
    dispute = DisputeFactory()
    party = PartyFactory()
    response = editor_client.post(
        f"/disputes/{dispute.slug}/claims/new/", claim_data(party, source_url=bad_url), **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'id="id_source_url_error"' in html
    assert 'aria-invalid="true"' in html and "id_source_url_error" in html.split('name="source_url"')[1].split(">")[0]
    assert "<html" not in html  # the form partial, not the page
    assert not Claim.objects.exists()
    assert not Source.objects.exists()


def test_claim_needs_a_quote_or_a_paraphrase(editor_client):
    dispute = DisputeFactory()
    response = editor_client.post(
        f"/disputes/{dispute.slug}/claims/new/", claim_data(PartyFactory(), quote="", paraphrase="")
    )
    assert response.status_code == 200
    assert "Give the verbatim quote, a paraphrase, or both." in response.content.decode()
    assert not Claim.objects.exists()


def test_speaker_must_speak_for_the_chosen_party(editor_client):
    dispute = DisputeFactory()
    us, russia = PartyFactory(name="United States"), PartyFactory(name="Russia")
    lavrov = SpeakerFactory(party=russia, name="Sergey Lavrov")
    response = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", claim_data(us, speaker=lavrov.pk))
    assert response.status_code == 200
    assert "Sergey Lavrov speaks for Russia, not for United States." in response.content.decode()
    assert not Claim.objects.exists()


def test_a_new_speaker_is_created_for_the_party(editor_client):
    dispute = DisputeFactory()
    us = PartyFactory(name="United States")
    response = editor_client.post(
        f"/disputes/{dispute.slug}/claims/new/", claim_data(us, new_speaker="Gen. Mark Milley")
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.speaker.name == "Gen. Mark Milley" and claim.speaker.party == us


def test_htmx_edit_form_replaces_the_card(editor_client):
    claim = ClaimFactory()
    response = editor_client.get(f"/claims/{claim.pk}/edit/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="claim-{claim.pk}"' in html
    assert f'hx-post="/claims/{claim.pk}/edit/"' in html
    assert f'name="version" value="{claim.version}"' in html


def test_editor_edits_a_claim_in_place(editor_client):
    claim = ClaimFactory(quote="Old words.")
    data = claim_data(claim.party, quote="New words.", version=claim.version, source_url=claim.source.url)
    response = editor_client.post(f"/claims/{claim.pk}/edit/", data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="claim-{claim.pk}"' in html and "New words." in html
    assert "<html" not in html
    claim.refresh_from_db()
    assert claim.quote == "New words."


def test_changing_the_stance_moves_the_card_and_updates_the_status(editor_client):
    dispute = DisputeFactory()
    ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS)
    claim = ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS)
    data = claim_data(claim.party, stance=Stance.DENIES, quote=claim.quote, version=claim.version)
    response = editor_client.post(f"/claims/{claim.pk}/edit/", data, **HTMX)
    html = response.content.decode()
    assert 'hx-swap-oob="beforeend:#column-denies"' in html
    assert 'hx-swap-oob="true"' in html and "Disputed" in html
    dispute.refresh_from_db()
    assert dispute.status == dispute.Status.DISPUTED


def test_htmx_create_appends_the_card_to_its_column(editor_client):
    dispute = DisputeFactory()
    party = PartyFactory()
    response = editor_client.post(
        f"/disputes/{dispute.slug}/claims/new/?stance=denies", claim_data(party, stance=Stance.DENIES), **HTMX
    )
    html = response.content.decode()
    claim = Claim.objects.get()
    assert 'id="new-claim-denies"' in html  # a fresh "add" button where the form was
    assert 'hx-swap-oob="beforeend:#column-denies"' in html
    assert f'id="claim-{claim.pk}"' in html


def test_cancel_returns_the_card(editor_client):
    claim = ClaimFactory(quote="As it was.")
    response = editor_client.get(f"/claims/{claim.pk}/", **HTMX)
    assert f'id="claim-{claim.pk}"' in response.content.decode()
    assert editor_client.get(f"/claims/{claim.pk}/")["Location"].endswith(f"#claim-{claim.pk}")


def test_delete_asks_for_confirmation_first(senior_client):
    claim = ClaimFactory()
    page = senior_client.get(f"/claims/{claim.pk}/delete/")
    assert page.status_code == 200
    assert "Delete the claim" in page.content.decode()
    assert Claim.objects.filter(pk=claim.pk).exists()
    response = senior_client.post(f"/claims/{claim.pk}/delete/", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Claim deleted." in html and f"/history/claim/{claim.pk}/" in html
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_a_new_party_and_its_speaker_are_created_inline(editor_client):
    dispute = DisputeFactory()
    data = claim_data(PartyFactory()) | {"party": "", "new_party": "Wagner Group", "new_speaker": "A spokesman"}
    response = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", data)
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.party.name == "Wagner Group" and claim.party.slug == "wagner-group"
    assert claim.speaker.party == claim.party


def test_a_claim_needs_a_party(editor_client):
    dispute = DisputeFactory()
    response = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", claim_data(PartyFactory()) | {"party": ""})
    assert "Choose the party that made the claim, or name a new one." in response.content.decode()
    assert not Claim.objects.exists()


def test_edit_without_its_version_is_refused_not_saved(editor_client):
    claim = ClaimFactory(quote="Original.")
    url = f"/claims/{claim.pk}/edit/"
    data = form_data(editor_client.get(url), quote="Overwritten without a version.")
    del data["version"]
    response = editor_client.post(url, data)
    assert "did not say which version it edits" in response.text
    claim.refresh_from_db()
    assert claim.quote == "Original."
