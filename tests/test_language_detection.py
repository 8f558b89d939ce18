"""The language suggested for a quote as it is typed: right when the text says, silent when it cannot."""

import re

import pytest

from claims import detection

from .factories import DisputeFactory
from .test_claim_languages import ARABIC, MINISTRY_RU

URL = "/claims/language/"


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        (MINISTRY_RU, "ru"),
        ("Ми не збивали безпілотник над Чорним морем", "uk"),
        (ARABIC, "ar"),
        ("We have absolute evidence of the contact. It’s very aggressive.", "en"),
        ("La Russie dément tout contact avec le drone américain", "fr"),
        ("Die Lage ist ernst und wir prüfen alles", "de"),
        ("我们没有击落无人机，美国的飞行是挑衅行为", "zh"),
        ("ドローンは撃墜されていない", "ja"),
        ("मैं नहीं जानता कि यह सच है या नहीं", "hi"),
    ],
)
def test_a_sentence_in_one_language_is_recognised(text, tag):
    suggestion = detection.suggest_language(text)
    assert suggestion is not None and suggestion.tag == tag


@pytest.mark.parametrize(
    "text",
    [
        "Нет",  # Russian, Ukrainian, Bulgarian or Serbian
        "Шойгу",
        "No.",
        "Es ist nicht wahr",  # short: German, but Dutch and Afrikaans read alike
        "MQ-9",
        "無人機",  # Chinese or Japanese
        "😀🚁🇺🇸",
        "Russia denies it. Россия отрицает это.",  # two languages, half and half
        "Hello мир, привет world",
        "",
        "   \n ",
        "12 345 678",
    ],
)
def test_short_or_mixed_texts_get_no_suggestion(text):
    assert detection.suggest_language(text) is None


def test_the_detector_is_built_once():
    assert detection._get_detector() is detection._get_detector()


def _field(html):
    value = re.search(r'name="quote_language"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="quote_language"', html
    )
    suggested = re.search(r'name="quote_language_suggested" value="([^"]*)"', html)
    return (value.group(1) if value else ""), suggested.group(1)


@pytest.mark.django_db
def test_a_pasted_russian_quote_fills_the_empty_language_field(editor_client):
    html = editor_client.post(URL, {"quote": MINISTRY_RU, "quote_language": ""}).content.decode()
    assert _field(html) == ("ru", "ru")
    assert "Suggested from the quote: Russian" in html
    assert 'class="field field-quote_language"' in html


@pytest.mark.django_db
def test_the_editors_own_choice_is_kept_and_a_disagreement_only_mentioned(editor_client):
    html = editor_client.post(
        URL, {"quote": MINISTRY_RU, "quote_language": "uk", "quote_language_suggested": ""}
    ).content.decode()
    assert _field(html) == ("uk", "")
    assert "The quote reads like Russian (ru)" in html


@pytest.mark.django_db
def test_a_suggestion_follows_the_quote_until_the_editor_chooses(editor_client):
    html = editor_client.post(
        URL,
        {
            "quote": "We have absolute evidence of the contact. It’s very aggressive.",
            "quote_language": "ru",
            "quote_language_suggested": "ru",
        },
    ).content.decode()
    assert _field(html) == ("en", "en")
    # Cut down to a word: no guess, and the old suggestion goes too.
    html = editor_client.post(
        URL, {"quote": "Нет", "quote_language": "en", "quote_language_suggested": "en"}
    ).content.decode()
    assert _field(html) == ("", "")
    assert "Suggested" not in html


@pytest.mark.django_db
def test_only_editors_may_ask_and_only_by_post(client, reader, editor_client):
    assert editor_client.get(URL).status_code == 405
    client.force_login(reader)
    assert client.post(URL, {"quote": MINISTRY_RU}).status_code == 403


@pytest.mark.django_db
def test_the_claim_form_asks_for_the_language_as_the_quote_is_typed(editor_client):
    dispute = DisputeFactory()
    html = editor_client.get(f"/disputes/{dispute.slug}/claims/new/").content.decode()
    quote = re.search(r"<textarea[^>]*name=\"quote\"[^>]*>", html).group(0)
    assert f'hx-post="{URL}"' in quote and 'hx-target="next .field-quote_language"' in quote
    assert "data-text-dir" in quote and 'dir="auto"' not in quote  # static/js/text-direction.js
    assert '<datalist id="id_quote_language-options">' in html


@pytest.mark.django_db
def test_the_command_fills_in_only_confident_languages_of_quotes_recorded_without_one():
    from django.core.management import call_command

    from claims.models import Claim

    from .factories import ClaimFactory

    russian = ClaimFactory(quote=MINISTRY_RU, quote_language="")
    short = ClaimFactory(quote="Нет.", quote_language="")
    chosen = ClaimFactory(quote=MINISTRY_RU, quote_language="uk")  # an editor's choice stays
    call_command("detect_quote_languages", "--dry-run")
    assert Claim.objects.get(pk=russian.pk).quote_language == ""
    call_command("detect_quote_languages")
    assert Claim.objects.get(pk=russian.pk).quote_language == "ru"
    assert Claim.objects.get(pk=russian.pk).history.first().history_change_reason.startswith("Language detected")
    assert Claim.objects.get(pk=short.pk).quote_language == ""
    assert Claim.objects.get(pk=chosen.pk).quote_language == "uk"
