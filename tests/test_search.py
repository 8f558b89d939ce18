"""Search on the home page: what it looks in, that every write shows up in it, and (PostgreSQL) its GIN index."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Dispute
from claims.selectors import DISPUTES_PER_PAGE, search_disputes

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, EvidenceFactory, SourceFactory, SpeakerFactory

pytestmark = pytest.mark.django_db
HOME = reverse("claims:home")
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def _found(user, query: str, **filters) -> set[str]:
    return set(search_disputes(user=user, query=query, filters=filters).values_list("slug", flat=True))


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
    assert list(search_disputes(user=anonymous, query="drone").values_list("slug", flat=True)) == ["many"]


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


# Every write that changes what a dispute says changes what finds it (on PostgreSQL the
# search document is refreshed by triggers; these run on SQLite too, against icontains).


def test_edited_quote_is_found_by_its_new_words_only(anonymous):
    claim = ClaimFactory(dispute=DisputeFactory(slug="d"), quote="The wreckage was found.")
    claim.quote = "The propeller was found."
    claim.save()
    assert _found(anonymous, "propeller") == {"d"}
    assert _found(anonymous, "wreckage") == set()


def test_deleted_claim_no_longer_finds_its_dispute(anonymous):
    claim = ClaimFactory(dispute=DisputeFactory(slug="d"), quote="The wreckage was found.")
    claim.delete()
    assert _found(anonymous, "wreckage") == set()


def test_edited_proposition_is_found_by_its_new_words(anonymous):
    dispute = DisputeFactory(slug="d", proposition="The port was closed.")
    dispute.proposition = "The harbour was closed."
    dispute.save()
    assert _found(anonymous, "harbour") == {"d"}
    assert _found(anonymous, "port") == set()


def test_renamed_speaker_is_found_by_the_new_name(anonymous):
    speaker = SpeakerFactory(name="Lloyd Austin")
    ClaimFactory(dispute=DisputeFactory(slug="d"), party=speaker.party, speaker=speaker)
    speaker.name = "Pat Ryder"
    speaker.save()
    assert _found(anonymous, "Ryder") == {"d"}
    assert _found(anonymous, "Austin") == set()


@pytest.mark.parametrize("factory", [ClaimFactory, EvidenceFactory, ArticleLinkFactory])
def test_retitled_source_is_found_by_the_new_title(anonymous, factory):
    source = SourceFactory(title="Pentagon briefing")
    factory(dispute=DisputeFactory(slug="d"), source=source)
    source.title = "Kremlin briefing"
    source.save()
    assert _found(anonymous, "kremlin") == {"d"}
    assert _found(anonymous, "pentagon") == set()


def test_removed_evidence_takes_its_source_title_with_it(anonymous):
    item = EvidenceFactory(dispute=DisputeFactory(slug="d"), source=SourceFactory(title="Pentagon video"))
    item.delete()
    assert _found(anonymous, "pentagon") == set()


def test_a_dispute_with_everything_on_it_can_be_deleted():
    dispute = DisputeFactory(proposition="Drone down")
    ClaimFactory(dispute=dispute)
    EvidenceFactory(dispute=dispute)
    ArticleLinkFactory(dispute=dispute)
    dispute.delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Foreign keys are checked at commit, which a test never reaches: check them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not Dispute.objects.filter(pk=dispute.pk).exists()


def test_search_uses_the_gin_index_of_the_search_documents(anonymous):
    """EXPLAIN of the home page's search: the planner can answer it from the GIN index."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no full-text index; its search is a substring match (icontains)")
    from claims.synthetic import PLACES, synthesize

    synthesize(disputes=300, claims_per_dispute=2, published_share=1.0)
    qs = search_disputes(user=anonymous, query=PLACES[7])  # a word in one proposition of the 300
    with connection.cursor() as cursor:
        # Statistics, as autovacuum would have gathered them; and no sequential scans,
        # which a small table would get anyway, to see whether the index fits the query.
        cursor.execute("ANALYZE claims_dispute, claims_disputesearchdocument")
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "dispute_search_document_idx" in plan, plan


