"""Full-text search on the home page: what it looks in, and (on PostgreSQL) that the GIN indexes serve it."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from claims.models import Dispute
from claims.selectors import search_disputes

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, EvidenceFactory, SourceFactory, SpeakerFactory

pytestmark = pytest.mark.django_db
HOME = reverse("claims:home")
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def _found(user, query: str, **filters) -> set[str]:
    return set(search_disputes(user, query, filters).values_list("slug", flat=True))


def test_finds_words_in_the_proposition(anonymous):
    DisputeFactory(slug="hit", proposition="The fighter jet struck the propeller.")
    DisputeFactory(slug="other", proposition="The port was closed.")
    assert _found(anonymous, "propeller") == {"hit"}


def test_finds_words_in_quotes_and_paraphrases(anonymous):
    ClaimFactory(dispute=DisputeFactory(slug="q"), quote="We saw the wreckage ourselves.")
    ClaimFactory(dispute=DisputeFactory(slug="p"), quote="", paraphrase="The ministry blamed the weather.")
    DisputeFactory(slug="none")
    assert _found(anonymous, "wreckage") == {"q"}
    assert _found(anonymous, "weather") == {"p"}


def test_finds_speakers_by_name(anonymous):
    speaker = SpeakerFactory(name="Lloyd Austin")
    ClaimFactory(dispute=DisputeFactory(slug="austin"), party=speaker.party, speaker=speaker)
    ClaimFactory(dispute=DisputeFactory(slug="other"))
    assert _found(anonymous, "Austin") == {"austin"}


def test_finds_source_titles_of_claims_evidence_and_articles(anonymous):
    ClaimFactory(dispute=DisputeFactory(slug="c"), source=SourceFactory(title="Pentagon briefing transcript"))
    EvidenceFactory(dispute=DisputeFactory(slug="e"), source=SourceFactory(title="Released Pentagon video"))
    ArticleLinkFactory(dispute=DisputeFactory(slug="a"), source=SourceFactory(title="Pentagon confirms loss"))
    DisputeFactory(slug="none")
    assert _found(anonymous, "pentagon") == {"c", "e", "a"}


def test_drafts_never_show_up_for_anonymous_searches(anonymous, editor):
    DisputeFactory(slug="draft", proposition="Secret propeller story", is_published=False)
    assert _found(anonymous, "propeller") == set()
    assert _found(editor, "propeller") == {"draft"}


def test_search_combines_with_filters(anonymous):
    DisputeFactory(slug="settled", proposition="Drone lost", verdict=Dispute.Verdict.TRUE)
    DisputeFactory(slug="open", proposition="Drone found")
    assert _found(anonymous, "drone", status=Dispute.Status.SETTLED) == {"settled"}


def test_no_match_says_so_on_the_page():
    DisputeFactory(proposition="The port was closed.")
    html = Client().get(HOME, {"q": "zeppelin"}).text
    assert "No dispute matches these filters." in html


def test_each_dispute_appears_once_even_when_several_things_match(anonymous):
    dispute = DisputeFactory(slug="many", proposition="Drone down")
    ClaimFactory(dispute=dispute, quote="The drone fell.")
    ClaimFactory(dispute=dispute, quote="No drone fell.")
    assert list(search_disputes(anonymous, "drone").values_list("slug", flat=True)) == ["many"]


@on_postgres
def test_postgres_search_matches_word_forms(anonymous):
    ClaimFactory(dispute=DisputeFactory(slug="stem"), quote="The jets were intercepting the drone.")
    assert _found(anonymous, "intercepted") == {"stem"}


@on_postgres
def test_postgres_search_understands_web_search_syntax(anonymous):
    DisputeFactory(slug="jet", proposition="The fighter jet hit the drone.")
    DisputeFactory(slug="ship", proposition="The ship hit the drone.")
    assert _found(anonymous, "drone -jet") == {"ship"}
    assert _found(anonymous, '"fighter jet"') == {"jet"}


@on_postgres
@pytest.mark.parametrize(
    "table,index",
    [
        ("claims_dispute", "dispute_proposition_fts_idx"),
        ("claims_claim", "claim_text_fts_idx"),
        ("claims_speaker", "speaker_name_fts_idx"),
        ("claims_source", "source_title_fts_idx"),
    ],
)
def test_postgres_has_the_gin_indexes(table, index):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s", [table, index])
        row = cursor.fetchone()
    assert row is not None and "USING gin" in row[0]


@on_postgres
def test_postgres_search_query_can_use_the_gin_index(anonymous):
    from claims.models import Claim
    from claims.selectors import _text_match

    ClaimFactory(quote="The drone was intercepted.")
    qs = _text_match(Claim, ["quote", "paraphrase"], "drone")
    with connection.cursor() as cursor:
        # A tiny table would be scanned anyway; forbid that to see whether the index fits the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "claim_text_fts_idx" in plan, plan
