# The home page's search query, parsed once per search instead of once per row checked.
#
# Since 0017 a search term is parsed in each of the 28 text search configurations and
# OR-ed (claims.selectors.languages_search_query). Written out as 28 websearch_to_tsquery
# calls on unaccent(term), the expression is not a constant to the planner (unaccent is
# STABLE), so PostgreSQL evaluated all 28 parses again for every row it checked while
# walking the activity index: 0.077 ms a row, 71 ms to count a common word's first 1,001
# matches at 2,000 disputes (search 1.5× faster than icontains instead of 10×). The
# function below does the same parse and drops the duplicates (most configurations stem
# "drone" alike); it is declared IMMUTABLE so that, called with constants, the planner
# computes it once while planning and plans with the resulting tsquery as a constant
# (which also gives it the column's statistics to choose between the GIN index and the
# activity index). IMMUTABLE is a promise that holds as long as the unaccent rules and
# the text search dictionaries do not change under a running plan, as the usual
# "immutable unaccent" wrapper assumes; a cached plan would at worst keep an old parse.
# The planner now sees the tsquery, so its estimate of how many documents match comes from
# the column's statistics: the 1,000 most common lexemes by default, the least of which is in
# ~4 % of documents at 100,000 disputes, so a rare place name was estimated at ~1,300 matches
# (100 real) and its count walked every dispute (40 ms). With 10,000 lexemes sampled the
# floor is ~0.3 % and the count reads the 100 matches from the GIN index (0.6 ms).
# A term with no lexeme in any configuration (only stop words) gives NULL, which matches
# nothing, as the empty tsquery did before.
# PostgreSQL only; on SQLite this migration does nothing.
from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION claims_search_query(p_query text, p_configs text[]) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT string_agg(DISTINCT '(' || q::text || ')', ' | ')::tsquery
    FROM (SELECT websearch_to_tsquery(c::regconfig, unaccent(p_query)) AS q
            FROM unnest(p_configs) AS c) parsed
   WHERE q::text <> ''
$$;
"""


STATISTICS = "ALTER TABLE claims_disputesearchdocument ALTER COLUMN document SET STATISTICS {}"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(STATISTICS.format(1000))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STATISTICS.format(-1))
        schema_editor.execute("DROP FUNCTION IF EXISTS claims_search_query(text, text[])")


class Migration(migrations.Migration):
    dependencies = [("claims", "0026_purge_indexes")]
    operations = [migrations.RunPython(install, uninstall, elidable=False)]
