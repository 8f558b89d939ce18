# Search in the language each quote was said in, and without regard to accents.
#
# The dispute's search document (migration 0006, bounded in 0011) was built with the
# English configuration throughout: a Russian quote's words went in unstemmed, so
# "применяли" did not find "применяют", and "Choïgou" did not find "Choigou". Now:
#
# * each claim's quote is stemmed with the text search configuration of its language
#   (claims_search_config: russian for ru, arabic for ar…, simple where PostgreSQL has
#   none; the site's, english, when the language is not recorded), its translation with the translation's language's, and every quote and
#   translation is also indexed unstemmed ('simple', weight D) so an exact word is found
#   whatever language the query is parsed in;
# * everything goes through unaccent() (the extension is created here; it is "trusted"
#   since PostgreSQL 13, so the database owner may create it), and so does the query
#   (claims.selectors), so diacritics never decide a match.
#
# The GIN index and the triggers of 0006 are unchanged: only the function that computes
# a document is replaced, then every document is recomputed. claims.languages.SEARCH_CONFIGS
# is the Python side of the mapping below (tests/test_search_languages.py keeps them equal).
# PostgreSQL only; on SQLite this migration does nothing.
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

# BCP 47 primary language subtag → PostgreSQL text search configuration (PostgreSQL 13+).
CONFIGS = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}

_CASES = "\n".join(f"    WHEN '{tag}' THEN '{config}'" for tag, config in CONFIGS.items())

# Bounds as in 0011: a tsvector holds at most 1 MB, and a dispute's text is cut well before.
FUNCTION = f"""
CREATE OR REPLACE FUNCTION claims_search_config(p_tag text) RETURNS regconfig
LANGUAGE sql IMMUTABLE AS $$
  SELECT (CASE lower(split_part(coalesce(p_tag, ''), '-', 1))
{_CASES}
    ELSE 'simple' END)::regconfig
$$;

-- A text in its language's configuration (weight w), and unstemmed (weight D). A text of
-- unknown language (every quote recorded before 0013) is stemmed as the site's, as before.
CREATE OR REPLACE FUNCTION claims_text_vector(p_text text, p_tag text, p_weight "char") RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN coalesce(p_text, '') = '' THEN ''::tsvector ELSE
    setweight(to_tsvector(claims_search_config(coalesce(nullif(p_tag, ''), 'en')), unaccent(left(p_text, 50000))),
              p_weight)
    || setweight(to_tsvector('simple', unaccent(left(p_text, 50000))), 'D') END
$$;

CREATE OR REPLACE FUNCTION claims_dispute_search_vector(p_dispute bigint) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('english', unaccent(d.proposition)), 'A')
      || setweight(to_tsvector('english', unaccent(left(concat_ws(' ',
           (SELECT string_agg(concat_ws(' ', c.paraphrase, sp.name, s.title), ' ')
              FROM claims_claim c
              LEFT JOIN claims_speaker sp ON sp.id = c.speaker_id
              LEFT JOIN claims_source s ON s.id = c.source_id
             WHERE c.dispute_id = d.id),
           (SELECT string_agg(s.title, ' ')
              FROM claims_evidence e JOIN claims_source s ON s.id = e.source_id
             WHERE e.dispute_id = d.id),
           (SELECT string_agg(s.title, ' ')
              FROM claims_articlelink a JOIN claims_source s ON s.id = a.source_id
             WHERE a.dispute_id = d.id)), 100000))), 'B')
      || coalesce((
           SELECT tsvector_agg_claims(
                    claims_text_vector(q.quote, q.quote_language, 'B')
                    || claims_text_vector(q.translation, q.translation_language, 'B'))
             FROM (SELECT c.quote, c.quote_language, c.translation, c.translation_language,
                          sum(length(c.quote) + length(c.translation)) OVER (ORDER BY c.id) AS running
                     FROM claims_claim c WHERE c.dispute_id = d.id) q
            WHERE q.running - length(q.quote) - length(q.translation) < 100000), ''::tsvector)
    FROM claims_dispute d WHERE d.id = p_dispute
$$;
"""

AGGREGATE = """
DROP AGGREGATE IF EXISTS tsvector_agg_claims(tsvector);
CREATE AGGREGATE tsvector_agg_claims(tsvector) (SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '');
"""

REFRESH = "UPDATE claims_disputesearchdocument SET document = claims_dispute_search_vector(dispute_id)"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(AGGREGATE)
    schema_editor.execute(FUNCTION)
    schema_editor.execute(REFRESH)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    schema_editor.execute(import_module("claims.migrations.0011_search_document_bounded").BOUNDED)
    schema_editor.execute(REFRESH)
    schema_editor.execute("DROP FUNCTION IF EXISTS claims_text_vector(text, text, \"char\")")
    schema_editor.execute("DROP FUNCTION IF EXISTS claims_search_config(text)")
    schema_editor.execute("DROP AGGREGATE IF EXISTS tsvector_agg_claims(tsvector)")


class Migration(migrations.Migration):
    dependencies = [("claims", "0016_claim_languages")]
    operations = [
        UnaccentExtension(),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
