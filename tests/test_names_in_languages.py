"""Names in several languages: parties and speakers are found by any of their names (Шойгу / Shoigu / Choïgou)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from claims import languages, services
from claims.models import Claim, Party, Speaker, Stance
from claims.timeline import LABEL_EMS, _em_width, build_timeline, wrap_label

from .factories import ClaimFactory, DisputeFactory, PartyFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shoigu():
    russia = PartyFactory(
        name="Министерство обороны России", aliases="en: Russian Ministry of Defence\nfr: ministère russe de la Défense"
    )
    speaker = SpeakerFactory(party=russia, name="Sergei Shoigu", aliases="ru: Шойгу\nfr: Choïgou\nShoygu", role="")
    dispute = DisputeFactory(proposition="The jets never touched the drone.")
    claim = ClaimFactory(dispute=dispute, party=russia, speaker=speaker, stance=Stance.DENIES, quote="No contact.")
    return russia, speaker, dispute, claim


def test_other_names_are_read_line_by_line_with_their_languages():
    assert languages.parse_names("ru: Шойгу\n\nChoïgou\nFR : Choïgou\n") == [
        ("ru", "Шойгу"),
        ("", "Choïgou"),
        ("fr", "Choïgou"),
    ]
    with pytest.raises(ValidationError, match="Line 2: “xx” is not a language tag"):
        languages.parse_names("Shoigu\nxx: Шойгу")


def test_a_bad_other_name_is_refused_beside_the_field_in_the_admin(staff_client):
    party = PartyFactory(name="Russia")
    page = staff_client.get(f"/admin/claims/party/{party.pk}/change/")
    from .helpers import form_data

    data = form_data(page, aliases="ru: Россия\nzz: Rossiya")
    response = staff_client.post(f"/admin/claims/party/{party.pk}/change/", data)
    assert response.status_code == 200
    assert "Line 2: “zz” is not a language tag" in response.content.decode()
    party.refresh_from_db()
    assert party.aliases == ""


@pytest.mark.parametrize(
    "words", ["Шойгу", "Choigou", "Choïgou", "shoygu", "Russian Ministry of Defence", "Défense", "обороны"]
)
def test_search_finds_the_dispute_by_any_name(client, shoigu, words):
    _, _, dispute, _ = shoigu
    if words == "Choigou" and connection.vendor != "postgresql":
        pytest.skip("SQLite matches exact words only: no unaccent (docs/languages.md)")
    html = client.get("/", {"q": words}).content.decode()
    assert dispute.proposition in html, words


def test_renaming_or_adding_a_name_refreshes_the_search(client, shoigu):
    russia, speaker, dispute, _ = shoigu
    assert dispute.proposition not in client.get("/", {"q": "Шойгу Сергей"}).content.decode()
    Speaker.objects.filter(pk=speaker.pk).update(aliases=speaker.aliases + "\nru: Сергей Шойгу")
    assert dispute.proposition in client.get("/", {"q": "Сергей"}).content.decode()
    Party.objects.filter(pk=russia.pk).update(aliases="de: Russisches Verteidigungsministerium")
    assert dispute.proposition in client.get("/", {"q": "Verteidigungsministerium"}).content.decode()


def test_the_display_name_is_the_one_in_the_sites_language(client, shoigu):
    russia, speaker, dispute, claim = shoigu
    assert russia.display_name == "Russian Ministry of Defence"
    assert speaker.display_name == "Sergei Shoigu"  # no English other name: its own
    html = client.get(dispute.get_absolute_url()).content.decode()
    assert "Russian Ministry of Defence</a></h4>" in html
    party_page = client.get(russia.get_absolute_url()).content.decode()
    assert "<h1" in party_page and "Russian Ministry of Defence</h1>" in party_page
    assert 'lang="ru" dir="ltr">Шойгу</span>' in party_page
    assert "Министерство обороны России" in party_page  # its own name, listed with the others


def test_the_claim_forms_pickers_name_everyone_by_every_name(editor_client, shoigu):
    _, _, dispute, _ = shoigu
    html = editor_client.get(f"/disputes/{dispute.slug}/claims/new/").content.decode()
    assert "Russian Ministry of Defence — Министерство обороны России / ministère russe de la Défense" in html
    assert "Sergei Shoigu (Шойгу / Choïgou / Shoygu)" in html
    # Typed names are offered from every name known.
    assert '<option value="Шойгу">Sergei Shoigu' in html and '<option value="ministère russe de la Défense">' in html


def test_a_name_typed_for_a_new_party_or_speaker_finds_the_one_known_by_it(shoigu):
    russia, speaker, dispute, _ = shoigu
    user = UserFactory()
    claim = services.claim_create(
        dispute=dispute,
        user=user,
        new_party="Russian Ministry of Defence",
        new_speaker="Choïgou",
        stance=Stance.DENIES,
        quote="Again no contact.",
    )
    assert claim.party == russia and claim.speaker == speaker
    assert Party.objects.count() == 1 and Speaker.objects.count() == 1


def test_bidi_overrides_are_dropped_from_other_names(shoigu):
    russia, *_ = shoigu
    russia.aliases = "ru: \u202eМинобороны\u202c"
    russia.full_clean()
    russia.save()
    russia.refresh_from_db()
    assert russia.aliases == "ru: Минобороны"


def test_a_long_cyrillic_party_name_is_wrapped_not_cut_in_the_timeline(shoigu):
    lines = wrap_label("Министерство обороны Российской Федерации")
    assert lines == ["Министерство обороны", "Российской Федерации"]
    for line in lines:
        assert sum(_em_width(c) for c in line) <= LABEL_EMS
    # The lane is named as shown on the site, whole (wrapped, not cut).
    timeline = build_timeline([Claim.objects.select_related("party", "speaker").get()], [], [])
    assert " ".join(t for _, t in timeline.lanes[0].label_lines) == "Russian Ministry of Defence"
    assert not timeline.lanes[0].is_cut
    assert wrap_label("Russia") == ["Russia"]
    long = wrap_label("A Russian fighter jet made physical contact with the US MQ-9 Reaper drone")
    assert len(long) == 2 and long[1].endswith("…")
