"""Arabic, Russian, Chinese, Hindi and emoji quotes next to an English one, in the real Chromium.

Screenshots go to test-artifacts/scripts/ at a desktop width and at 375 px (a small phone),
for people to look at; the assertions check what a reader would notice: the Arabic quote
reads right to left with its rule on the right, the Russian original sits beside its
English translation, names in other scripts do not reorder the text around them, and
nothing pushes the page wider than the screen.
"""

from pathlib import Path

import pytest
from django.conf import settings

from claims.models import Stance, TranslationOrigin
from tests.factories import ClaimFactory, DisputeFactory, PartyFactory, SourceFactory, SpeakerFactory
from tests.test_claim_languages import ARABIC, MINISTRY_EN, MINISTRY_RU

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "scripts"
WIDTHS = {"desktop": 1280, "phone": 375}
ENGLISH = "We have absolute evidence of the contact. It’s very aggressive."
CHINESE = "我们没有击落无人机，美国的飞行是挑衅行为，这种说法毫无根据而且没有任何证据支持这种说法。"
HINDI = "रूसी विमानों ने अमेरिकी ड्रोन को नहीं छुआ, यह दावा पूरी तरह से निराधार है।"


@pytest.fixture
def dispute(db):
    dispute = DisputeFactory(proposition="A Russian jet made contact with the US MQ-9 over the Black Sea.")
    us, russia = PartyFactory(name="United States"), PartyFactory(name="Министерство обороны России")
    gulf = PartyFactory(name="وزارة الخارجية")
    ClaimFactory(
        dispute=dispute,
        party=us,
        speaker=SpeakerFactory(party=us, name="Mark Milley"),
        stance=Stance.AFFIRMS,
        quote=ENGLISH,
        quote_language="en",
        source=SourceFactory(title="Pentagon briefing"),
    )
    ClaimFactory(
        dispute=dispute,
        party=russia,
        speaker=SpeakerFactory(party=russia, name="Сергей Шойгу"),
        stance=Stance.DENIES,
        quote=MINISTRY_RU,
        quote_language="ru",
        translation=MINISTRY_EN,
        translation_language="en-GB",
        translation_origin=TranslationOrigin.MACHINE,
        source=SourceFactory(title="Заявление Минобороны России"),
    )
    ClaimFactory(
        dispute=dispute,
        party=gulf,
        stance=Stance.QUALIFIED,
        quote=f"MQ-9 {ARABIC} 🚁🇺🇸🇷🇺",
        quote_language="ar",
        translation="The Russian aircraft did not touch the American drone.",
        translation_language="en-GB",
        translation_origin=TranslationOrigin.EDITOR,
        translator="Eddie Editor",
        source=SourceFactory(title="بيان وزارة الخارجية"),
    )
    ClaimFactory(dispute=dispute, party=russia, stance=Stance.DENIES, quote=CHINESE, quote_language="zh-Hans")
    ClaimFactory(dispute=dispute, party=russia, stance=Stance.DENIES, quote=HINDI + " 🚀" * 30, quote_language="hi")
    return dispute


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_arabic_and_russian_quotes_read_right_beside_an_english_one(chromium, live_server, dispute, width_name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": WIDTHS[width_name], "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + dispute.get_absolute_url())
    page.screenshot(path=str(ARTIFACTS / f"dispute-{width_name}.png"), full_page=True)

    arabic = page.locator('blockquote.quote[lang="ar"]')
    russian = page.locator('blockquote.quote[lang="ru"]')
    english = page.locator('blockquote.quote[lang="en"]')
    assert arabic.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert russian.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert english.evaluate("e => getComputedStyle(e).direction") == "ltr"
    # The rule that marks a quote sits where the quote starts: on the right for Arabic.
    assert arabic.evaluate("e => parseFloat(getComputedStyle(e).borderRightWidth)") > 0
    assert arabic.evaluate("e => parseFloat(getComputedStyle(e).borderLeftWidth)") == 0
    # An Arabic text that starts with Latin letters ("MQ-9") still starts on the right.
    box, text = arabic.bounding_box(), arabic.locator("p").bounding_box()
    assert box["x"] + box["width"] - (text["x"] + text["width"]) < 20

    # The Russian original with its translation, marked machine-made.
    card = page.locator("article.claim-card", has=russian)
    assert "Original, in Russian" in card.inner_text()
    assert card.locator('blockquote.translated[lang="en-GB"]').inner_text().strip("“”") == MINISTRY_EN
    assert "Machine translation" in card.locator(".credit.machine").inner_text()

    # Names in Cyrillic and Arabic are isolated: the party heading of the Arabic claim is rtl on its own.
    heading = page.locator("h4.party-name a", has_text="وزارة الخارجية")
    assert heading.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert heading.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "page scrolls sideways"
    for card in page.locator("article.claim-card").all():
        assert card.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), card.inner_text()[:80]
    assert not errors
    context.close()


def test_the_party_page_and_the_home_list_keep_other_scripts_in_their_place(chromium, live_server, dispute):
    context = chromium.new_context(viewport={"width": WIDTHS["phone"], "height": 900})
    page = context.new_page()
    party = dispute.claims.get(quote_language="ru").party
    page.goto(live_server.url + party.get_absolute_url())
    page.screenshot(path=str(ARTIFACTS / "party-phone.png"), full_page=True)
    assert page.locator('blockquote.quote[lang="ru"]').count() == 1
    assert page.locator('blockquote.quote[lang="zh-Hans"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
