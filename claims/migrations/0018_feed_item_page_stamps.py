# A feed item written, changed or deleted renews its dispute's page stamp (migration
# 0013), so the newest stamp versions every feed: a feed answers a reader who is up to
# date from that one read (claims.views.feeds, docs/performance.md). Feed items are
# mostly written with the write that caused them (which renews the stamp already), but
# not always (the checker's "source changed", a fixture, the admin). PostgreSQL only.

from django.db import migrations

WRITES = ["INSERT", "UPDATE", "DELETE"]
REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event in WRITES:
        schema_editor.execute(
            f"CREATE TRIGGER claims_feeditem_page_stamp_{event.lower()} AFTER {event} ON claims_feeditem "
            f"{REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION claims_page_stamp_on_child_write()"
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event in WRITES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS claims_feeditem_page_stamp_{event.lower()} ON claims_feeditem")


class Migration(migrations.Migration):
    dependencies = [("claims", "0017_search_languages")]
    operations = [migrations.RunPython(install, uninstall, elidable=False)]
