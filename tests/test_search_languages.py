"""Search finds a claim by a word of its original wording and of its translation, in any script.

PostgreSQL stems each quote in its own language's configuration and ignores accents; SQLite
cannot stem, and still finds the exact words (substring match), which is tested on both.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.urls import reverse

from claims import languages
from claims.models import TranslationOrigin
from claims.selectors import search_disputes

from .factories import ClaimFactory, DisputeFactory, PartyFactory, SpeakerFactory
from .test_claim_languages import ARABIC, MINISTRY_EN, MINISTRY_RU

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
HOME = reverse("claims:home")


def _found(query: str) -> set[str]:
    return set(search_disputes(user=AnonymousUser(), query=query).values_list("slug", flat=True))


@pytest.fixture
def translated():
    """A Russian quote with its English translation, an Arabic one with its, and an unrelated English one."""
    ClaimFactory(
        dispute=DisputeFactory(slug="russian", proposition="Russian jets touched the drone."),
        quote=MINISTRY_RU,
        quote_language="ru",
        translation=MINISTRY_EN,
        translation_language="en-GB",
        translation_origin=TranslationOrigin.MACHINE,
    )
    ClaimFactory(
        dispute=DisputeFactory(slug="arabic", proposition="The drone was not touched."),
        quote=ARABIC,
        quote_language="ar",
        translation="The Russian aircraft did not touch the American drone.",
        translation_language="en-GB",
        translation_origin=TranslationOrigin.EDITOR,
        translator="Eddie Editor",
    )
    ClaimFactory(dispute=DisputeFactory(slug="other", proposition="The footage was released."), quote="No comment.")


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("истребители", {"russian"}),  # a word of the original, as written
        ("airfield", {"russian"}),  # a word of its translation
        ("الطائرة", {"arabic"}),  # an Arabic word of the original
        ("aircraft", {"arabic"}),  # a word of the Arabic quote's translation
    ],
)
def test_exact_words_of_the_original_and_of_the_translation_find_the_claim_on_every_backend(translated, query, slugs):
    assert _found(query) == slugs


@on_postgres
@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("истребитель", {"russian"}),  # another form of "истребители" (fighters), Russian stemming
        ("применяют", {"russian"}),  # "they use" finds "не применяли" (did not use)
        ("вооружения", {"russian"}),
        ("airfields", {"russian"}),  # English stemming of the translation
        ("touching", {"russian", "arabic"}),  # the translation and the propositions
        ("الطائرات", {"arabic"}),  # Arabic stemming: the plural finds the singular
    ],
)
def test_other_forms_of_a_word_find_the_claim_through_its_languages_stemming(translated, query, slugs):
    assert _found(query) == slugs


@on_postgres
def test_diacritics_never_decide_a_match():
    party = PartyFactory(name="Russie")
    speaker = SpeakerFactory(party=party, name="Sergueï Choïgou")
    ClaimFactory(
        dispute=DisputeFactory(slug="french", proposition="Le drone a été touché."),
        party=party,
        speaker=speaker,
        quote="La Russie dément tout contact avec le drone américain.",
        quote_language="fr",
    )
    for query in ("Choigou", "choïgou", "dement", "démenti", "americain", "ete touche", "Sergueï"):
        assert _found(query) == {"french"}, query


@on_postgres
def test_a_language_postgresql_cannot_stem_is_still_found_by_its_exact_words():
    ClaimFactory(
        dispute=DisputeFactory(slug="ukrainian"),
        quote="Ми не збивали безпілотник над Чорним морем",
        quote_language="uk",  # no Ukrainian configuration: 'simple'
    )
    assert _found("безпілотник") == {"ukrainian"}
    assert _found("Чорним") == {"ukrainian"}


@on_postgres
def test_the_search_query_can_be_answered_from_the_gin_index(translated):
    """EXPLAIN of the multi-language query: the planner can still answer it from the GIN index."""
    from claims.synthetic import synthesize

    synthesize(disputes=300, claims_per_dispute=2, published_share=1.0)
    qs = search_disputes(user=AnonymousUser(), query="истребители airfield")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_dispute, claims_disputesearchdocument")
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "dispute_search_document_idx" in plan, plan


@on_postgres
def test_the_database_and_python_agree_on_each_languages_configuration():
    tags = [*languages.SEARCH_CONFIGS, "uk", "zh-Hant", "ja", "", "EN-gb", "pt-BR"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT t, claims_search_config(t)::text FROM unnest(%s::text[]) AS t", [tags])
        in_database = dict(cursor.fetchall())
    assert in_database == {tag: languages.search_config(tag) for tag in tags}


@on_postgres
def test_a_changed_translation_is_searched_by_its_new_words(translated):
    from claims.models import Claim

    claim = Claim.objects.get(quote_language="ar")
    claim.translation = "The Russian planes never came near the drone."
    claim.save()
    assert _found("aircraft") == set()
    assert _found("planes") == {"arabic"}


def test_the_home_page_finds_an_arabic_quote_by_an_arabic_word(translated):
    response = Client().get(HOME, {"q": "الطائرة"})
    assert response.status_code == 200
    assert 'href="/disputes/arabic/"' in response.text
    assert 'href="/disputes/russian/"' not in response.text


def test_the_search_field_says_what_this_database_can_match():
    text = Client().get(HOME).text
    if connection.vendor == "postgresql":
        assert "other forms of a word and accents are matched too" in text
    else:
        assert "Exact words only: this database does not match other forms of a word." in text
