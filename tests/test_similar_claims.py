"""Similar claims already recorded (claims/similar.py): what an editor typing a claim is shown.

Measured on tests/data/similar_claims_pairs.json (222 pairs; scripts/build_similar_pairs.py):
re-quotes with edits and sentences of real articles that merely share words are derived from
the checker's corpus of real pages; paraphrases and translations are handwritten. Every
stored side is one claim in one database; each typed side is looked up; a suggestion is
right only if it is its own pair's claim. The figures print with the test and are in
docs/similar-claims.md.
"""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from claims import similar
from claims.models import TranslationOrigin

from .factories import ClaimFactory, DisputeFactory

pytestmark = pytest.mark.django_db
PAIRS = json.loads((Path(__file__).parent / "data" / "similar_claims_pairs.json").read_text(encoding="utf-8"))
# Floors the suggestions must keep (per backend): below them editors would be shown noise
# or miss the repeats this exists for. Paraphrases are reported, not required: trigram
# similarity sees shared wording, and a paraphrase shares little by design.
FLOORS = {
    "postgresql": {"precision": 0.95, "requote": 0.95, "translation": 0.75},
    "sqlite": {"precision": 0.90, "requote": 0.90, "translation": 0.75},
}


def _store(pairs: list[dict]) -> dict[int, int]:
    """Each pair's stored side as a claim; pair index → claim pk."""
    dispute = DisputeFactory()
    stored = {}
    for i, pair in enumerate(pairs):
        data = pair["stored"]
        claim = ClaimFactory(
            dispute=dispute,
            quote=data["quote"],
            quote_language=data.get("quote_language", "en"),
            translation=data.get("translation", ""),
            translation_origin=TranslationOrigin.EDITOR if data.get("translation") else "",
            source=None,
        )
        stored[i] = claim.pk
    return stored


def measure(pairs: list[dict]) -> dict:
    stored = _store(pairs)
    hits, positives, wrong, shown = Counter(), Counter(), Counter(), 0
    for i, pair in enumerate(pairs):
        found = [m.claim.pk for m in similar.similar_claims(text=pair["typed"])]
        shown += len(found)
        if pair["kind"] != "unrelated":
            positives[pair["kind"]] += 1
            hits[pair["kind"]] += stored[i] in found
        wrong[pair["kind"]] += sum(pk != stored[i] or pair["kind"] == "unrelated" for pk in found)
    right = sum(hits.values())
    figures = {kind: hits[kind] / positives[kind] for kind in positives}
    figures["recall"] = right / sum(positives.values())
    figures["precision"] = right / shown if shown else 1.0
    figures["wrong"] = dict(wrong)
    return figures


def test_the_pairs_cover_what_the_issue_asks_for():
    kinds = Counter(pair["kind"] for pair in PAIRS)
    assert len(PAIRS) >= 200
    assert {"requote", "paraphrase", "translation", "unrelated"} <= set(kinds)


def test_suggestions_find_repeats_and_translations_and_not_unrelated_claims(capsys):
    figures = measure(PAIRS)
    with capsys.disabled():
        print(
            f"\nsimilar claims ({connection.vendor}): precision {figures['precision']:.3f},"
            f" recall {figures['recall']:.3f}"
            f" (requote {figures['requote']:.3f}, paraphrase {figures['paraphrase']:.3f},"
            f" translation {figures['translation']:.3f}); wrong suggestions by kind {figures['wrong']}"
        )
    floors = FLOORS[connection.vendor]
    for name, floor in floors.items():
        assert figures[name] >= floor, (name, figures)


def test_the_claim_being_edited_and_short_text_are_not_suggested():
    claim = ClaimFactory(quote="The Russian jet struck the propeller of the drone.")
    assert [m.claim for m in similar.similar_claims(text=claim.quote)] == [claim]
    assert similar.similar_claims(text=claim.quote, exclude_pk=claim.pk) == []
    assert similar.similar_claims(text="the drone") == []


def test_huge_typed_text_is_cut_to_a_bounded_query():
    claim = ClaimFactory(quote="The Russian jet struck the propeller of the drone.")
    found = similar.similar_claims(text=claim.quote + " padding" * 100_000)
    assert [m.claim for m in found] == [claim]


def test_the_claim_form_asks_for_similar_claims_as_it_is_typed(editor_client):
    dispute = DisputeFactory()
    form = editor_client.get(reverse("claims:claim-create", args=[dispute.slug])).content.decode()
    # The new claim's form says which dispute and column it is in, so a match can be linked to.
    assert f'hx-post="{reverse("claims:claim-similar")}?dispute={dispute.slug}&amp;stance="' in form
    other = ClaimFactory(
        quote="Russian aircraft did not come into contact with the American drone.",
        dispute=DisputeFactory(proposition="Did the jet touch the drone?"),
    )
    answer = editor_client.post(
        reverse("claims:claim-similar"),
        {"quote": "Russian aircraft did not come into contact with the US drone", "paraphrase": ""},
        headers={"HX-Request": "true"},
    )
    html = answer.content.decode()
    assert answer.status_code == 200 and "Already recorded? Similar claims" in html
    assert f"{other.dispute.get_absolute_url()}#claim-{other.pk}" in html and "Did the jet touch the drone?" in html
    nothing = editor_client.post(reverse("claims:claim-similar"), {"quote": "Completely different words here."})
    assert "Similar claims" not in nothing.content.decode()


