"""A claim's standing over time: current, withdrawn by its speaker, superseded by a later claim, corrected.

Nothing is deleted: a withdrawn or superseded claim stays on the dispute page, set apart, with
when, where and why; it leaves the dispute's status; the history and the feed tell the change.
"""

import csv
import datetime
import io
import re

import pytest

from claims import services
from claims.models import Claim, ClaimStanding, Dispute, FeedItem, Stance

from .factories import ClaimFactory, DisputeFactory, PartyFactory, UserFactory
from .helpers import HTMX, form_data

pytestmark = pytest.mark.django_db

MARCH_14, MARCH_20 = datetime.date(2023, 3, 14), datetime.date(2023, 3, 20)
RETRACTION = "https://news.example.org/ministry-retracts"


@pytest.fixture
def disputed():
    """A disputed dispute: the US affirms, Russia denies (14 March), then Russia qualifies (20 March)."""
    dispute = DisputeFactory(proposition="A Russian jet struck the US drone.")
    us, russia = PartyFactory(name="United States government"), PartyFactory(name="Russian government")
    affirms = ClaimFactory(dispute=dispute, party=us, stance=Stance.AFFIRMS, said_on=MARCH_14)
    denies = ClaimFactory(dispute=dispute, party=russia, stance=Stance.DENIES, said_on=MARCH_14, quote="No contact.")
    later = ClaimFactory(dispute=dispute, party=russia, stance=Stance.QUALIFIED, said_on=MARCH_20)
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.DISPUTED
    return dispute, affirms, denies, later


def edit(client, claim, **changes):
    page = client.get(f"/claims/{claim.pk}/edit/")
    return client.post(f"/claims/{claim.pk}/edit/", form_data(page, **changes))


def field_errors(response, name: str) -> str:
    """The text of the error shown beside one field of the rendered form."""
    html = response.content.decode()
    match = re.search(
        rf'<div class="field field-{name} has-error">(.*?)</div>\s*(<div class="field|<p class)', html, re.S
    )
    assert match, f"no error beside {name}: {html[:3000]}"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def card_of(html: str, claim) -> str:
    """One claim's card on the dispute page, from its opening tag to its end."""
    start = html.rindex("<article", 0, html.index(f'id="claim-{claim.pk}"'))
    return html[start : html.index("</article>", start)]


