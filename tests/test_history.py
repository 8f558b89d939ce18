import pytest

from claims.models import Claim, Stance

from .factories import ClaimFactory, DisputeFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_claim_change_is_kept_with_who_and_when(client):
    user = UserFactory(username="milena", is_staff=True, is_superuser=True)
    claim = ClaimFactory(quote="Original words.")
    client.force_login(user)
    url = f"/admin/claims/claim/{claim.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(quote="Corrected words.", stance=Stance.DENIES, said_on="2023-03-15")
    data = {k: v for k, v in data.items() if k not in {"id", "version"}}
    data["opened_version"] = claim.version  # the admin form says which version it edits
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    history = list(Claim.history.filter(id=claim.pk).order_by("history_date"))
    assert [h.quote for h in history] == ["Original words.", "Corrected words."]
    assert history[-1].history_user == user
    assert history[-1].history_date is not None
    delta = history[-1].diff_against(history[0])
    assert {change.field for change in delta.changes} >= {"quote", "stance"}


def test_dispute_and_source_changes_are_recorded():
    dispute = DisputeFactory(proposition="First wording.")
    dispute.proposition = "Second wording."
    dispute.save()
    assert dispute.history.count() == 2
    source = SourceFactory(title="Old title")
    source.title = "New title"
    source.save()
    assert [h.title for h in source.history.order_by("history_date")] == ["Old title", "New title"]


def test_deleted_claim_can_be_brought_back_from_history():
    claim = ClaimFactory(quote="Keep me.")
    pk = claim.pk
    claim.delete()
    last = Claim.history.filter(id=pk).latest()
    assert last.history_type == "-"
    restored = last.prev_record.instance
    restored.save()
    assert Claim.objects.get(pk=pk).quote == "Keep me."
