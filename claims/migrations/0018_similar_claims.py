"""Trigram indexes for "similar claims already recorded" (claims/similar.py), PostgreSQL only.

pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it without
being a superuser. The GIN indexes serve the ``%>`` (word similarity) operator on the
quote, the paraphrase and the translation. SQLite gets nothing here: it scores recent
claims with rapidfuzz instead.
"""

from django.db import migrations

FIELDS = ("quote", "paraphrase", "translation")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name in FIELDS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS claim_{name}_trgm_idx ON claims_claim USING gin ({name} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in FIELDS:
        schema_editor.execute(f"DROP INDEX IF EXISTS claim_{name}_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("claims", "0017_search_languages")]

    operations = [migrations.RunPython(create, drop)]
