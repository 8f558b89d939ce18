"""Trigram indexes for "similar claims already recorded" (claims/similar.py), PostgreSQL only.

pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it without
being a superuser. GiST trigram indexes on the quote, the paraphrase and the translation
serve a nearest-first scan by word-similarity distance (``<->>``), which stops after the
few best claims; a GIN index with a threshold must recheck every row sharing a common
trigram, which on 100,000 claims took seconds (docs/similar-claims.md). The signature is
256 bytes: a quote has a few hundred trigrams, and the default 12 bytes would be all ones.
Only each field's first 1,000 characters are indexed: an index entry must fit in 8 KB.
SQLite gets nothing here: it scores recent claims with rapidfuzz instead.
"""

from django.db import migrations

FIELDS = ("quote", "paraphrase", "translation")
# The first this many characters of each field are indexed (and compared): a GiST entry must
# fit in a page (8 KB), and a quote of many thousand characters would not; what an editor
# types to find a repeat is matched against the claim's opening.
INDEXED_CHARS = 1000


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name in FIELDS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS claim_{name}_trgm_idx ON claims_claim "
            f"USING gist ((left({name}, {INDEXED_CHARS})) gist_trgm_ops(siglen=256))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in FIELDS:
        schema_editor.execute(f"DROP INDEX IF EXISTS claim_{name}_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("claims", "0018_feed_item_page_stamps")]

    operations = [migrations.RunPython(create, drop)]
