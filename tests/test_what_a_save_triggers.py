"""Each write service sets off exactly what docs/architecture.md's "What a save triggers" table says,
and a bare model save sets off none of it (nothing hides in a signal receiver)."""

import datetime

import pytest

from claims import services
from claims.models import ArticleLink, CheckJob, Claim, Dispute, Evidence, FeedItem, Party, Source, Stance

from .factories import DisputeFactory, PartyFactory

pytestmark = pytest.mark.django_db


def effects(before_items: set, before_jobs: set) -> tuple[list[str], list[str]]:
    """The feed item kinds and check job reasons made since the ids given."""
    items = FeedItem.objects.exclude(pk__in=before_items).order_by("pk").values_list("kind", flat=True)
    jobs = CheckJob.objects.exclude(pk__in=before_jobs).order_by("pk").values_list("reason", flat=True)
    return list(items), list(jobs)


def run(write):
    items, jobs = set(FeedItem.objects.values_list("pk", flat=True)), set(CheckJob.objects.values_list("pk", flat=True))
    write()
    return effects(items, jobs)


def test_each_service_triggers_what_the_table_says(editor, senior):
    dispute = DisputeFactory()
    party = PartyFactory()
    # Claim recorded with a new URL: its feed item, and the new source's first check.
    assert run(
        lambda: services.claim_create(
            dispute=dispute, user=editor, party=party, stance=Stance.AFFIRMS, quote="Yes.", source_url="https://a.org/1"
        )
    ) == (["claim"], ["new"])
    # The opposite claim, citing the same source: counterclaim and the status change; no second check.
    assert run(
        lambda: services.claim_create(
            dispute=dispute, user=editor, party=party, stance=Stance.DENIES, quote="No.", source_url="https://a.org/1"
        )
    ) == (["counterclaim", "status"], [])
    yes = Claim.objects.get(quote="Yes.")
    # An edit: nothing, unless the edit moves the status or brings a new source.
    assert run(lambda: services.claim_update(claim=yes, user=editor, version=yes.version, quote="Yes indeed.")) == (
        [],
        [],
    )
    yes.refresh_from_db()
    assert run(
        lambda: services.claim_update(claim=yes, user=editor, version=yes.version, source_url="https://a.org/2")
    ) == ([], ["new"])
    yes.refresh_from_db()
    assert run(lambda: services.claim_update(claim=yes, user=editor, version=yes.version, stance=Stance.DENIES)) == (
        ["status"],
        [],
    )
    assert run(
        lambda: services.evidence_create(
            dispute=dispute, user=editor, kind="footage", title="F", released_on=datetime.date(2023, 1, 1)
        )
    ) == (["evidence"], [])
    assert run(
        lambda: services.article_create(dispute=dispute, user=editor, url="https://a.org/3", relation="reports")
    ) == (["article"], ["new"])
    dispute.refresh_from_db()
    assert run(
        lambda: services.dispute_update(dispute=dispute, user=editor, version=dispute.version, summary="More.")
    ) == ([], [])
    assert run(lambda: services.dispute_publish(dispute=dispute, user=senior, publish=False)) == ([], [])
    dispute.refresh_from_db()
    settle = {"verdict": "true", "reasoning": "Shown.", "version": dispute.version}
    assert run(lambda: services.dispute_settle(dispute=dispute, user=senior, **settle)) == (["verdict"], [])
    no = Claim.objects.get(quote="No.")
    assert run(lambda: services.claim_delete(claim=no, user=senior)) == ([], [])  # settled: the status holds
    link = ArticleLink.objects.get(dispute=dispute)
    assert run(lambda: services.article_delete(link=link, user=senior)) == ([], [])
    source = Source.objects.get(url="https://a.org/2")
    source.title = "Renamed"
    assert run(lambda: services.source_save(source=source)) == ([], [])
    CheckJob.objects.update(state=CheckJob.State.DONE)  # a check still queued would read the new URL anyway
    source.url = "https://a.org/moved"
    assert run(lambda: services.source_save(source=source)) == ([], ["url_changed"])


def test_restoring_a_deleted_claim_makes_its_feed_item_again_and_moves_the_status(editor, senior):
    dispute = DisputeFactory()
    party = PartyFactory()
    services.claim_create(dispute=dispute, user=editor, party=party, stance=Stance.AFFIRMS, quote="Yes.")
    no = services.claim_create(dispute=dispute, user=editor, party=party, stance=Stance.DENIES, quote="No.")
    no_pk = no.pk
    services.claim_delete(claim=no, user=senior)
    deletion = Claim.history.filter(id=no_pk, history_type="-").get()
    assert run(lambda: services.object_restore(model=Claim, record=deletion, user=senior)) == (
        ["counterclaim", "status"],
        [],
    )
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.DISPUTED


def test_a_bare_model_save_triggers_nothing():
    # Fixtures, migrations and the synthetic data write rows directly: no feed item, no check.
    dispute = Dispute.objects.create(proposition="P.", slug="p")
    party = Party.objects.create(name="P", slug="p")
    source = Source.objects.create(url="https://a.org/bare")
    before = effects(set(), set())
    Claim.objects.create(dispute=dispute, party=party, stance=Stance.AFFIRMS, quote="Q.", source=source)
    Evidence.objects.create(dispute=dispute, kind="footage", title="F")
    ArticleLink.objects.create(dispute=dispute, source=source)
    assert before == effects(set(), set()) == ([], [])
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.SINGLE_SIDED  # the model keeps its own derived status
