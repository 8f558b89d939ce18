"""Restoring something deleted when rows made since stand in its way: a clear answer, never a 500."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from claims import services
from claims.models import ArticleLink, Claim, Dispute, Speaker

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, SourceFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


def _restore(client, kind: str, pk: int, record):
    return client.post(reverse("claims:history-restore", args=[kind, pk, record.history_id]))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_dispute_whose_slug_was_taken_comes_back_under_a_new_slug(senior_client, senior):
    old = DisputeFactory(proposition="The drone was downed.", slug="the-drone-was-downed")
    pk = old.pk
    services.dispute_delete(dispute=old, user=senior)
    newer = services.dispute_create(user=senior, proposition="The drone was downed.")
    assert newer.slug == "the-drone-was-downed"
    record = Dispute.history.filter(id=pk, history_type="+").get()
    response = _restore(senior_client, "dispute", pk, record)
    assert response.status_code == 302
    restored = Dispute.objects.get(pk=pk)
    assert restored.slug != newer.slug and restored.slug.startswith("the-drone-was-downed")
    assert response["Location"] == restored.get_absolute_url()
    assert any("the-drone-was-downed" in m and restored.slug in m for m in _messages(response))
    assert Dispute.objects.get(pk=newer.pk).slug == "the-drone-was-downed"


def test_older_version_with_a_slug_now_used_elsewhere_keeps_a_free_slug(senior_client, senior):
    dispute = DisputeFactory(slug="first-wording")
    first = Dispute.history.filter(id=dispute.pk).earliest("history_date")
    services.dispute_update(dispute=dispute, user=senior, version=dispute.version, slug="second-wording")
    DisputeFactory(slug="first-wording")
    response = _restore(senior_client, "dispute", dispute.pk, first)
    assert response.status_code == 302
    assert Dispute.objects.filter(slug="first-wording").count() == 1


def test_article_link_linked_again_since_is_refused_with_what_to_do(senior_client, senior):
    link = ArticleLinkFactory(note="The first note.")
    pk, dispute, source = link.pk, link.dispute, link.source
    services.article_delete(link=link, user=senior)
    again = services.article_create(dispute=dispute, user=senior, url=source.url, relation="corroborates", note="New.")
    record = ArticleLink.history.filter(id=pk, history_type="+").get()
    response = _restore(senior_client, "article", pk, record)
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:history", args=["article", pk])
    assert any("linked to this dispute again" in m for m in _messages(response))
    assert list(ArticleLink.objects.filter(dispute=dispute)) == [again]
    assert ArticleLink.objects.get().note == "New."


def test_claim_whose_speaker_was_deleted_since_says_what_to_restore_first(senior_client, senior):
    speaker = SpeakerFactory(name="Gen. Example")
    claim = ClaimFactory(party=speaker.party, speaker=speaker)
    pk = claim.pk
    services.claim_delete(claim=claim, user=senior)
    speaker.delete()
    record = Claim.history.filter(id=pk, history_type="+").get()
    response = _restore(senior_client, "claim", pk, record)
    assert response.status_code == 302
    assert any("speaker" in m.lower() and "deleted" in m for m in _messages(response))
    assert not Claim.objects.filter(pk=pk).exists()


def test_admin_revert_with_a_collision_answers_with_a_message(client, senior):
    from .factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    speaker = SpeakerFactory(name="Maria Zakharova")
    pk, party = speaker.pk, speaker.party
    speaker.delete()
    Speaker.objects.create(party=party, name="Maria Zakharova")
    record = Speaker.history.filter(id=pk, history_type="+").get()
    response = client.post(reverse("admin:claims_speaker_simple_history", args=[pk, record.history_id]), {})
    assert response.status_code == 302
    assert any("already exists" in m for m in _messages(response))
    assert Speaker.objects.filter(party=party).count() == 1


def test_source_with_an_address_taken_since_is_refused(editor_client):
    source = SourceFactory(url="https://news.example.org/a")
    first = source.history.earliest("history_date")
    source.url = "https://news.example.org/b"
    source.save()
    SourceFactory(url="https://news.example.org/a")
    response = _restore(editor_client, "source", source.pk, first)
    assert response.status_code == 302
    assert any("already exists" in m for m in _messages(response))