def test_editing_a_claim_does_not_suggest_itself(editor_client):
    claim = ClaimFactory(quote="The Russian jet struck the propeller of the drone.")
    url = reverse("claims:claim-similar") + f"?claim={claim.pk}"
    html = editor_client.post(url, {"quote": claim.quote}).content.decode()
    assert f"#claim-{claim.pk}" not in html


def test_only_editors_are_shown_similar_claims(client, reader):
    ClaimFactory(quote="The Russian jet struck the propeller of the drone.")
    assert client.post(reverse("claims:claim-similar"), {"quote": "The Russian jet struck"}).status_code == 302
    client.force_login(reader)
    assert client.post(reverse("claims:claim-similar"), {"quote": "The Russian jet struck"}).status_code == 403


PG_ONLY = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: the words index, timeouts")


@PG_ONLY
def test_the_candidates_are_read_from_the_words_index():
    """EXPLAIN of the candidates query: the GIN index of the claims' words, not a scan of every claim.

    On 30 claims the planner would rightly read the table; ``enable_seqscan = off`` asks
    whether the index can answer the query at all, which is what matters at a million.
    """
    ClaimFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN " + similar._CANDIDATES_SQL,
            [["Russian aircraft contact drone"], ["'aircraft' & 'russian'"], [0], [similar.CANDIDATES], 0.5, 5],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert f"Bitmap Index Scan on {similar.WORDS_INDEX}" in plan, plan


@PG_ONLY
def test_the_three_fields_typed_cost_one_pass_not_one_per_field(django_assert_max_num_queries):
    claim = ClaimFactory(quote="The Russian jet struck the propeller of the drone.", paraphrase="A jet hit a drone.")
    similar.similar_to_any(texts=["warming the statistics cache"])  # the words' frequencies are read once
    texts = ["The Russian jet struck the propeller", "A jet hit the drone of the Americans", "Russian jet, drone"]
    with django_assert_max_num_queries(6) as captured:
        found = similar.similar_to_any(texts=texts)
    assert [m.claim for m in found] == [claim]
    assert sum("word_similarity" in q["sql"] for q in captured.captured_queries) == 1


def test_a_candidate_must_share_two_of_the_rarest_words(monkeypatch):
    monkeypatch.setattr(similar, "RARE_WORDS", 4)
    frequency = {"the": 0.9, "said": 0.3, "drone": 0.01}
    query = similar._two_of_the_rarest(["the", "said", "drone", "propeller", "struck", "jet", "of"], frequency)
    # Never-counted words are the rarest (longer first); the common ones are left out.
    assert query == (
        "'propeller' & 'struck' | 'propeller' & 'jet' | 'propeller' & 'drone' "
        "| 'struck' & 'jet' | 'struck' & 'drone' | 'jet' & 'drone'"
    )
    assert similar._two_of_the_rarest(["the", "jet"], {}) == "'jet' & 'the'"
    assert similar._two_of_the_rarest(["to", "of"], {}) is None
    assert similar._tsquery_literal("o'brien\\") == "'o''brien\\\\'"


@PG_ONLY
def test_a_claim_sharing_only_common_words_is_not_a_candidate():
    ClaimFactory(quote="The minister said that the government would not comment on the report.")
    wanted = ClaimFactory(quote="The harbour pilot saw the tanker collide with the pier at dawn.")
    found = similar.similar_claims(text="The harbour pilot said the tanker hit the pier at dawn, the minister said.")
    assert [m.claim for m in found] == [wanted]


@PG_ONLY
def test_a_suggestion_that_takes_too_long_is_no_suggestion(monkeypatch):
    ClaimFactory(quote="The Russian jet struck the propeller of the drone.")
    monkeypatch.setattr(similar, "STATEMENT_TIMEOUT_MS", 1)
    slow = (
        "SELECT 0, id, 1.0 FROM claims_claim, pg_sleep(0.05) WHERE cardinality(%s::text[]) > 0 "
        "AND cardinality(%s::text[]) > 0 AND cardinality(%s::bigint[]) > 0 AND cardinality(%s::int[]) > 0 "
        "AND %s > 0 LIMIT %s"
    )
    monkeypatch.setattr(similar, "_CANDIDATES_SQL", slow)
    assert similar.similar_claims(text="The Russian jet struck the propeller") == []


def test_a_claim_far_longer_than_an_index_entry_saves_and_is_found_by_its_opening():
    opening = "The Russian jet struck the propeller of the drone over the Black Sea."
    claim = ClaimFactory(quote=opening + " " + " ".join(f"word{i}" for i in range(5000)))
    assert [m.claim for m in similar.similar_claims(text=opening)] == [claim]
