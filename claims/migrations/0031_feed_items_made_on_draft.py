"""Feed items made while their dispute was a draft are marked, and public feeds leave them out.

Before, a dispute's feed showed, once it was published, everything recorded while it was a
draft: working titles, claims deleted before publication, parties never published.
Existing items are marked from what the database knows: an item on a dispute that is not
published now, made before the dispute was first published, or made while a published
dispute had been taken back to draft (from its history).
"""

from django.db import migrations, models
from django.db.models import F, Q


def mark_draft_time_items(apps, schema_editor):
    FeedItem = apps.get_model("claims", "FeedItem")
    FeedItem.objects.filter(
        Q(dispute__is_published=False) | Q(created_at__lt=F("dispute__published_at"))
    ).update(made_on_draft=True)
    # A dispute taken back to draft and published again: what was made while it was a draft
    # again. ``published_at`` is the first publication only; its history has every change.
    HistoricalDispute = apps.get_model("claims", "HistoricalDispute")
    versions = HistoricalDispute.objects.order_by("id", "history_date", "history_id").values_list(
        "id", "history_date", "is_published"
    )
    current, published, since = None, False, None
    for dispute_id, when, is_published in versions.iterator(chunk_size=2000):
        if dispute_id != current:
            current, published, since = dispute_id, is_published, None
            continue
        if published and not is_published:
            since = when
        elif since is not None and is_published and not published:
            FeedItem.objects.filter(dispute_id=dispute_id, created_at__gte=since, created_at__lt=when).update(
                made_on_draft=True
            )
            since = None
        published = is_published


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
