"""A feed item has one name: the ``Development`` model becomes ``FeedItem`` (data kept)."""

import django.db.models.deletion
from django.db import migrations, models



def rename_permissions(apps, schema_editor, old="development", new="feeditem", new_label="feed item"):
    # RenameModel renames the content type but not its permissions: carry any grants over.
    Permission = apps.get_model("auth", "Permission")
    for action in ("add", "change", "delete", "view"):
        Permission.objects.filter(content_type__app_label="claims", codename=f"{action}_{old}").update(
            codename=f"{action}_{new}", name=f"Can {action} {new_label}"
        )


def rename_permissions_back(apps, schema_editor):
    rename_permissions(apps, schema_editor, old="feeditem", new="development", new_label="development")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_search_document_bounded"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RenameModel("Development", "FeedItem"),
        migrations.RenameIndex("feeditem", new_name="feed_item_dispute_idx", old_name="development_dispute_idx"),
        migrations.RenameIndex("feeditem", new_name="feed_item_created_idx", old_name="development_created_idx"),
        migrations.RemoveConstraint("feeditem", "development_kind_valid"),
        migrations.RemoveConstraint("feeditem", "development_one_per_check_and_dispute"),
        migrations.AddConstraint(
            "feeditem",
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "claim",
                        "counterclaim",
                        "evidence",
                        "article",
                        "source_changed",
                        "source_died",
                        "quote_missing",
                        "status",
                        "verdict",
                    ]
                ),
                name="feed_item_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            "feeditem",
            models.UniqueConstraint(
                fields=["source_check", "dispute"],
                condition=models.Q(source_check__isnull=False),
                name="feed_item_one_per_check_and_dispute",
            ),
        ),
        migrations.AlterField(
            "feeditem",
            "dispute",
            models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="feed_items", to="claims.dispute"
            ),
        ),
        migrations.AlterField(
            "feeditem",
            "claim",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="feed_items",
                to="claims.claim",
            ),
        ),
        migrations.AlterField(
            "feeditem",
            "evidence",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="feed_items",
                to="claims.evidence",
            ),
        ),
        migrations.AlterField(
            "feeditem",
            "article_link",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="feed_items",
                to="claims.articlelink",
            ),
        ),
        migrations.AlterField(
            "feeditem",
            "source",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="feed_items",
                to="claims.source",
            ),
        ),
        migrations.AlterField(
            "feeditem",
            "source_check",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="feed_items",
                to="claims.sourcecheck",
            ),
        ),
        migrations.RunPython(rename_permissions, rename_permissions_back),
    ]
