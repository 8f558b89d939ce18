# Two branches landed on the same day: appearances (issue 11) and the similar-claims words
# index (issue 12). Nothing to do but join them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0027_appearances"),
        ("claims", "0028_similar_claims_by_rare_words"),
    ]
    operations = []
