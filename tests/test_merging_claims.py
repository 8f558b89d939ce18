"""One statement recorded twice (issue 12): near-duplicates for senior editors, merging two
claims (both histories kept, undoable from the history page), and linking a repeat typed in
the claim form as another appearance of the claim already recorded."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import services
from claims.models import Appearance, Claim, ClaimStanding, Dispute, EvidenceLink
from claims.synthetic import synthesize
from tests.factories import ClaimFactory, DisputeFactory, EvidenceFactory, SourceFactory, UserFactory
from tests.helpers import HTMX, form_data

pytestmark = pytest.mark.django_db

SAID = "We have absolute evidence of the contact between the jet and the drone."


def _twins(**duplicate):
    keep = ClaimFactory(quote=SAID, source=SourceFactory(url="https://first.example.org/a"))
    other = ClaimFactory(quote=SAID, source=SourceFactory(url="https://second.example.org/b"), **duplicate)
    return keep, other


# The service -----------------------------------------------------------------------------------


def test_a_merge_makes_the_duplicate_an_appearance_of_the_kept_claim(senior, editor):
    keep, duplicate = _twins(quote_exact=SAID, quote_prefix="He said:")
    services.appearance_create(claim=duplicate, user=editor, url="https://third.example.org/c")
    duplicate_pk = duplicate.pk
    services.claim_merge(keep=keep, duplicate=duplicate, user=senior)
    assert not Claim.objects.filter(pk=duplicate_pk).exists()
    moved = {a.source.url: a for a in keep.appearances.select_related("source")}
    assert set(moved) == {"https://second.example.org/b", "https://third.example.org/c"}
    first = moved["https://second.example.org/b"]
    assert (first.quote_prefix, first.appeared_on) == ("He said:", duplicate.said_on)
    # Both histories: the kept claim says what came in, the merged one where it went.
    assert keep.history.first().history_change_reason.startswith(f"claim {duplicate_pk} merged into this one")
    assert (
        Claim.history.filter(id=duplicate_pk, history_type="-")
        .get()
        .history_change_reason.startswith(f"merged into claim {keep.pk}")
    )


def test_a_source_both_appeared_in_is_not_doubled(senior):
    keep, duplicate = _twins()
    Claim.objects.filter(pk=duplicate.pk).update(source=keep.source)
    duplicate.refresh_from_db()
    services.claim_merge(keep=keep, duplicate=duplicate, user=senior)
    assert not keep.appearances.exists()


def test_on_one_dispute_the_duplicates_evidence_links_move_to_the_kept_claim(senior):
    keep, duplicate = _twins()
    Claim.objects.filter(pk=duplicate.pk).update(dispute=keep.dispute)
    duplicate.refresh_from_db()
    evidence = EvidenceFactory(dispute=keep.dispute)
    services.evidence_link_create(evidence=evidence, user=senior, effect="supports", claim=duplicate)
    services.claim_merge(keep=keep, duplicate=duplicate, user=senior)
    assert EvidenceLink.objects.get().claim == keep


def test_on_one_dispute_a_link_the_kept_claim_already_has_is_not_doubled(senior):
    keep, duplicate = _twins()
    Claim.objects.filter(pk=duplicate.pk).update(dispute=keep.dispute)
    duplicate.refresh_from_db()
    evidence = EvidenceFactory(dispute=keep.dispute)
    for claim in (keep, duplicate):
        services.evidence_link_create(evidence=evidence, user=senior, effect="supports", claim=claim)
    services.claim_merge(keep=keep, duplicate=duplicate, user=senior)
    assert list(EvidenceLink.objects.values_list("evidence", "claim")) == [(evidence.pk, keep.pk)]


def test_across_disputes_the_evidence_keeps_bearing_on_the_side_the_merged_claim_took(senior):
    keep, duplicate = _twins(stance="denies")
    evidence = EvidenceFactory(dispute=duplicate.dispute)
    services.evidence_link_create(
        evidence=evidence, user=senior, effect="contradicts", strength="strong", note="The footage.", claim=duplicate
    )
    token = services.claim_merge(keep=keep, duplicate=duplicate, user=senior)
    link = EvidenceLink.objects.get()
    # Evidence stays on its dispute, so the link goes to the merged claim's side there, as it was.
    assert (link.evidence, link.claim, link.stance) == (evidence, None, "denies")
    assert (link.effect, link.strength, link.note) == ("contradicts", "strong", "The footage.")
    assert link.history.get().history_change_reason == token  # in history as the merge's, like its appearances


def test_across_disputes_a_side_the_evidence_already_bears_on_is_not_linked_twice(senior):
    keep, duplicate = _twins(stance="denies")
    evidence = EvidenceFactory(dispute=duplicate.dispute)
    services.evidence_link_create(evidence=evidence, user=senior, effect="contradicts", stance="denies")
    services.evidence_link_create(evidence=evidence, user=senior, effect="contradicts", claim=duplicate)
    services.claim_merge(keep=keep, duplicate=duplicate, user=senior)
    assert list(EvidenceLink.objects.values_list("claim", "stance")) == [(None, "denies")]


def test_undo_of_a_merge_across_disputes_gives_the_link_back_to_the_merged_claim(senior, editor):
    keep, duplicate = _twins()
    evidence = EvidenceFactory(dispute=duplicate.dispute)
    services.evidence_link_create(evidence=evidence, user=senior, effect="supports", claim=duplicate)
    duplicate_pk = duplicate.pk
    services.claim_merge(keep=keep, duplicate=duplicate, user=senior)
    deletion = Claim.history.filter(id=duplicate_pk, history_type="-").get()
    services.object_restore(model=Claim, record=deletion, user=editor)
    assert list(EvidenceLink.objects.values_list("evidence", "claim", "stance")) == [(evidence.pk, duplicate_pk, "")]


def test_a_claim_cannot_be_merged_with_itself(senior):
    claim = ClaimFactory()
    with pytest.raises(ValidationError, match="merged with itself"):
        services.claim_merge(keep=claim, duplicate=claim, user=senior)
    assert Claim.objects.filter(pk=claim.pk).exists() and not Appearance.objects.exists()


def test_only_senior_editors_merge(editor, reader):
    keep, duplicate = _twins()
    for user in (editor, reader, None):
        with pytest.raises(PermissionDenied):
            services.claim_merge(keep=keep, duplicate=duplicate, user=user)
    assert Claim.objects.count() == 2


def test_a_claim_that_supersedes_another_is_not_merged_away(senior):
    keep, duplicate = _twins()
    earlier = ClaimFactory(dispute=duplicate.dispute, party=duplicate.party, said_on=duplicate.said_on)
    Claim.objects.filter(pk=earlier.pk).update(standing=ClaimStanding.SUPERSEDED, superseded_by=duplicate)
    with pytest.raises(ValidationError, match="supersedes"):
        services.claim_merge(keep=keep, duplicate=duplicate, user=senior)
    assert Claim.objects.filter(pk=duplicate.pk).exists()


def test_undo_brings_the_merged_claim_back_and_takes_back_what_the_merge_added(senior, editor):
    keep, duplicate = _twins()
    services.appearance_create(claim=duplicate, user=editor, url="https://third.example.org/c")
    duplicate_pk = duplicate.pk
    services.claim_merge(keep=keep, duplicate=duplicate, user=senior)
    deletion = Claim.history.filter(id=duplicate_pk, history_type="-").get()
    services.object_restore(model=Claim, record=deletion, user=editor)
    back = Claim.objects.get(pk=duplicate_pk)
    assert back.source.url == "https://second.example.org/b"
    assert [a.source.url for a in back.appearances.all()] == ["https://third.example.org/c"]
    assert not keep.appearances.exists()


def test_undo_after_later_edits_keeps_those_edits(senior, editor):
    keep, duplicate = _twins()
    duplicate_pk = duplicate.pk
    services.claim_merge(keep=keep, duplicate=duplicate, user=senior)
    keep.refresh_from_db()
    # Edited since: the kept claim's wording, and an appearance added by hand.
    services.claim_update(claim=keep, user=editor, version=keep.version, paraphrase="Milley's words.")
    services.appearance_create(claim=keep, user=editor, url="https://later.example.org/d")
    deletion = Claim.history.filter(id=duplicate_pk, history_type="-").get()
    services.object_restore(model=Claim, record=deletion, user=editor)
    keep.refresh_from_db()
    assert keep.paraphrase == "Milley's words."
    assert [a.source.url for a in keep.appearances.all()] == ["https://later.example.org/d"]
    assert Claim.objects.filter(pk=duplicate_pk).exists()


# The pages -------------------------------------------------------------------------------------


def test_a_senior_merges_from_the_question_page(senior_client):
    keep, duplicate = _twins()
    url = f"/claims/{keep.pk}/merge/{duplicate.pk}/"
    question = senior_client.get(url)
    assert question.status_code == 200 and "Merge two claims" in question.text
    done = senior_client.post(url)
    assert done.status_code == 302 and done["Location"].endswith(f"#claim-{keep.pk}")
    assert not Claim.objects.filter(pk=duplicate.pk).exists()


def test_merging_a_claim_with_itself_is_refused_on_the_page(senior_client):
    claim = ClaimFactory()
    response = senior_client.post(f"/claims/{claim.pk}/merge/{claim.pk}/")
    assert response.status_code == 400 and "merged with itself" in response.text
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_editors_and_readers_may_not_merge(client, editor, reader):
    keep, duplicate = _twins()
    for user in (editor, reader):
        client.force_login(user)
        assert client.post(f"/claims/{keep.pk}/merge/{duplicate.pk}/").status_code == 403
        assert client.get("/claims/duplicates/").status_code == 403
    assert Claim.objects.count() == 2


def test_a_merge_across_drafts_the_user_cannot_see_is_refused(db):
    from django.contrib.auth.models import Permission

    keep, duplicate = _twins(dispute=DisputeFactory(is_published=False))
    # May delete claims (an odd grant by hand in the admin) but not see drafts: the service
    # itself refuses, not only the views.
    odd = UserFactory(username="odd")
    odd.user_permissions.add(Permission.objects.get(codename="delete_claim"))
    odd = type(odd).objects.get(pk=odd.pk)
    with pytest.raises(PermissionDenied, match="cannot see both"):
        services.claim_merge(keep=keep, duplicate=duplicate, user=odd)
    assert Claim.objects.count() == 2


def test_the_merge_page_does_not_find_a_draft_for_a_stranger(client):
    keep, duplicate = _twins(dispute=DisputeFactory(is_published=False))
    response = client.post(f"/claims/{keep.pk}/merge/{duplicate.pk}/")
    assert response.status_code in (302, 403, 404)
    assert Claim.objects.count() == 2


def test_the_history_page_offers_to_undo_the_merge(senior_client):
    keep, duplicate = _twins()
    duplicate_pk = duplicate.pk
    senior_client.post(f"/claims/{keep.pk}/merge/{duplicate_pk}/")
    page = senior_client.get(f"/history/claim/{duplicate_pk}/")
    assert "was merged into" in page.text and "Undo the merge" in page.text
    action = re.search(r'action="(/history/claim/\d+/restore/\d+/)"', page.text).group(1)
    response = senior_client.post(action)
    assert response.status_code == 302
    assert Claim.objects.filter(pk=duplicate_pk).exists() and not keep.appearances.exists()


def test_the_near_duplicates_page_lists_a_pair_across_disputes(senior_client):
    keep, duplicate = _twins()
    ClaimFactory(quote="Something entirely different was said about fishing quotas in the North Sea.")
    page = senior_client.get("/claims/duplicates/")
    assert page.status_code == 200
    assert f"/claims/{keep.pk}/merge/{duplicate.pk}/" in page.text
    assert "fishing quotas" not in page.text


def test_the_near_duplicates_page_costs_the_same_queries_whatever_it_scans(senior_client):
    """One pass over the claims scanned, not two queries per claim (it was 80 for 40 claims)."""
    url = reverse("claims:claim-duplicates")
    ClaimFactory.create_batch(3, quote=SAID)  # repeats, so both sizes find pairs and score them
    senior_client.get(url)  # the words' frequencies are read once per process
    with CaptureQueriesContext(connection) as few:
        small = senior_client.get(url)
    synthesize(disputes=12, claims_per_dispute=6, published_share=1.0, seed=3)
    ClaimFactory.create_batch(10, quote=SAID)
    with CaptureQueriesContext(connection) as many:
        large = senior_client.get(url)
    assert small.text.count('class="duplicate-pair"') >= 3
    assert large.text.count('class="duplicate-pair"') >= 8
    assert len(many) == len(few) <= 8


def test_the_near_duplicates_page_is_get_only(senior_client):
    assert senior_client.post("/claims/duplicates/").status_code == 405


# Linking a repeat from the claim form --------------------------------------------------------


def test_the_claim_form_offers_to_link_a_repeat_as_an_appearance(editor_client):
    recorded = ClaimFactory(quote=SAID)
    dispute = DisputeFactory()
    form = editor_client.get(f"/disputes/{dispute.slug}/claims/new/?stance=affirms", **HTMX)
    similar_url = re.search(r'class="similar-claims"[^>]*hx-post="([^"]+)"', form.text).group(1).replace("&amp;", "&")
    listed = editor_client.post(similar_url, {"quote": SAID}, **HTMX)
    assert "Link as another appearance of this claim" in listed.text
    link = re.search(r'hx-post="(/claims/\d+/link-appearance/[^"]+)"', listed.text).group(1).replace("&amp;", "&")
    assert link.startswith(f"/claims/{recorded.pk}/")
    data = form_data(form, quote=SAID, source_url="https://repeat.example.org/story")
    answer = editor_client.post(link, data, **HTMX)
    assert answer.status_code == 200 and "Linked as another appearance" in answer.text
    assert 'id="new-claim-affirms"' in answer.text  # the column's "Add a claim" again
    assert recorded.appearances.get().source.url == "https://repeat.example.org/story"
    assert Claim.objects.count() == 1


def test_an_edit_form_does_not_offer_linking(editor_client):
    ClaimFactory(quote=SAID)
    editing = ClaimFactory(quote="Something else.")
    listed = editor_client.post(f"/claims/similar/?claim={editing.pk}", {"quote": SAID}, **HTMX)
    assert "Link as another appearance" not in listed.text


def test_linking_without_a_source_url_says_so_beside_the_list(editor_client):
    recorded = ClaimFactory(quote=SAID)
    dispute = DisputeFactory()
    answer = editor_client.post(
        f"/claims/{recorded.pk}/link-appearance/?dispute={dispute.slug}&stance=denies", {"quote": SAID}, **HTMX
    )
    assert answer["HX-Retarget"] == "#new-claim-denies .link-error"
    assert "Paste the address" in answer.text and not Appearance.objects.exists()


def test_linking_a_hostile_url_is_refused(editor_client):
    recorded = ClaimFactory(quote=SAID)
    answer = editor_client.post(
        f"/claims/{recorded.pk}/link-appearance/", {"source_url": "javascript:alert(1)"}, **HTMX
    )
    assert "Only http:// and https://" in answer.text and not Appearance.objects.exists()


def test_readers_may_not_link(client, reader):
    recorded = ClaimFactory(quote=SAID)
    client.force_login(reader)
    response = client.post(f"/claims/{recorded.pk}/link-appearance/", {"source_url": "https://a.example.org/"})
    assert response.status_code == 403 and not Appearance.objects.exists()


def test_a_draft_claim_is_not_linked_by_someone_who_cannot_see_it(client, reader):
    recorded = ClaimFactory(quote=SAID, dispute=DisputeFactory(is_published=False))
    client.force_login(reader)
    response = client.post(f"/claims/{recorded.pk}/link-appearance/", {"source_url": "https://a.example.org/"})
    assert response.status_code in (403, 404) and not Appearance.objects.exists()
    assert Dispute.objects.filter(is_published=False).count() == 1
