"""Cards of the dispute and party pages cached per page stamp and kind of viewer (claims/card_cache.py).

Every test views the page under two query strings, so the second view is never the body
cached for the first (views/disputes.py keys that on the query string): what it shows
comes from the cards' own cache, and must be what the page would render now.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import roles
from claims.models import Appearance, EvidenceLink, Source, Stance

from .factories import (
    ArticleLinkFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceFactory,
    SourceFactory,
    SpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute():
    dispute = DisputeFactory(proposition="The jet hit the drone.")
    speaker = SpeakerFactory(name="Pat Ryder")
    claim = ClaimFactory(
        dispute=dispute, stance=Stance.AFFIRMS, party=speaker.party, speaker=speaker, quote="The first wording."
    )
    ClaimFactory(dispute=dispute, stance=Stance.DENIES)
    evidence = EvidenceFactory(dispute=dispute, source=SourceFactory(), title="Footage from the jet")
    EvidenceLink.objects.create(evidence=evidence, claim=claim, effect=EvidenceLink.Effect.SUPPORTS)
    ArticleLinkFactory(dispute=dispute, note="First note.")
    return dispute


ROLES = {
    "visitor": None,
    "reader": [roles.READERS],
    "editor": [roles.EDITORS],
    "senior editor": [roles.EDITORS, roles.SENIOR_EDITORS],
}


def _client(role: str) -> Client:
    client = Client()
    if ROLES[role] is not None:
        client.force_login(UserFactory(username=role.replace(" ", "-"), roles=ROLES[role]))
    return client


def _url(dispute) -> str:
    return reverse("claims:dispute-detail", args=[dispute.slug])


def _body(response) -> str:
    html = response.text
    return html[html.index('<div id="dispute-body"') : html.index("</main>")]


def _first(qs):
    return qs.order_by("pk").first()


def _save(obj, **changes):
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()


# Writes to what a card shows, and the text the next view must show (and the text it must not).
CARD_WRITES = {
    "claim edited": (
        lambda d: _save(d.claims.get(quote="The first wording."), quote="The corrected wording."),
        "The corrected wording.",
        "The first wording.",
    ),
    "party renamed": (
        lambda d: _save(_first(d.claims).party, name="Renamed party"),
        "Renamed party",
        None,
    ),
    "speaker renamed": (
        lambda d: _save(_first(d.claims.filter(speaker__isnull=False)).speaker, name="Sam Other"),
        "Sam Other",
        "Pat Ryder",
    ),
    "source retitled": (lambda d: _save(_first(d.claims).source, title="A retitled source"), "A retitled source", None),
    "source found gone by the checker": (
        lambda d: Source.objects.filter(pk=_first(d.claims).source_id).update(
            check_state=Source.CheckState.GONE, last_checked_at=timezone.now()
        ),
        "check-gone",  # the badge's class (its text says "Checking…" while the factory's check job is queued)
        None,
    ),
    "evidence retitled": (
        lambda d: _save(_first(d.evidence), title="Footage from the ship"),
        "Footage from the ship",
        "Footage from the jet",
    ),
    "claim seen in another source": (
        lambda d: Appearance.objects.create(
            claim=d.claims.get(quote="The first wording."), source=SourceFactory(title="Another outlet")
        ),
        "Another outlet",
        None,
    ),
    "article note edited": (
        lambda d: _save(_first(d.article_links), note="Second note."),
        "Second note.",
        "First note.",
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", CARD_WRITES)
def test_a_write_changes_the_cached_card_the_next_viewer_sees(dispute, role, write):
    change, shown, gone = CARD_WRITES[write]
    client = _client(role)
    before = client.get(_url(dispute), {"from": "a"})
    assert before.status_code == 200 and shown not in _body(before)
    change(dispute)
    after = _client(role).get(_url(dispute), {"from": "b"}) if role == "visitor" else client.get(_url(dispute))
    body = _body(after)
    assert shown in body
    if gone:
        assert gone not in body


@pytest.mark.parametrize("role", ROLES)
def test_cards_from_the_cache_are_the_cards_rendered(dispute, role):
    client = _client(role)
    rendered = client.get(_url(dispute), {"from": "a"})
    cached = client.get(_url(dispute), {"from": "b"})
    # Editors' forms carry a token per request (masked): compare without it.
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", _body(cached)) == token.sub("", _body(rendered))


def test_each_kind_of_viewer_gets_its_own_cards(dispute):
    visitor = Client().get(_url(dispute), {"from": "a"})
    editor = _client("editor").get(_url(dispute))
    reader = _client("reader").get(_url(dispute))
    visitor_again = Client().get(_url(dispute), {"from": "b"})
    claim = _first(dispute.claims)
    edit_link = reverse("claims:claim-edit", args=[claim.pk])
    history_link = reverse("claims:history", args=["claim", claim.pk])
    assert edit_link in _body(editor)
    assert history_link in _body(reader) and edit_link not in _body(reader)
    for page in (visitor, visitor_again):
        assert edit_link not in _body(page) and history_link not in _body(page)


def test_a_card_with_a_form_carries_each_editors_own_token(dispute):
    link = EvidenceLink.objects.get()
    _client("editor").get(_url(dispute))  # another editor's view first
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="second-editor", roles=[roles.EDITORS]))
    client.get(_url(dispute))  # sets the CSRF cookie, as a browser's first view does
    body = _body(client.get(_url(dispute), {"from": "b"}))
    remove = reverse("claims:evidence-link-remove", args=[link.pk])
    form = body[body.index(f'action="{remove}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', form).group(1)
    response = client.post(remove, {"csrfmiddlewaretoken": token})
    assert response.status_code != 403
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()


# The party page's claim rows, each under its own dispute's page stamp.


def _party_url(party) -> str:
    return reverse("claims:party-detail", args=[party.slug])


@pytest.mark.parametrize("role", ["visitor", "editor"])
@pytest.mark.parametrize("write", ["claim edited", "speaker renamed", "source found gone by the checker"])
def test_a_write_changes_the_party_page_row_the_next_viewer_sees(dispute, role, write):
    change, shown, gone = CARD_WRITES[write]
    party = dispute.claims.get(quote="The first wording.").party
    client = _client(role)
    before = client.get(_party_url(party)).text
    assert "The first wording." in before and shown not in before
    change(dispute)
    after = client.get(_party_url(party)).text
    assert shown in after
    if gone:
        assert gone not in after


def test_a_verdict_changes_the_party_page_rows(dispute):
    party = dispute.claims.get(quote="The first wording.").party
    client = Client()
    row = '<span class="outcome outcome-for">Settled for</span>'
    assert row not in client.get(_party_url(party)).text
    _save(dispute, verdict=dispute.Verdict.TRUE, verdict_reasoning="The footage shows it.")
    assert row in client.get(_party_url(party)).text


def test_a_stored_card_holds_no_token():
    from claims.card_cache import CardCache, with_token

    cards = CardCache(prefix="card:test")
    form = '<form><input type="hidden" name="csrfmiddlewaretoken" value="TOKEN-OF-EDITOR-ONE"></form>'
    cards.keep("card:test:evidence:1", form)
    stored = cards.rendered["card:test:evidence:1"]
    assert "TOKEN-OF-EDITOR-ONE" not in stored
    assert with_token(stored, "TOKEN-OF-EDITOR-TWO") == form.replace("ONE", "TWO")


# The party page's record (counts, positions over time), cached under the newest page stamp.


def _figure(html: str, label: str) -> str:
    return re.search(rf"<dt>{label}</dt><dd>(\d+)</dd>", html).group(1)


@pytest.mark.parametrize("role", ["visitor", "editor"])
def test_a_write_changes_the_party_record_the_next_viewer_sees(dispute, role):
    party = dispute.claims.get(quote="The first wording.").party
    client = _client(role)
    before = client.get(_party_url(party)).text
    assert _figure(before, "Settled for it") == "0" and "Claims (1)" in before
    _save(dispute, verdict=dispute.Verdict.TRUE, verdict_reasoning="The footage shows it.")
    ClaimFactory(party=party, dispute=DisputeFactory(), quote="A claim elsewhere.")
    after = client.get(_party_url(party)).text
    assert _figure(after, "Settled for it") == "1" and "Claims (2)" in after


def test_the_party_record_of_a_visitor_leaves_drafts_out(dispute):
    party = dispute.claims.get(quote="The first wording.").party
    ClaimFactory(party=party, dispute=DisputeFactory(is_published=False), quote="On a draft.")
    assert "Claims (2)" in _client("editor").get(_party_url(party)).text
    visitor = Client().get(_party_url(party)).text
    assert "Claims (1)" in visitor and "On a draft." not in visitor
