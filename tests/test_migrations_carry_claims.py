"""Migrations carry every existing claim over with nothing lost (issue 11).

The demo story is loaded, the schema taken back to before the claims-over-time migrations and
forward again: every claim comes back with every value it had, and stands as current.
"""

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from claims.demo import load_demo
from claims.models import Claim, ClaimStanding, Dispute

pytestmark = pytest.mark.django_db(transaction=True)

# The last migration before a claim had a standing (whatever it is numbered after merges).
BEFORE = next(
    dep for dep in import_module("claims.migrations.0020_claim_standing").Migration.dependencies if dep[0] == "claims"
)


def _claims_as_rows(apps) -> list[dict]:
    model = apps.get_model("claims", "Claim")
    fields = [f.attname for f in model._meta.concrete_fields]
    return list(model.objects.order_by("pk").values(*fields))


def test_demo_claims_survive_the_migrations_forward():
    load_demo()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("claims")
    # What a database before the claims-over-time migrations held: the claims with the columns they had then.
    executor.migrate([BEFORE])
    executor.loader.build_graph()
    before = _claims_as_rows(executor.loader.project_state([BEFORE]).apps)
    statuses = dict(
        executor.loader.project_state([BEFORE]).apps.get_model("claims", "Dispute").objects.values_list("pk", "status")
    )
    assert before, "the demo has claims"

    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    after = {row["id"]: row for row in Claim.objects.order_by("pk").values()}
    assert sorted(after) == [row["id"] for row in before]
    for row in before:
        carried = after[row["id"]]
        assert {name: carried[name] for name in row} == row
        assert carried["standing"] == ClaimStanding.CURRENT and carried["superseded_by_id"] is None
    # Every claim still counts, so no dispute's status moved.
    assert dict(Dispute.objects.values_list("pk", "status")) == statuses
    for dispute in Dispute.objects.all():
        assert dispute.computed_status() == dispute.status


# The last migration before appearances (issue 11).
BEFORE_APPEARANCES = next(
    dep for dep in import_module("claims.migrations.0027_appearances").Migration.dependencies if dep[0] == "claims"
)


def test_demo_claims_keep_their_source_as_their_first_appearance_across_the_appearances_migration(client):
    load_demo()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("claims")
    executor.migrate([BEFORE_APPEARANCES])
    executor.loader.build_graph()
    before = _claims_as_rows(executor.loader.project_state([BEFORE_APPEARANCES]).apps)
    assert any(row["source_id"] for row in before), "the demo's claims have sources"

    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    after = {row["id"]: row for row in Claim.objects.order_by("pk").values()}
    assert [after[row["id"]] for row in before] == before  # every value of every claim, as it was
    for claim in Claim.objects.select_related("source").prefetch_related("appearances"):
        seen = claim.seen_in
        if claim.source_id is None:
            assert seen == []
            continue
        # Its source is its first (and only) appearance, checked by its own selector as before.
        assert [(s.source.pk, s.first) for s in seen] == [(claim.source_id, True)]
    # And the cards read as before: one source line each, no appearance list.
    dispute = Dispute.objects.filter(is_published=True).first()
    html = client.get(dispute.get_absolute_url()).text
    assert 'class="card-source"' in html and "appearance-list" not in html


def test_feed_items_made_while_a_dispute_was_a_draft_are_marked_by_the_migration(django_user_model):
    """Migration 0031 marks what was made on a draft: before the first publication and while a
    published dispute had been taken back to draft (from its history), and nothing else."""
    from claims import services
    from claims.models import FeedItem, Stance

    from .factories import PartyFactory

    senior = django_user_model.objects.create_superuser("senior-migration", password="x")
    dispute = services.dispute_create(user=senior, proposition="The drone was hit.")

    def said(quote):
        return services.claim_create(
            dispute=dispute, user=senior, party=PartyFactory(), stance=Stance.AFFIRMS, quote=quote
        )

    said("Made on the first draft.")
    dispute = services.dispute_publish(dispute=dispute, user=senior)
    said("Made while published.")
    dispute = services.dispute_publish(dispute=dispute, user=senior, publish=False)
    said("Made while taken back.")
    dispute = services.dispute_publish(dispute=dispute, user=senior)
    said("Made once published again.")

    def items():
        rows = FeedItem.objects.exclude(claim=None).values_list("summary", "made_on_draft")
        return sorted((summary.split(": ", 1)[1], draft) for summary, draft in rows)

    expected = items()
    assert expected == [
        ("Made on the first draft.", False),  # told at the first publication
        ("Made on the first draft.", True),
        ("Made once published again.", False),
        ("Made while published.", False),
        ("Made while taken back.", False),  # told at the second publication
        ("Made while taken back.", True),
    ]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("claims")
    before = next(
        dep
        for dep in import_module("claims.migrations.0031_feed_items_made_on_draft").Migration.dependencies
        if dep[0] == "claims"
    )
    executor.migrate([before])
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    assert items() == expected
