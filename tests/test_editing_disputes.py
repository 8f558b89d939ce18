"""Creating disputes, editing them, verdicts, publishing, evidence and article links."""

import pytest

from claims.models import ArticleLink, Dispute, Evidence, EvidenceLink, Source, Stance

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, EvidenceFactory, PartyFactory, SourceFactory
from .helpers import HTMX

pytestmark = pytest.mark.django_db


def test_editor_creates_a_dispute_as_a_draft(editor_client):
    response = editor_client.post(
        "/disputes/new/", {"proposition": "A Russian Su-27 struck the MQ-9.", "summary": "", "occurred_on": ""}
    )
    dispute = Dispute.objects.get()
    assert response.status_code == 302 and response["Location"] == dispute.get_absolute_url()
    assert dispute.slug == "a-russian-su-27-struck-the-mq-9"
    assert not dispute.is_published
    assert dispute.created_by.username == "eddie"


def test_same_proposition_twice_gets_its_own_slug(editor_client):
    for _ in range(2):
        editor_client.post("/disputes/new/", {"proposition": "Same words."})
    assert sorted(Dispute.objects.values_list("slug", flat=True)) == ["same-words", "same-words-2"]


def test_empty_proposition_is_refused(editor_client):
    response = editor_client.post("/disputes/new/", {"proposition": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Dispute.objects.exists()


def test_editor_edits_the_dispute_header_in_place(editor_client):
    dispute = DisputeFactory(proposition="Old wording.")
    data = {"proposition": "New wording.", "summary": "", "occurred_on": "", "version": dispute.version}
    response = editor_client.post(f"/disputes/{dispute.slug}/edit/", data, **HTMX)
    assert response.status_code == 200
    assert "New wording." in response.content.decode()
    assert 'id="dispute-header"' in response.content.decode()


def test_verdict_needs_its_reasoning(senior_client):
    dispute = DisputeFactory()
    url = f"/disputes/{dispute.slug}/verdict/"
    response = senior_client.post(url, {"verdict": "true", "verdict_reasoning": "", "version": dispute.version})
    assert "Explain the verdict" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.verdict == ""
    response = senior_client.post(
        url, {"verdict": "true", "verdict_reasoning": "The footage shows it.", "version": dispute.version}
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.verdict == "true" and dispute.status == Dispute.Status.SETTLED
    assert dispute.verdict_by.username == "sena" and dispute.verdict_at is not None


def test_senior_publishes_and_unpublishes(senior_client, client):
    dispute = DisputeFactory(is_published=False)
    assert senior_client.post(f"/disputes/{dispute.slug}/publish/").status_code == 302
    dispute.refresh_from_db()
    assert dispute.is_published and dispute.published_at is not None
    response = senior_client.post(f"/disputes/{dispute.slug}/unpublish/", **HTMX)
    assert response.status_code == 200 and 'id="dispute-header"' in response.content.decode()
    dispute.refresh_from_db()
    assert not dispute.is_published


def test_evidence_with_what_it_supports(editor_client):
    dispute = DisputeFactory()
    claim = ClaimFactory(dispute=dispute)
    data = {
        "kind": "footage",
        "title": "Declassified MQ-9 footage",
        "description": "",
        "released_by": PartyFactory().pk,
        "released_on": "2023-03-16",
        "released_on_precision": "day",
        "source_url": "https://www.eucom.mil/video",
        "bears_on": f"claim:{claim.pk}",
        "effect": "supports",
        "strength": "strong",
    }
    response = editor_client.post(f"/disputes/{dispute.slug}/evidence/new/", data)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    link = EvidenceLink.objects.get()
    assert (link.evidence, link.claim, link.effect, link.strength) == (evidence, claim, "supports", "strong")
    assert evidence.source.url == "https://www.eucom.mil/video"


def test_evidence_may_bear_on_a_whole_side(editor_client):
    dispute = DisputeFactory()
    evidence = EvidenceFactory(dispute=dispute)
    response = editor_client.post(
        f"/evidence/{evidence.pk}/links/new/",
        {"bears_on": "stance:denies", "effect": "contradicts", "strength": "weak"},
    )
    assert response.status_code == 302
    link = EvidenceLink.objects.get()
    assert (link.stance, link.claim) == (Stance.DENIES, None)


def test_evidence_cannot_link_to_a_claim_of_another_dispute(editor_client):
    evidence = EvidenceFactory()
    other = ClaimFactory()
    response = editor_client.post(
        f"/evidence/{evidence.pk}/links/new/", {"bears_on": f"claim:{other.pk}", "effect": "supports"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not EvidenceLink.objects.exists()


def test_article_link_reuses_source_and_rejects_bad_urls(editor_client):
    dispute = DisputeFactory()
    known = SourceFactory(url="https://apnews.com/article/drone")
    url = f"/disputes/{dispute.slug}/articles/new/"
    bad = editor_client.post(url, {"url": "javascript:alert(1)", "relation": "reports", "linked_on": "2023-03-20"})
    assert "Only http:// and https:// URLs can be sources." in bad.content.decode()
    assert not ArticleLink.objects.exists()
    good = editor_client.post(
        url, {"url": "https://APNEWS.com/article/drone?fbclid=1", "relation": "updates", "linked_on": "2023-03-20"}
    )
    assert good.status_code == 302
    assert ArticleLink.objects.get().source == known
    assert Source.objects.count() == 1


def test_article_link_edit_keeps_its_url(editor_client):
    link = ArticleLinkFactory(relation="reports")
    response = editor_client.post(
        f"/articles/{link.pk}/edit/",
        {"url": "https://evil.example/", "relation": "retracts", "linked_on": "2023-04-01", "version": link.version},
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.relation == "retracts" and link.source.url.startswith("https://news.example.org/")


def test_a_dispute_called_new_gets_a_slug_that_opens(editor_client, editor):
    from claims import services

    dispute = services.dispute_create(user=editor, proposition="New")
    assert dispute.slug != "new"
    page = editor_client.get(dispute.get_absolute_url())
    assert page.status_code == 200
    assert page.context["dispute"] == dispute


# --- A renamed draft's address on publication ---------------------------------------------------


def test_a_renamed_draft_is_published_under_its_new_wording_and_the_old_address_redirects(
    client, editor, senior, reader
):
    from claims import services

    draft = services.dispute_create(user=editor, proposition="Working title naming insider Smith")
    assert draft.slug == "working-title-naming-insider-smith"
    draft = services.dispute_update(
        dispute=draft, user=editor, version=draft.version, proposition="The ministry leaked the memo"
    )
    assert client.get("/disputes/working-title-naming-insider-smith/").status_code == 404  # a draft
    published = services.dispute_publish(dispute=draft, user=senior)
    assert published.slug == "the-ministry-leaked-the-memo"
    for who in (None, reader):
        if who:
            client.force_login(who)
        moved = client.get("/disputes/working-title-naming-insider-smith/?show=all")
        assert moved.status_code == 301
        assert moved["Location"] == "/disputes/the-ministry-leaked-the-memo/?show=all"
        csv_moved = client.get("/disputes/working-title-naming-insider-smith/claims.csv")
        assert csv_moved["Location"] == "/disputes/the-ministry-leaked-the-memo/claims.csv"
    client.logout()
    services.dispute_publish(dispute=published, user=senior, publish=False)
    assert client.get("/disputes/working-title-naming-insider-smith/").status_code == 404  # a draft again


def test_a_slug_chosen_by_hand_is_kept_on_publication(senior, editor):
    from claims import services

    draft = services.dispute_create(user=editor, proposition="Working title", slug="drone-contact")
    draft = services.dispute_update(dispute=draft, user=editor, version=draft.version, proposition="New wording")
    assert services.dispute_publish(dispute=draft, user=senior).slug == "drone-contact"