def test_a_withdrawn_claim_stays_on_the_page_set_apart_and_leaves_the_status(editor_client, disputed):
    dispute, _, denies, later = disputed
    response = edit(
        editor_client,
        denies,
        standing="withdrawn",
        withdrawn_on="2023-03-16",
        withdrawn_url=RETRACTION,
        standing_note="The ministry said the first statement was issued in error.",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    denies.refresh_from_db()
    assert (denies.standing, denies.withdrawn_on, denies.withdrawn_url) == (
        "withdrawn",
        datetime.date(2023, 3, 16),
        RETRACTION,
    )
    # Only the US still affirms and Russia's later claim qualifies: no longer disputed.
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.SINGLE_SIDED

    html = editor_client.get(dispute.get_absolute_url()).content.decode()
    card = card_of(html, denies)
    assert "set-apart" in card.split(">", 1)[0]
    assert "Withdrawn by its speaker on 16 March 2023" in card
    assert f'href="{RETRACTION}"' in card
    assert "issued in error" in card and "Not counted in the dispute’s status." in card
    assert "No contact." in card  # the words are kept, struck through by the stylesheet

    item = FeedItem.objects.get(kind=FeedItem.Kind.STANDING)
    assert item.claim == denies and item.title.startswith("Withdrawn: Russian government withdrew its claim")
    assert FeedItem.objects.filter(kind=FeedItem.Kind.STATUS, new_value=Dispute.Status.SINGLE_SIDED).exists()

    history = editor_client.get(f"/history/claim/{denies.pk}/").content.decode()
    assert "<del>Current</del>" in history and "<ins>Withdrawn by its speaker</ins>" in history


def test_a_superseded_claim_links_to_the_later_claim_of_its_party(editor_client, disputed):
    dispute, _, denies, later = disputed
    response = edit(editor_client, denies, standing="superseded", superseded_by=str(later.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    denies.refresh_from_db()
    assert denies.superseded_by == later and denies.is_set_apart
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.SINGLE_SIDED
    html = editor_client.get(dispute.get_absolute_url()).content.decode()
    card = card_of(html, denies)
    assert "Superseded by a later claim" in card
    assert f'href="{dispute.get_absolute_url()}#claim-{later.pk}"' in card and "20 March 2023" in card
    item = FeedItem.objects.get(kind=FeedItem.Kind.STANDING)
    assert item.title.startswith("Superseded: Russian government replaced its claim")
    # The party page sets it apart too.
    party_page = editor_client.get(denies.party.get_absolute_url()).content.decode()
    assert "Superseded by a later claim" in party_page


def test_a_correction_keeps_the_misreported_wording_beside_the_corrected_one(editor_client, disputed):
    dispute, _, denies, _ = disputed
    response = edit(editor_client, denies, standing="corrected", quote="No deliberate contact.")
    assert response.status_code == 302, response.content.decode()[:3000]
    denies.refresh_from_db()
    assert (denies.quote, denies.misreported_quote) == ("No deliberate contact.", "No contact.")
    # A corrected claim still stands: the dispute stays disputed.
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.DISPUTED
    html = editor_client.get(dispute.get_absolute_url()).content.decode()
    card = card_of(html, denies)
    assert "First reported as" in card and "<del>No contact.</del>" in card and "No deliberate contact." in card
    assert "set-apart" not in card.split(">", 1)[0]
    assert FeedItem.objects.get(kind=FeedItem.Kind.STANDING).summary.startswith("First reported as: No contact.")


def test_a_claim_brought_back_into_force_counts_again(editor_client, disputed):
    dispute, _, denies, _ = disputed
    assert (
        edit(
            editor_client, denies, standing="withdrawn", withdrawn_on="2023-03-16", withdrawn_url=RETRACTION
        ).status_code
        == 302
    )
    assert edit(editor_client, Claim.objects.get(pk=denies.pk), standing="current").status_code == 302
    denies.refresh_from_db()
    assert (denies.standing, denies.withdrawn_on, denies.withdrawn_url) == ("current", None, "")
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.DISPUTED
    assert [i.new_value for i in FeedItem.objects.filter(kind=FeedItem.Kind.STANDING).order_by("pk")] == [
        "withdrawn",
        "current",
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"standing": "superseded", "superseded_by": "other-party"},
            "superseded_by",
            "United States government’s claim",
        ),
        ({"standing": "superseded", "superseded_by": "itself"}, "superseded_by", "cannot supersede itself"),
        ({"standing": "superseded", "superseded_by": ""}, "superseded_by", "Choose the later claim"),
        ({"standing": "superseded", "superseded_by": "earlier"}, "superseded_by", "choose a later claim"),
        (
            {"standing": "withdrawn", "withdrawn_on": "2023-03-10", "withdrawn_url": RETRACTION},
            "withdrawn_on",
            "cannot have been withdrawn before",
        ),
        ({"standing": "withdrawn", "withdrawn_on": "", "withdrawn_url": RETRACTION}, "withdrawn_on", "Say when"),
        (
            {"standing": "withdrawn", "withdrawn_on": "2023-03-16", "withdrawn_url": ""},
            "withdrawn_url",
            "Paste the address",
        ),
        (
            {"standing": "corrected", "misreported_quote": "No contact."},
            "misreported_quote",
            "give the wording that was misreported",
        ),
        ({"standing": "bogus"}, "standing", "Select a valid choice"),
    ],
)
def test_bad_standing_is_refused_beside_the_field_and_nothing_is_saved(
    editor_client, disputed, changes, field, message
):
    dispute, affirms, denies, later = disputed
    named = {
        "other-party": affirms.pk,
        "itself": denies.pk,
        "earlier": ClaimFactory(dispute=dispute, party=denies.party, said_on=datetime.date(2023, 3, 1)).pk,
    }
    if changes.get("superseded_by") in named:
        changes = {**changes, "superseded_by": str(named[changes["superseded_by"]])}
    version = Claim.objects.get(pk=denies.pk).version
    response = edit(editor_client, denies, **changes)
    assert response.status_code == 200
    assert message in field_errors(response, field)
    denies.refresh_from_db()
    assert (denies.standing, denies.version) == (ClaimStanding.CURRENT, version)
    assert not FeedItem.objects.filter(kind=FeedItem.Kind.STANDING).exists()


def test_a_cycle_of_supersessions_is_refused(editor_client, disputed):
    dispute, _, denies, later = disputed
    # Three claims of one day, each said to replace the next: the third closes the loop.
    third = ClaimFactory(dispute=dispute, party=denies.party, stance=Stance.AFFIRMS, said_on=MARCH_20)
    fourth = ClaimFactory(dispute=dispute, party=denies.party, stance=Stance.DENIES, said_on=MARCH_20)
    assert edit(editor_client, later, standing="superseded", superseded_by=str(third.pk)).status_code == 302
    assert edit(editor_client, third, standing="superseded", superseded_by=str(fourth.pk)).status_code == 302
    response = edit(editor_client, fourth, standing="superseded", superseded_by=str(later.pk))
    assert "that is a cycle" in field_errors(response, "superseded_by")
    fourth.refresh_from_db()
    assert fourth.standing == ClaimStanding.CURRENT
    # Directly, too.
    response = edit(editor_client, Claim.objects.get(pk=third.pk), superseded_by=str(later.pk))
    assert "that is a cycle" in field_errors(response, "superseded_by")


