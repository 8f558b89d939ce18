"""Feed items made while their dispute was a draft are marked, and public feeds leave them out.

Before, a dispute's feed showed, once it was published, everything recorded while it was a
draft: working titles, claims deleted before publication, parties never published.
Existing items are marked from what the database knows: an item on a dispute that is not
published now, or made before the dispute was first published.
"""

from django.db import migrations, models
from django.db.models import F, Q


def mark_draft_time_items(apps, schema_editor):
    FeedItem = apps.get_model("claims", "FeedItem")
    FeedItem.objects.filter(
        Q(dispute__is_published=False) | Q(created_at__lt=F("dispute__published_at"))
    ).update(made_on_draft=True)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0030_dispute_activity_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="feeditem",
            name="made_on_draft",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_draft_time_items, migrations.RunPython.noop),
    ]
