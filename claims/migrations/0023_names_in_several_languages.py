# Names in several languages: parties and speakers carry other names (aliases and
# transliterations: Шойгу / Shoigu / Choïgou), one per line, optionally tagged with a language.
#
# The dispute's search document now holds, beside each claim's speaker name, the speaker's
# other names and the party's name and other names (all unaccented, in the site's
# configuration like the other names), so a dispute is found by any of them. The triggers of
# 0006 refresh documents when a speaker is renamed; now also when a speaker's other names, or a
# party's name or other names, change. PostgreSQL only for the SQL; the columns everywhere.
from importlib import import_module

from django.db import migrations, models

languages_0017 = import_module("claims.migrations.0017_search_languages")

FUNCTION = languages_0017.FUNCTION.replace(
    """           (SELECT string_agg(concat_ws(' ', c.paraphrase, sp.name, s.title), ' ')
              FROM claims_claim c
              LEFT JOIN claims_speaker sp ON sp.id = c.speaker_id
              LEFT JOIN claims_source s ON s.id = c.source_id
             WHERE c.dispute_id = d.id),""",
    """           (SELECT string_agg(concat_ws(' ', c.paraphrase, sp.name, sp.aliases, s.title), ' ')
              FROM claims_claim c
              LEFT JOIN claims_speaker sp ON sp.id = c.speaker_id
              LEFT JOIN claims_source s ON s.id = c.source_id
             WHERE c.dispute_id = d.id),
           (SELECT string_agg(concat_ws(' ', p.name, p.aliases), ' ')
              FROM claims_party p
             WHERE p.id IN (SELECT c.party_id FROM claims_claim c WHERE c.dispute_id = d.id)),""",
)
assert FUNCTION != languages_0017.FUNCTION, "0017's document function changed: update this replacement"

TRIGGERS = """
CREATE OR REPLACE FUNCTION claims_dispute_search_on_speaker_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM claims_dispute_search_refresh(ARRAY(
    SELECT DISTINCT c.dispute_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      JOIN claims_claim c ON c.speaker_id = n.id
     WHERE n.name IS DISTINCT FROM o.name OR n.aliases IS DISTINCT FROM o.aliases));
  RETURN NULL;
END $$;

-- A party renamed, or given other names: the disputes of its claims.
CREATE OR REPLACE FUNCTION claims_dispute_search_on_party_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM claims_dispute_search_refresh(ARRAY(
    SELECT DISTINCT c.dispute_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      JOIN claims_claim c ON c.party_id = n.id
     WHERE n.name IS DISTINCT FROM o.name OR n.aliases IS DISTINCT FROM o.aliases));
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS claims_party_search_update ON claims_party;
CREATE TRIGGER claims_party_search_update AFTER UPDATE ON claims_party
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claims_dispute_search_on_party_update();
"""

OLD_SPEAKER_TRIGGER = """
CREATE OR REPLACE FUNCTION claims_dispute_search_on_speaker_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM claims_dispute_search_refresh(ARRAY(
    SELECT DISTINCT c.dispute_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      JOIN claims_claim c ON c.speaker_id = n.id
     WHERE n.name IS DISTINCT FROM o.name));
  RETURN NULL;
END $$;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(TRIGGERS)
    schema_editor.execute(languages_0017.REFRESH)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS claims_party_search_update ON claims_party")
    schema_editor.execute("DROP FUNCTION IF EXISTS claims_dispute_search_on_party_update()")
    schema_editor.execute(OLD_SPEAKER_TRIGGER)
    schema_editor.execute(languages_0017.FUNCTION)
    schema_editor.execute(languages_0017.REFRESH)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0022_feed_item_position_shift'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalparty',
            name='aliases',
            field=models.TextField(blank=True, help_text='Other names, one a line: transliterations and translations (Шойгу, Shoigu, Choïgou). Start a line with its language to say which it is (“ru: Шойгу”); a name tagged with the site’s language is the one shown on the site.', max_length=2000, verbose_name='other names'),
        ),
        migrations.AddField(
            model_name='historicalspeaker',
            name='aliases',
            field=models.TextField(blank=True, help_text='Other names, one a line: transliterations and translations (Шойгу, Shoigu, Choïgou). Start a line with its language to say which it is (“ru: Шойгу”); a name tagged with the site’s language is the one shown on the site.', max_length=2000, verbose_name='other names'),
        ),
        migrations.AddField(
            model_name='party',
            name='aliases',
            field=models.TextField(blank=True, help_text='Other names, one a line: transliterations and translations (Шойгу, Shoigu, Choïgou). Start a line with its language to say which it is (“ru: Шойгу”); a name tagged with the site’s language is the one shown on the site.', max_length=2000, verbose_name='other names'),
        ),
        migrations.AddField(
            model_name='speaker',
            name='aliases',
            field=models.TextField(blank=True, help_text='Other names, one a line: transliterations and translations (Шойгу, Shoigu, Choïgou). Start a line with its language to say which it is (“ru: Шойгу”); a name tagged with the site’s language is the one shown on the site.', max_length=2000, verbose_name='other names'),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