def test_the_services_refuse_what_the_form_refuses(disputed, editor):
    """A script or the admin goes through the same rules."""
    from django.core.exceptions import ValidationError

    _, affirms, denies, _ = disputed
    with pytest.raises(ValidationError) as error:
        services.claim_update(
            claim=denies, user=editor, version=denies.version, standing="superseded", superseded_by=affirms
        )
    assert "superseded_by" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.claim_update(
            claim=denies,
            user=editor,
            version=denies.version,
            standing="withdrawn",
            withdrawn_on=datetime.date(2022, 1, 1),
            withdrawn_url=RETRACTION,
        )
    assert "withdrawn_on" in error.value.message_dict
    denies.refresh_from_db()
    assert denies.standing == ClaimStanding.CURRENT


def test_a_withdrawal_in_the_month_of_a_claim_known_only_by_month_is_accepted(editor, disputed):
    _, _, denies, _ = disputed
    Claim.objects.filter(pk=denies.pk).update(said_on=datetime.date(2023, 3, 1), said_on_precision="month")
    denies.refresh_from_db()
    services.claim_update(
        claim=denies,
        user=editor,
        version=denies.version,
        standing="withdrawn",
        withdrawn_on=datetime.date(2023, 3, 1),
        withdrawn_url=RETRACTION,
    )
    assert Claim.objects.get(pk=denies.pk).standing == ClaimStanding.WITHDRAWN


def test_a_claim_that_supersedes_another_is_not_deleted_from_under_it(senior_client, disputed):
    _, _, denies, later = disputed
    assert edit(senior_client, denies, standing="superseded", superseded_by=str(later.pk)).status_code == 302
    response = senior_client.post(f"/claims/{later.pk}/delete/", **HTMX)
    assert response.status_code == 200
    assert "Not deleted: This claim supersedes Russian government’s claim of 14 March 2023" in response.content.decode()
    assert Claim.objects.filter(pk=later.pk).exists()
    assert Claim.objects.get(pk=denies.pk).superseded_by_id == later.pk


def test_a_deleted_dispute_comes_back_with_its_supersessions(senior_client, disputed):
    dispute, _, denies, later = disputed
    third = ClaimFactory(dispute=dispute, party=denies.party, stance=Stance.AFFIRMS, said_on=MARCH_20)
    # A chain whose ids run against its order: the later claim has the lower id.
    assert edit(senior_client, later, standing="superseded", superseded_by=str(third.pk)).status_code == 302
    assert edit(senior_client, denies, standing="superseded", superseded_by=str(later.pk)).status_code == 302
    assert senior_client.post(f"/disputes/{dispute.slug}/delete/").status_code == 302
    assert not Claim.objects.exists()
    record = Dispute.history.filter(id=dispute.pk, history_type="+").get()
    senior_client.post(f"/history/dispute/{dispute.pk}/restore/{record.history_id}/")
    assert Claim.objects.get(pk=denies.pk).superseded_by_id == later.pk
    assert Claim.objects.get(pk=later.pk).superseded_by_id == third.pk


def test_bidi_overrides_are_dropped_from_the_new_texts(editor_client, disputed):
    _, _, denies, _ = disputed
    response = edit(
        editor_client,
        denies,
        standing="corrected",
        quote="No deliberate contact.",
        misreported_quote="No \u202econtact\u202c.",
        standing_note="Misquoted by \u202eTASS\u2066 agency.",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    denies.refresh_from_db()
    assert denies.misreported_quote == "No contact." and denies.standing_note == "Misquoted by TASS agency."


def test_the_api_and_the_csv_carry_the_standing(editor_client, disputed):
    dispute, _, denies, _ = disputed
    assert (
        edit(
            editor_client, denies, standing="withdrawn", withdrawn_on="2023-03-16", withdrawn_url=RETRACTION
        ).status_code
        == 302
    )
    rows = list(
        csv.DictReader(
            io.StringIO(editor_client.get(f"/disputes/{dispute.slug}/claims.csv").content.decode("utf-8-sig"))
        )
    )
    row = next(r for r in rows if r["claim_id"] == str(denies.pk))
    assert (row["standing"], row["withdrawn_on"], row["withdrawn_url"]) == ("withdrawn", "2023-03-16", RETRACTION)
    from claims.api import ClaimOut

    standing = ClaimOut.from_orm(Claim.objects.get(pk=denies.pk)).dict()["standing"]
    assert standing["state"] == "withdrawn" and standing["counts_in_status"] is False


def test_new_claims_are_current_and_the_create_form_does_not_ask(editor_client):
    dispute = DisputeFactory()
    html = editor_client.get(f"/disputes/{dispute.slug}/claims/new/").content.decode()
    assert 'name="standing"' not in html
    party = PartyFactory()
    claim = services.claim_create(dispute=dispute, user=UserFactory(), party=party, stance=Stance.AFFIRMS, quote="Yes.")
    assert claim.standing == ClaimStanding.CURRENT
