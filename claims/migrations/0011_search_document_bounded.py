# The search document joins every claim's quote into one tsvector, and PostgreSQL
# refuses a tsvector over 1 MB ("string is too long for tsvector"): a dispute with
# ~100 long quotes of distinct words would make every further claim save a 500.
# Bound the text that goes in (what lies past the bound stays findable through the
# proposition and the other claims; nobody searches a dispute by its 400,000th char).
from importlib import import_module

from django.db import migrations

_0006 = import_module("claims.migrations.0006_dispute_search_documents")
BOUNDED = _0006.FUNCTION.replace(
    "setweight(to_tsvector('english', concat_ws(' ',",
    "setweight(to_tsvector('english', left(concat_ws(' ',",
).replace(
    "WHERE a.dispute_id = d.id))), 'B')",
    "WHERE a.dispute_id = d.id)), 400000)), 'B')",
)
assert BOUNDED != _0006.FUNCTION


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BOUNDED)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_0006.FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("claims", "0010_text_length_bounds")]
    operations = [migrations.RunPython(install, uninstall)]
