"""History pages: who changed what and when, restore an earlier version, undo a deletion."""

import pytest

from claims.models import ArticleLink, Claim, Dispute, Evidence, EvidenceLink, Stance

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, EvidenceFactory, SourceFactory
from .helpers import SIGNED_IN_QUERIES, form_data

pytestmark = pytest.mark.django_db


def edit_claim(client, claim, **changes):
    data = form_data(client.get(f"/claims/{claim.pk}/edit/"), **changes)
    response = client.post(f"/claims/{claim.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_history_shows_who_changed_which_field(editor_client, client, reader):
    claim = ClaimFactory(quote="We have absolute evidence.")
    edit_claim(editor_client, claim, quote="We have evidence.", stance=Stance.QUALIFIED)
    client.force_login(reader)
    response = client.get(f"/history/claim/{claim.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "eddie" in html
    assert "<del>We have absolute evidence.</del>" in html and "<ins>We have evidence.</ins>" in html
    assert "<del>Affirms</del>" in html and "<ins>Qualified</ins>" in html
    assert "Restore this version" not in html  # readers read only


def test_editor_restores_an_earlier_version(editor_client):
    claim = ClaimFactory(quote="First.")
    edit_claim(editor_client, claim, quote="Second.")
    first = Claim.history.filter(id=claim.pk).earliest()
    page = editor_client.get(f"/history/claim/{claim.pk}/").content.decode()
    assert f"/history/claim/{claim.pk}/restore/{first.history_id}/" in page
    response = editor_client.post(f"/history/claim/{claim.pk}/restore/{first.history_id}/")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.quote == "First."
    # The restore is itself a change in the history, so it can be undone too.
    assert [h.quote for h in Claim.history.filter(id=claim.pk).order_by("history_date")] == [
        "First.",
        "Second.",
        "First.",
    ]


def test_deleted_claim_comes_back_with_its_evidence_links(senior_client):
    dispute = DisputeFactory()
    claim = ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS)
    ClaimFactory(dispute=dispute, stance=Stance.DENIES)
    evidence = EvidenceFactory(dispute=dispute)
    EvidenceLink.objects.create(evidence=evidence, claim=claim, effect="supports")
    assert senior_client.post(f"/claims/{claim.pk}/delete/").status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists() and not EvidenceLink.objects.exists()
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.SINGLE_SIDED

    page = senior_client.get(f"/history/claim/{claim.pk}/").content.decode()
    assert "This claim was deleted." in page and "Undo the deletion" in page
    before_deletion = Claim.history.filter(id=claim.pk, history_type="+").get()
    response = senior_client.post(f"/history/claim/{claim.pk}/restore/{before_deletion.history_id}/")
    assert response.status_code == 302 and response["Location"].endswith(f"#claim-{claim.pk}")
    restored = Claim.objects.get(pk=claim.pk)
    assert restored.quote == claim.quote
    assert EvidenceLink.objects.get().claim == restored
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.DISPUTED


def test_deleted_dispute_comes_back_with_everything_on_it(senior_client):
    dispute = DisputeFactory(proposition="The drone was in international airspace.")
    claim = ClaimFactory(dispute=dispute)
    evidence = EvidenceFactory(dispute=dispute)
    EvidenceLink.objects.create(evidence=evidence, stance=Stance.AFFIRMS, effect="supports")
    ArticleLinkFactory(dispute=dispute)
    pk = dispute.pk
    assert senior_client.get(f"/disputes/{dispute.slug}/delete/").status_code == 200
    response = senior_client.post(f"/disputes/{dispute.slug}/delete/")
    assert response["Location"] == f"/history/dispute/{pk}/"
    assert not Dispute.objects.exists() and not Claim.objects.exists() and not Evidence.objects.exists()

    page = senior_client.get(f"/history/dispute/{pk}/").content.decode()
    assert "This dispute was deleted." in page
    record = Dispute.history.filter(id=pk, history_type="+").get()
    senior_client.post(f"/history/dispute/{pk}/restore/{record.history_id}/")
    assert Dispute.objects.get(pk=pk).proposition == "The drone was in international airspace."
    assert Claim.objects.get().pk == claim.pk
    assert Evidence.objects.get().pk == evidence.pk
    assert EvidenceLink.objects.count() == 1 and ArticleLink.objects.count() == 1


def test_dispute_history_lists_what_was_deleted_from_it(senior_client):
    dispute = DisputeFactory()
    claim = ClaimFactory(dispute=dispute, quote="Gone words.")
    senior_client.post(f"/claims/{claim.pk}/delete/")
    page = senior_client.get(f"/history/dispute/{dispute.pk}/").content.decode()
    assert "Deleted from this dispute" in page and f"/history/claim/{claim.pk}/" in page


def test_claim_cannot_come_back_before_its_dispute(senior_client):
    dispute = DisputeFactory()
    claim = ClaimFactory(dispute=dispute)
    senior_client.post(f"/claims/{claim.pk}/delete/")
    senior_client.post(f"/disputes/{dispute.slug}/delete/")
    record = Claim.history.filter(id=claim.pk, history_type="+").get()
    response = senior_client.post(f"/history/claim/{claim.pk}/restore/{record.history_id}/", follow=True)
    assert "Restore its dispute first" in response.content.decode()
    assert not Claim.objects.exists()


def test_source_history_page(editor_client):
    source = SourceFactory(title="Old title")
    source.title = "New title"
    source.save()
    html = editor_client.get(f"/history/source/{source.pk}/").content.decode()
    assert "<del>Old title</del>" in html and "<ins>New title</ins>" in html


def test_history_of_draft_is_hidden_from_readers(client, reader):
    dispute = DisputeFactory(is_published=False)
    client.force_login(reader)
    assert client.get(f"/history/dispute/{dispute.pk}/").status_code == 404


def test_unknown_kind_is_404(editor_client):
    assert editor_client.get("/history/party/1/").status_code == 404


def test_history_page_query_count_does_not_grow_with_versions(editor_client, django_assert_num_queries):
    small, large = EvidenceFactory(title="v0"), EvidenceFactory(title="v0")
    for n in range(1, 3):
        small.title = f"v{n}"
        small.save()
    for n in range(1, 12):
        large.title = f"v{n}"
        large.save()
    editor_client.get(f"/history/evidence/{small.pk}/")  # warm anything cached per process
    # The page's own four reads and the signed-in user with their permissions.
    with django_assert_num_queries(4 + SIGNED_IN_QUERIES) as small_ctx:
        editor_client.get(f"/history/evidence/{small.pk}/")
    with django_assert_num_queries(len(small_ctx.captured_queries)):
        editor_client.get(f"/history/evidence/{large.pk}/")


def test_an_editor_restore_leaves_publishing_and_verdict_alone(editor_client, senior):
    from claims import services

    dispute = DisputeFactory(proposition="Old wording.", is_published=False)
    first = Dispute.history.filter(id=dispute.pk).earliest()
    dispute = services.dispute_publish(dispute=dispute, user=senior)
    services.dispute_settle(dispute=dispute, user=senior, verdict="true", reasoning="Footage.", version=dispute.version)
    editor_client.post(f"/history/dispute/{dispute.pk}/restore/{first.history_id}/")
    dispute.refresh_from_db()
    assert dispute.is_published and dispute.verdict == "true"


def test_a_dispute_an_editor_brings_back_is_a_draft(senior_client, editor, client):
    dispute = DisputeFactory(is_published=True)
    pk = dispute.pk
    senior_client.post(f"/disputes/{dispute.slug}/delete/")
    client.force_login(editor)
    record = Dispute.history.filter(id=pk, history_type="+").get()
    client.post(f"/history/dispute/{pk}/restore/{record.history_id}/")
    assert not Dispute.objects.get(pk=pk).is_published


# --- What a reader sees of a dispute begun as a draft ---------------------------------------


@pytest.fixture
def published_after_drafting(editor, senior):
    """A dispute drafted under a working title, with a claim written and deleted while it was a
    draft, then renamed, given clean claims and published."""
    from claims import services

    from .factories import PartyFactory

    dispute = services.dispute_create(user=editor, proposition="ZQDRAFT working title naming insider Smith")
    bad = services.claim_create(
        dispute=dispute, user=editor, stance="denies", quote="ZQDRAFT quote never published", party=PartyFactory()
    )
    bad_pk = bad.pk
    services.claim_delete(claim=bad, user=senior)
    dispute.refresh_from_db()
    dispute = services.dispute_update(
        dispute=dispute, user=editor, version=dispute.version, proposition="Clean public proposition"
    )
    kept = services.claim_create(
        dispute=dispute, user=editor, stance="affirms", quote="The clean public quote", party=PartyFactory()
    )
    services.dispute_publish(dispute=dispute, user=senior)
    return dispute, bad_pk, kept


def test_readers_see_no_history_from_before_a_dispute_was_published(client, reader, editor, published_after_drafting):
    dispute, bad_pk, kept = published_after_drafting
    client.force_login(reader)
    page = client.get(f"/history/dispute/{dispute.pk}/")
    assert page.status_code == 200
    assert "Clean public proposition" in page.content.decode()
    assert "ZQDRAFT" not in page.content.decode()  # neither the working title nor the deleted claim
    assert client.get(f"/history/claim/{bad_pk}/").status_code == 404  # it only ever existed as a draft's
    claim_page = client.get(f"/history/claim/{kept.pk}/")  # written in the draft, public since
    assert claim_page.status_code == 200
    assert "The clean public quote" in claim_page.content.decode()
    client.force_login(editor)  # editors see drafts, and so everything
    assert "ZQDRAFT working title" in client.get(f"/history/dispute/{dispute.pk}/").content.decode()
    assert "ZQDRAFT quote" in client.get(f"/history/claim/{bad_pk}/").content.decode()


def test_a_claim_merged_into_a_drafts_claim_does_not_lead_a_reader_to_the_draft(client, reader, senior):
    from claims import services

    draft = DisputeFactory(is_published=False, slug="zqdraft-secret-slug")
    keep = ClaimFactory(dispute=draft)
    duplicate = ClaimFactory(dispute=DisputeFactory(), party=keep.party)
    services.claim_merge(keep=keep, duplicate=duplicate, user=senior)
    client.force_login(reader)
    page = client.get(f"/history/claim/{duplicate.pk}/").content.decode()
    assert "merged into another claim" in page
    assert "zqdraft-secret-slug" not in page
    client.force_login(senior)
    assert "zqdraft-secret-slug" in client.get(f"/history/claim/{duplicate.pk}/").content.decode()


def test_a_change_names_only_what_the_reader_may_see(client, reader):
    from .factories import PartyFactory

    claim = ClaimFactory(party=PartyFactory(name="ZQDRAFT Party Only On Drafts"))
    ClaimFactory(dispute=DisputeFactory(is_published=False), party=claim.party)
    claim.party = PartyFactory(name="Public Party")
    claim.save()
    client.force_login(reader)
    page = client.get(f"/history/claim/{claim.pk}/").content.decode()
    assert "Public Party" in page
    assert "ZQDRAFT" not in page


# --- Long histories ---------------------------------------------------------------------------


def claim_with_versions(count: int) -> Claim:
    claim = ClaimFactory(quote="v0")
    for n in range(1, count):
        claim.source = SourceFactory()
        claim.quote = f"version {n} " + ("word " * 3000 + "THE END" if n == count - 1 else "word")
        claim.save()
    return claim


def test_a_long_history_is_paged_and_costs_the_same_queries_at_any_length(client, reader, django_assert_num_queries):
    small, large = claim_with_versions(10), claim_with_versions(100)
    client.force_login(reader)
    client.get(f"/history/claim/{small.pk}/")  # warm anything cached per process
    # Versions (2), page of records, the claim, related names (party, speaker, source: 3), and the user.
    with django_assert_num_queries(7 + SIGNED_IN_QUERIES) as small_ctx:
        client.get(f"/history/claim/{small.pk}/")
    with django_assert_num_queries(len(small_ctx.captured_queries)):
        first = client.get(f"/history/claim/{large.pk}/")
    page = first.content.decode()
    assert page.count('class="history-entry') == 50
    assert 'href="?page=2"' in page
    assert "version 99" in page and "version 40 " not in page  # newest first
    assert "THE END" not in page  # the long value is cut short, with a way to see it whole
    whole = f"?version={large.history.latest().history_id}"
    assert whole in page
    assert "THE END" in client.get(f"/history/claim/{large.pk}/{whole}").content.decode()
    older = client.get(f"/history/claim/{large.pk}/?page=2").content.decode()
    assert older.count('class="history-entry') == 50
    assert "version 40 " in older
    assert "<ins>v0</ins>" not in older and "Created" in older
