"""The write services called directly: restore and the version check, without a page around them."""

import pytest

from claims import services
from claims.models import Claim, Dispute, EvidenceLink

from .factories import ClaimFactory, DisputeFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def _first(model, pk):
    return model.history.filter(id=pk).order_by("history_date", "history_id").first()


def test_restoring_a_live_claim_is_a_recorded_edit_with_a_new_version(editor):
    claim = ClaimFactory(quote="First words.")
    claim.quote = "Second words."
    claim.save()
    before = claim.version

    restored = services.object_restore(model=Claim, record=_first(Claim, claim.pk), user=editor)

    claim.refresh_from_db()
    assert claim.quote == "First words."
    assert restored.version == claim.version > before
    newest = Claim.history.filter(id=claim.pk).order_by("-history_id").first()
    assert newest.history_type == "~" and newest.history_change_reason.startswith("restored the version of")


def test_restoring_a_deleted_dispute_brings_back_what_was_deleted_with_it(senior):
    dispute = DisputeFactory()
    claim = ClaimFactory(dispute=dispute)
    evidence = EvidenceFactory(dispute=dispute)
    EvidenceLink.objects.create(evidence=evidence, claim=claim, effect="supports")
    dispute_pk, versions = dispute.pk, set(Dispute.history.filter(id=dispute.pk).values_list("version", flat=True))
    services.dispute_delete(dispute=dispute, user=senior)
    assert not Dispute.objects.filter(pk=dispute_pk).exists()

    deletion = Dispute.history.filter(id=dispute_pk, history_type="-").get()
    restored = services.object_restore(model=Dispute, record=deletion, user=senior)

    assert restored.pk == dispute_pk
    assert Claim.objects.filter(pk=claim.pk, dispute_id=dispute_pk).exists()
    assert EvidenceLink.objects.filter(evidence_id=evidence.pk, claim_id=claim.pk).exists()
    assert restored.version > max(versions)  # versions never go backwards


def test_check_version_passes_the_version_the_form_was_opened_at():
    claim = ClaimFactory()
    services.check_version(obj=claim, version=claim.version)


def test_check_version_names_who_changed_what_since_the_form_was_opened(editor):
    claim = ClaimFactory(quote="Opened at this.")
    opened = claim.version
    claim.quote = "Changed meanwhile."
    claim._history_user = editor
    claim.save()
    with pytest.raises(services.EditConflict) as conflict:
        services.check_version(obj=claim, version=opened)
    assert conflict.value.opened_version == opened
    assert conflict.value.current_version == claim.version
    assert conflict.value.changed_by == str(editor)
    assert [(c.field, c.old, c.new) for c in conflict.value.changes] == [
        ("quote", "Opened at this.", "Changed meanwhile.")
    ]


def test_check_version_refuses_a_form_that_does_not_say_its_version():
    claim = ClaimFactory()
    with pytest.raises(services.EditConflict):
        services.check_version(obj=claim, version=None)
