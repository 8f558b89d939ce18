"""A claim's original wording in its own language, its translation, and who made it."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from claims import languages, services
from claims.models import Claim, Stance, TranslationOrigin

from .factories import ClaimFactory, DisputeFactory, PartyFactory
from .helpers import HTMX

pytestmark = pytest.mark.django_db

# The Russian defence ministry's statement of 14 March 2023, and the English of it that ran in the press.
MINISTRY_RU = (
    "Российские истребители бортовое вооружение не применяли, в контакт с беспилотным летательным "
    "аппаратом не вступали и благополучно вернулись на аэродром базирования."
)
MINISTRY_EN = (
    "The Russian fighters did not use their onboard weapons, did not come into contact with the unmanned "
    "aerial vehicle and returned safely to their home airfield."
)
ARABIC = "لم تلمس الطائرات الروسية الطائرة المسيرة الأمريكية"


def claim_data(party, **overrides):
    data = {
        "party": party.pk,
        "speaker": "",
        "new_speaker": "",
        "stance": Stance.DENIES,
        "quote": MINISTRY_RU,
        "quote_language": "ru",
        "translation": MINISTRY_EN,
        "translation_origin": "editor",
        "translator": "",
        "paraphrase": "",
        "said_on": "2023-03-14",
        "said_on_precision": "day",
        "source_url": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("ru", "ru"), ("RU", "ru"), ("en_gb", "en-GB"), ("zh-hant", "zh-Hant"), ("iw", "he"), (" ar ", "ar"), ("", "")],
)
def test_language_tags_are_stored_in_their_canonical_form(typed, stored):
    assert languages.normalise_tag(typed) == stored


@pytest.mark.parametrize("bad", ["xx", "english", "ru-", "123", "und", "zz-ZZ", "<script>", "r" * 40])
def test_tags_that_name_no_language_are_refused(bad):
    with pytest.raises(ValidationError, match="not a language tag"):
        languages.normalise_tag(bad)


def test_editor_records_a_russian_quote_with_their_translation_credited_to_them(editor_client, editor):
    editor.first_name, editor.last_name = "Eddie", "Editor"
    editor.save()
    dispute = DisputeFactory()
    party = PartyFactory(name="Russia")
    response = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", claim_data(party, quote_language="RU"))
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = Claim.objects.get(dispute=dispute)
    assert (claim.quote, claim.quote_language) == (MINISTRY_RU, "ru")
    assert (claim.translation, claim.translation_language) == (MINISTRY_EN, "en-GB")
    assert claim.translation_origin == TranslationOrigin.EDITOR
    assert claim.translation_credit == "Translation by Eddie Editor"


def test_machine_translation_is_marked_as_such_on_the_card(editor_client):
    claim = ClaimFactory(
        quote=MINISTRY_RU,
        quote_language="ru",
        translation=MINISTRY_EN,
        translation_language="en-GB",
        translation_origin=TranslationOrigin.MACHINE,
    )
    html = editor_client.get(claim.dispute.get_absolute_url()).content.decode()
    card = html[html.index(f'id="claim-{claim.pk}"') :]
    card = card[: card.index("</article>")]
    assert "Original, in Russian" in card
    assert '<blockquote class="quote" lang="ru" dir="ltr"' in card
    assert f'lang="en-GB" dir="ltr"><p>{MINISTRY_EN}</p>' in card
    assert 'class="label credit machine"' in card and "Machine translation" in card


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"quote_language": "xx"}, "quote_language", "is not a language tag"),
        ({"quote": "", "paraphrase": "Russia denied contact."}, "translation", "A translation needs the original"),
        ({"translation_origin": ""}, "translation_origin", "Say who translated it"),
        ({"quote_language": ""}, "quote_language", "Say which language the quote was said in"),
        # Mislabelled: Cyrillic letters are not English, Latin letters not Arabic.
        ({"quote_language": "en"}, "quote_language", "written mostly in Cyrillic letters"),
        ({"quote": MINISTRY_EN, "quote_language": "ar"}, "quote_language", "written mostly in Latin letters"),
        ({"translation": MINISTRY_RU}, "translation", "written mostly in Cyrillic letters"),
        # A translation into the language the quote is already in.
        ({"quote": MINISTRY_EN, "quote_language": "en-US"}, "translation", "The quote is already in English"),
        ({"translation": "", "translator": "DeepL"}, "translation", "Give the translation, or clear who made it"),
        ({"translation": "", "translation_origin": "machine"}, "translation", "Give the translation"),
        ({"quote": "", "paraphrase": "x", "translation": ""}, "quote_language", "There is no quote"),
    ],
)
def test_bad_language_input_is_refused_beside_its_field_and_nothing_is_saved(editor_client, overrides, field, message):
    dispute = DisputeFactory()
    party = PartyFactory()
    data = claim_data(party, **overrides)
    response = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"field-{field} has-error" in html
    assert f'id="id_{field}_error"' in html
    assert message in html.split(f'id="id_{field}_error"')[1][:300]
    assert not Claim.objects.exists()
    # What the editor typed is still in the form.
    if data["quote"]:
        assert data["quote"] in html


def test_the_service_refuses_a_translation_without_an_original_too(editor):
    dispute = DisputeFactory()
    with pytest.raises(ValidationError) as error:
        services.claim_create(
            dispute=dispute,
            user=editor,
            party=PartyFactory(),
            stance=Stance.DENIES,
            paraphrase="Russia denied it.",
            translation=MINISTRY_EN,
            translation_origin=TranslationOrigin.MACHINE,
        )
    assert "translation" in error.value.message_dict
    assert not Claim.objects.exists()


def test_the_database_refuses_a_translation_without_an_original():
    from django.db import IntegrityError, transaction

    claim = ClaimFactory(quote="", paraphrase="Denied.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(translation=MINISTRY_EN, translation_origin="machine")


def test_csv_and_api_carry_the_language_and_the_translation(editor_client, editor):
    from claims.models import ApiToken

    claim = ClaimFactory(
        quote=MINISTRY_RU,
        quote_language="ru",
        translation=MINISTRY_EN,
        translation_language="en-GB",
        translation_origin=TranslationOrigin.EDITOR,
        translator="Eddie Editor",
    )
    body = editor_client.get(f"/disputes/{claim.dispute.slug}/claims.csv").content.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(body)))
    assert row["quote"] == MINISTRY_RU and row["quote_language"] == "ru"
    assert row["translation"] == MINISTRY_EN and row["translation_language"] == "en-GB"
    assert row["translated_by"] == "Translation by Eddie Editor"

    token = ApiToken.issue(editor, "tests")[1]
    item = editor_client.get(f"/api/claims/{claim.pk}", headers={"Authorization": f"Bearer {token}"}).json()
    assert item["quote_language"] == "ru"
    assert item["translation"] == {
        "text": MINISTRY_EN,
        "language": "en-GB",
        "origin": "editor",
        "translator": "Eddie Editor",
    }


def test_an_arabic_quote_reads_right_to_left_and_names_isolate_themselves(client):
    claim = ClaimFactory(quote=ARABIC, quote_language="ar", dispute=DisputeFactory(is_published=True))
    html = client.get(claim.dispute.get_absolute_url()).content.decode()
    assert 'lang="ar" dir="rtl"' in html
    # Names and the proposition carry dir="auto": each is isolated from the text around it.
    assert f'<a href="{claim.party.get_absolute_url()}" dir="auto">{claim.party.name}</a>' in html
    assert '<h1 dir="auto">' in html


def test_a_quote_of_unknown_language_inherits_the_page_language_and_takes_its_direction_from_its_letters(client):
    claim = ClaimFactory(quote=ARABIC, quote_language="", dispute=DisputeFactory(is_published=True))
    html = client.get(claim.dispute.get_absolute_url()).content.decode()
    assert '<blockquote class="quote" dir="auto"' in html
    assert "Original, in" not in html
