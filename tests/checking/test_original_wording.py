"""The quote-presence check looks for the original wording, never its translation."""

import pytest

from claims.checking import runner
from claims.models import Source, TranslationOrigin
from tests.factories import ClaimFactory, SourceFactory
from tests.test_claim_languages import MINISTRY_EN, MINISTRY_RU

from .site import article_html

pytestmark = pytest.mark.django_db

RUSSIAN_PAGE = [
    "Министерство обороны России распространило заявление об инциденте над Чёрным морем.",
    f"«{MINISTRY_RU}» — говорится в сообщении ведомства.",
    "По данным министерства, беспилотник летел с выключенными транспондерами.",
]
ENGLISH_PAGE = [
    "Russia's defence ministry issued a statement about the incident over the Black Sea.",
    f"“{MINISTRY_EN}” the ministry said.",
    "The ministry said the drone was flying with its transponders switched off.",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def translated_claim(source):
    return ClaimFactory(
        source=source,
        quote=MINISTRY_RU,
        quote_language="ru",
        translation=MINISTRY_EN,
        translation_language="en-GB",
        translation_origin=TranslationOrigin.MACHINE,
    )


def serve(site, paragraphs):
    site.routes["/statement"] = (200, {"Content-Type": "text/html; charset=utf-8"}, article_html(paragraphs).encode())
    return SourceFactory(url=site.url("/statement"), title="", publisher="")


def test_the_original_russian_wording_is_found_in_the_russian_source(site):
    source = serve(site, RUSSIAN_PAGE)
    claim = translated_claim(source)
    check = runner.check_now(source)
    quote = check.quote_checks.get(claim=claim)
    assert quote.present and quote.score == 100
    assert check.outcome != Source.CheckState.QUOTE_MISSING


def test_a_page_carrying_only_the_translation_does_not_count_as_carrying_the_quote(site):
    source = serve(site, ENGLISH_PAGE)
    claim = translated_claim(source)
    check = runner.check_now(source)
    assert not check.quote_checks.get(claim=claim).present
    assert check.outcome == Source.CheckState.QUOTE_MISSING
