# Two migrations landed on main in parallel (0007_sourcecheck_text_method and
# 0007/0008 article-link version); this joins them so the graph has one leaf again.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_sourcecheck_text_method"),
        ("claims", "0008_article_link_version"),
    ]

    operations = []
