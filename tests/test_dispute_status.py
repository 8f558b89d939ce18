import pytest

from claims.models import Dispute, Stance

from .factories import ClaimFactory, DisputeFactory

pytestmark = pytest.mark.django_db
Status = Dispute.Status


@pytest.mark.parametrize(
    ("stances", "verdict", "expected"),
    [
        ([], "", Status.OPEN),
        ([Stance.AFFIRMS], "", Status.SINGLE_SIDED),
        ([Stance.DENIES, Stance.DENIES], "", Status.SINGLE_SIDED),
        ([Stance.QUALIFIED, Stance.AFFIRMS], "", Status.SINGLE_SIDED),
        ([Stance.AFFIRMS, Stance.DENIES], "", Status.DISPUTED),
        ([Stance.AFFIRMS, Stance.DENIES, Stance.QUALIFIED], "", Status.DISPUTED),
        ([Stance.AFFIRMS, Stance.DENIES], Dispute.Verdict.TRUE, Status.SETTLED),
        ([Stance.AFFIRMS], Dispute.Verdict.FALSE, Status.SETTLED),
        ([Stance.AFFIRMS, Stance.DENIES], Dispute.Verdict.UNPROVEN, Status.UNRESOLVED),
    ],
)
def test_derive_status(stances, verdict, expected):
    assert Dispute.derive_status(stances, verdict) == expected


def test_status_follows_claims_as_they_are_added_and_removed():
    dispute = DisputeFactory()
    assert dispute.status == Status.OPEN
    ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS)
    dispute.refresh_from_db()
    assert dispute.status == Status.SINGLE_SIDED
    counter = ClaimFactory(dispute=dispute, stance=Stance.DENIES)
    dispute.refresh_from_db()
    assert dispute.status == Status.DISPUTED
    counter.delete()
    dispute.refresh_from_db()
    assert dispute.status == Status.SINGLE_SIDED


def test_verdict_settles_a_dispute_and_removing_it_reopens():
    dispute = DisputeFactory()
    ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS)
    ClaimFactory(dispute=dispute, stance=Stance.DENIES)
    dispute.refresh_from_db()
    dispute.verdict = Dispute.Verdict.TRUE
    dispute.save()
    dispute.refresh_from_db()
    assert dispute.status == Status.SETTLED
    dispute.verdict = ""
    dispute.save()
    dispute.refresh_from_db()
    assert dispute.status == Status.DISPUTED


def test_new_claim_moves_dispute_to_top_of_recent_activity():
    older, newer = DisputeFactory(), DisputeFactory()
    ClaimFactory(dispute=newer)
    ClaimFactory(dispute=older)
    assert list(Dispute.objects.recently_active()) == [older, newer]
