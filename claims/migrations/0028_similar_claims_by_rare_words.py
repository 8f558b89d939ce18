"""Similar claims found through their rarest shared words, not a nearest-trigram scan (claims/similar.py).

The GiST trigram indexes of 0019 served a nearest-first scan per field; on claims of real
text a scan still visited most of the tree, because every English sentence shares common
trigrams (" th", "the", "ing") with every other: 0.5–0.8 s per suggestion at 120,000
claims (docs/similar-claims.md). A repeat of a claim contains nearly all of the typed text's
words, so the candidates are now the claims that contain at least two of its four rarest
words: one GIN index on the words of the three fields' openings (unstemmed, ``simple``),
whose posting lists for rare words are short. ANALYZE gathers the words' frequencies for
it (pg_stats of the index), which is how "rarest" is decided; it runs once here, then
autovacuum keeps it current. Scores are still pg_trgm word similarity, computed on those
few hundred candidates only. The trigram indexes are dropped: nothing else reads them, and
each cost every claim insert three GiST insertions.
PostgreSQL only; on SQLite (rapidfuzz over recent claims) nothing changes.
"""

from django.db import migrations

# claims.similar.WORDS_EXPRESSION, spelled out: a migration does not change with the code.
WORDS = (
    "to_tsvector('simple'::regconfig, left(quote, 1000) || ' ' || "
    "left(paraphrase, 1000) || ' ' || left(translation, 1000))"
)
TRIGRAM_FIELDS = ("quote", "paraphrase", "translation")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS claim_words_idx ON claims_claim USING gin (({WORDS}))")
    for name in TRIGRAM_FIELDS:
        schema_editor.execute(f"DROP INDEX IF EXISTS claim_{name}_trgm_idx")
    schema_editor.execute("ANALYZE claims_claim")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS claim_words_idx")
    for name in TRIGRAM_FIELDS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS claim_{name}_trgm_idx ON claims_claim "
            f"USING gist ((left({name}, 1000)) gist_trgm_ops(siglen=256))"
        )


class Migration(migrations.Migration):
    dependencies = [("claims", "0027_search_query_parsed_once")]
    operations = [migrations.RunPython(forward, backward)]
