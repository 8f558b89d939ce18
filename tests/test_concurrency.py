"""Two editors, one object: the later save is refused, shown what changed, and keeps its text."""

import pytest
from django.test import Client

from claims.models import Claim, Dispute, Evidence

from .factories import ClaimFactory, DisputeFactory, EvidenceFactory, UserFactory
from .helpers import HTMX, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors(editor):
    from claims import roles

    other = UserFactory(username="olga", roles=[roles.EDITORS])
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(other)
    return first, second


def test_editor_sees_conflict_when_claim_changed_meanwhile(two_editors):
    first, second = two_editors
    claim = ClaimFactory(quote="Original words.", paraphrase="")
    url = f"/claims/{claim.pk}/edit/"
    mine = form_data(first.get(url))
    theirs = form_data(second.get(url))

    theirs["quote"] = "Their correction."
    assert second.post(url, theirs).status_code == 302

    mine["quote"] = "My own careful wording."
    mine["paraphrase"] = "My paraphrase."
    response = first.post(url, mine)
    html = response.content.decode()
    assert response.status_code == 200
    assert "olga saved this claim after you opened the form." in html
    assert "Nothing was saved." in html
    # Field-by-field: what it was when I opened it, what it is now.
    assert "Original words." in html and "Their correction." in html
    # My text is still in the form.
    assert "My own careful wording." in html and "My paraphrase." in html
    claim.refresh_from_db()
    assert claim.quote == "Their correction."
    assert claim.paraphrase == ""


def test_saving_again_after_seeing_the_conflict_applies_my_version(two_editors):
    first, second = two_editors
    claim = ClaimFactory(quote="Original words.")
    url = f"/claims/{claim.pk}/edit/"
    mine = form_data(first.get(url))
    theirs = form_data(second.get(url))
    theirs["quote"] = "Their correction."
    second.post(url, theirs)
    mine["quote"] = "Mine."
    conflict = first.post(url, mine)
    resubmit = form_data(conflict)
    assert resubmit["quote"] == "Mine."
    assert first.post(url, resubmit).status_code == 302
    claim.refresh_from_db()
    assert claim.quote == "Mine."
    assert [h.quote for h in Claim.history.filter(id=claim.pk).order_by("history_date")] == [
        "Original words.",
        "Their correction.",
        "Mine.",
    ]


def test_dispute_edits_conflict_too(two_editors):
    first, second = two_editors
    dispute = DisputeFactory(proposition="First wording.")
    url = f"/disputes/{dispute.slug}/edit/"
    mine, theirs = form_data(first.get(url)), form_data(second.get(url))
    theirs["proposition"] = "Their wording."
    second.post(url, theirs)
    mine["proposition"] = "My wording."
    response = first.post(url, mine, **HTMX)
    assert "saved this dispute after you opened the form" in response.content.decode()
    assert Dispute.objects.get().proposition == "Their wording."


def test_evidence_edits_conflict_too(two_editors):
    first, second = two_editors
    evidence = EvidenceFactory(title="Footage")
    url = f"/evidence/{evidence.pk}/edit/"
    mine, theirs = form_data(first.get(url)), form_data(second.get(url))
    theirs["title"] = "Declassified footage"
    second.post(url, theirs)
    mine["title"] = "Video"
    response = first.post(url, mine)
    html = response.content.decode()
    assert "saved this evidence after you opened the form" in html and "Declassified footage" in html
    assert Evidence.objects.get().title == "Declassified footage"