def test_the_term_is_parsed_once_while_planning_not_for_every_row(anonymous):
    """EXPLAIN of a common word's search: the plan holds one constant tsquery, parsed before any row is read.

    Written out as 28 ``websearch_to_tsquery`` calls (one per language configuration), the
    term was parsed again for every dispute checked while walking the activity index, which
    made a common word's search hardly faster than ``icontains`` (docs/performance.md).
    """
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no full-text search; its search is a substring match (icontains)")
    DisputeFactory(slug="drone", proposition="The drone went down over the sea.")
    DisputeFactory(slug="drones", proposition="Two drones were seen over the port.")
    qs = search_disputes(user=anonymous, query="drones")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (VERBOSE) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "websearch_to_tsquery" not in plan and "claims_search_query" not in plan, plan
    # The configurations that stem "drones" alike are one alternative, not 28.
    assert "'drone'" in plan and plan.count("'drone'") <= 2, plan
    assert _found(anonymous, "drones") == {"drone", "drones"}


def test_a_term_of_stop_words_only_finds_nothing_and_does_not_fail(anonymous):
    DisputeFactory(slug="the", proposition="The drone went down.")
    assert _found(anonymous, "the") == (set() if connection.vendor == "postgresql" else {"the"})


@on_postgres
def test_phrase_and_exclusion_apply_to_the_whole_dispute(anonymous):
    """The document is the dispute's: "-jet" excludes a dispute that mentions a jet anywhere."""
    dispute = DisputeFactory(slug="jet", proposition="The drone went down.")
    ClaimFactory(dispute=dispute, quote="A fighter jet hit it.")
    DisputeFactory(slug="ship", proposition="The drone hit a ship.")
    assert _found(anonymous, "drone -jet") == {"ship"}
    assert _found(anonymous, "drone jet") == {"jet"}


def test_a_search_with_very_many_matches_stops_counting_at_the_cap(monkeypatch):
    from claims import selectors

    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    monkeypatch.setattr(selectors, "DISPUTES_PER_PAGE", 2)
    for n in range(5):
        DisputeFactory(proposition=f"Drone story {n}.")
    html = Client().get(HOME, {"q": "drone"}).text
    assert "More than 3 disputes match" in html and "page 1 of 2+" in html


def test_a_search_under_the_cap_says_exactly_how_many_match(monkeypatch):
    from claims import selectors

    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    for n in range(3):
        DisputeFactory(proposition=f"Drone story {n}.")
    assert "3 disputes match" in Client().get(HOME, {"q": "drone"}).text


@on_postgres
def test_a_dispute_with_more_quoted_text_than_a_tsvector_holds_still_saves(anonymous):
    """~1.2 MB of distinct words (over 100k lexemes) across a dispute's quotes: every save used to fail with
    "string is too long for tsvector" once the search document passed 1 MB."""
    import random
    import string

    rng = random.Random(7)
    dispute = DisputeFactory(slug="long", proposition="The drone was downed.")

    def words(n: int) -> str:
        return " ".join("".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(n))

    for _ in range(120):  # 120 quotes of ~9,900 characters, each within the form's bound
        ClaimFactory(dispute=dispute, quote=words(990))
    ClaimFactory(dispute=dispute, quote="A last claim about the fuel spray.")
    assert _found(anonymous, "downed") == {"long"}


@pytest.mark.parametrize("matches", [3, 25])
def test_a_search_page_runs_the_search_once(matches):
    """The count and the page's rows come from one read of the first matches' ids.

    They were two reads of the same search, and for a common word each walked about a
    thousand search documents (2 × 30–35 ms for an editor at 100,000 disputes).
    """
    for n in range(matches):
        DisputeFactory(proposition=f"Drone story {n}.")
    DisputeFactory(proposition="A ship story.")
    with CaptureQueriesContext(connection) as queries:
        html = Client().get(HOME, {"q": "drone"}, HTTP_HX_REQUEST="true").text
    searching = "claims_search_query" if connection.vendor == "postgresql" else "LIKE"
    assert sum(searching in q["sql"] for q in queries) == 1, [q["sql"] for q in queries]
    assert f"{matches} disputes match" in html
    assert html.count('class="dispute-row"') == min(matches, DISPUTES_PER_PAGE)
