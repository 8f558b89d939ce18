"""A claim appears in many sources (issue 11): recording, refusing, removing and undoing appearances.

The services directly, then the in-place views as the dispute page uses them (htmx and plain
requests), then what reads them: the dispute page's query budget, the history, ClaimReview
JSON-LD and the sources CSV. The checker's part is in tests/checking/test_appearances_checked.py.
"""

import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims import services
from claims.jsonld import claimreview
from claims.models import Appearance, Claim, Dispute, Source
from tests.factories import ClaimFactory, DisputeFactory, SourceFactory
from tests.helpers import HTMX, form_data

pytestmark = pytest.mark.django_db


def _card(html: str, claim: Claim) -> str:
    card = html[html.index(f'<article id="claim-{claim.pk}"') :]
    return card[: card.index("</article>")]


# Services -----------------------------------------------------------------------------------


def test_an_appearance_is_recorded_with_its_own_selector(editor):
    claim = ClaimFactory()
    appearance = services.appearance_create(
        claim=claim,
        user=editor,
        url="https://Other.example.net/report?utm_source=x#top",
        quote_exact=" We said it. ",
        quote_prefix="He said:",
        quote_suffix="and left.",
    )
    assert isinstance(appearance, Appearance)
    assert appearance.source.url == "https://other.example.net/report"
    assert (appearance.quote_exact, appearance.quote_prefix, appearance.quote_suffix) == (
        "We said it.",
        "He said:",
        "and left.",
    )
    assert [seen.source for seen in Claim.objects.get(pk=claim.pk).seen_in] == [claim.source, appearance.source]
    assert appearance.history.get().history_type == "+"


def test_a_new_appearance_source_is_queued_for_a_check(editor):
    claim = ClaimFactory()
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    assert appearance.source.check_jobs.live().count() == 1


def test_a_claim_without_a_source_gets_it_as_its_first_appearance(editor):
    claim = ClaimFactory(source=None)
    result = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    claim.refresh_from_db()
    assert result == claim and claim.source.url == "https://other.example.net/a"
    assert not Appearance.objects.exists()
    assert claim.history.first().history_change_reason == "First appearance recorded"


def test_the_same_source_twice_is_refused_beside_the_url(editor):
    claim = ClaimFactory()
    services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    with pytest.raises(ValidationError) as error:
        services.appearance_create(claim=claim, user=editor, url="https://OTHER.example.net/a?fbclid=1")
    assert "already recorded as an appearance" in error.value.message_dict["url"][0]
    assert Appearance.objects.count() == 1


def test_the_claims_own_source_is_refused_as_a_further_appearance(editor):
    claim = ClaimFactory()
    with pytest.raises(ValidationError) as error:
        services.appearance_create(claim=claim, user=editor, url=claim.source.url)
    assert "first appeared" in error.value.message_dict["url"][0]
    assert not Appearance.objects.exists()


@pytest.mark.parametrize(
    ("hostile", "message"),
    [
        ("javascript:alert(1)", "Only http:// and https:// URLs"),
        ("file:///etc/passwd", "Only http:// and https:// URLs"),
        ("http://admin:secret@10.0.0.1/", "user name or password"),
        ("http://[::1/", "host in this URL is not valid"),
        ("https://example.org/" + "a" * 2100, "longer than 2000"),
        ("https://exa\u202emple.org/", "valid"),
    ],
)
def test_a_hostile_url_is_refused_and_nothing_is_saved(editor, hostile, message):
    claim = ClaimFactory()
    sources = Source.objects.count()
    with pytest.raises(ValidationError) as error:
        services.appearance_create(claim=claim, user=editor, url=hostile)
    assert message in " ".join(error.value.message_dict["url"])
    assert not Appearance.objects.exists() and Source.objects.count() == sources


def test_readers_may_not_record_or_remove_appearances(reader, editor):
    claim = ClaimFactory()
    with pytest.raises(PermissionDenied):
        services.appearance_create(claim=claim, user=reader, url="https://other.example.net/a")
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    with pytest.raises(PermissionDenied):
        services.appearance_delete(appearance=appearance, user=reader)


def test_removing_the_first_appearance_promotes_the_next_one(editor):
    claim = ClaimFactory(quote="We said it. And more.", quote_exact="We said it. And more.", quote_prefix="before")
    old_source = claim.source
    later = services.appearance_create(
        claim=claim, user=editor, url="https://other.example.net/a", quote_exact="We said it.", quote_suffix="after"
    )
    claim.refresh_from_db()
    claim = services.first_appearance_remove(claim=claim, user=editor, version=claim.version)
    assert claim.source == later.source
    assert (claim.quote_exact, claim.quote_prefix, claim.quote_suffix) == ("We said it.", "", "after")
    assert not Appearance.objects.exists()
    # Both histories keep where it was: the claim's previous version, the promoted row's deletion.
    assert claim.history.all()[1].source_id == old_source.pk
    assert later.history.filter(history_type="-").exists()


def test_removing_the_only_appearance_leaves_the_claim_without_a_source(editor):
    claim = ClaimFactory()
    claim = services.first_appearance_remove(claim=claim, user=editor, version=claim.version)
    assert claim.source is None and claim.quote_exact == ""


def test_removing_the_first_appearance_from_a_stale_card_is_refused(editor):
    claim = ClaimFactory()
    stale = claim.version
    services.claim_update(claim=claim, user=editor, version=stale, paraphrase="Changed meanwhile.")
    with pytest.raises(services.EditConflict):
        services.first_appearance_remove(claim=claim, user=editor, version=stale)
    claim.refresh_from_db()
    assert claim.source is not None


def test_moving_the_claims_source_onto_one_of_its_appearances_is_refused(editor):
    claim = ClaimFactory()
    services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    with pytest.raises(ValidationError) as error:
        services.claim_update(claim=claim, user=editor, version=claim.version, source_url="https://other.example.net/a")
    assert "other appearances" in error.value.message_dict["source_url"][0]


def test_deleting_a_claim_takes_its_appearances_and_undo_brings_them_back(editor, senior):
    claim = ClaimFactory()
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    claim_pk, appearance_pk = claim.pk, appearance.pk
    services.claim_delete(claim=claim, user=senior)
    assert not Appearance.objects.exists()
    deletion = Claim.history.filter(id=claim_pk, history_type="-").get()
    services.object_restore(model=Claim, record=deletion, user=editor)
    assert Appearance.objects.get().pk == appearance_pk


def test_a_removed_appearance_is_restored_from_its_history(editor):
    claim = ClaimFactory()
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    pk = appearance.pk
    services.appearance_delete(appearance=appearance, user=editor)
    removal = Appearance.history.get(id=pk, history_type="-")
    services.object_restore(model=Appearance, record=removal, user=editor)
    assert Appearance.objects.get().source.url == "https://other.example.net/a"


def test_restoring_an_appearance_whose_source_became_the_first_is_refused(editor):
    claim = ClaimFactory()
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    pk = appearance.pk
    services.appearance_delete(appearance=appearance, user=editor)
    claim.refresh_from_db()
    services.claim_update(claim=claim, user=editor, version=claim.version, source_url="https://other.example.net/a")
    removal = Appearance.history.get(id=pk, history_type="-")
    with pytest.raises(ValidationError, match="first appearance since"):
        services.object_restore(model=Appearance, record=removal, user=editor)
    assert not Appearance.objects.exists()


# In place, on the dispute page ---------------------------------------------------------------


def test_editor_adds_an_appearance_in_place(editor_client):
    claim = ClaimFactory()
    add_url = f"/claims/{claim.pk}/appearances/new/"
    page = editor_client.get(claim.dispute.get_absolute_url()).text
    assert add_url in _card(page, claim)
    form = editor_client.get(add_url, **HTMX)
    assert f'id="claim-{claim.pk}"' in form.text and "<html" not in form.text
    response = editor_client.post(add_url, form_data(form, source_url="https://other.example.net/report"), **HTMX)
    assert response.status_code == 200
    assert "dispute-changed" in response["HX-Trigger"]
    assert "Also in" in response.text and "other.example.net" in response.text
    assert "First appeared" in response.text
    assert Appearance.objects.filter(claim=claim).count() == 1


def test_a_double_submitted_appearance_is_recorded_once(editor_client):
    claim = ClaimFactory()
    add_url = f"/claims/{claim.pk}/appearances/new/"
    data = form_data(editor_client.get(add_url, **HTMX), source_url="https://other.example.net/report")
    editor_client.post(add_url, data, **HTMX)
    second = editor_client.post(add_url, data, **HTMX)
    assert second.status_code == 200
    assert Appearance.objects.count() == 1


def test_editor_adds_an_appearance_without_javascript(editor_client):
    claim = ClaimFactory()
    add_url = f"/claims/{claim.pk}/appearances/new/"
    page = editor_client.get(add_url)
    assert "<html" in page.text
    response = editor_client.post(add_url, form_data(page, source_url="https://other.example.net/report"))
    assert response.status_code == 302 and response["Location"].endswith(f"#claim-{claim.pk}")
    assert Appearance.objects.filter(claim=claim).exists()


@pytest.mark.parametrize(
    ("bad_url", "message"),
    [("javascript:alert(1)", "Only http:// and https:// URLs"), ("", "Paste the address")],
)
def test_a_bad_appearance_url_is_shown_beside_the_field(editor_client, bad_url, message):
    claim = ClaimFactory()
    add_url = f"/claims/{claim.pk}/appearances/new/"
    response = editor_client.post(add_url, form_data(editor_client.get(add_url, **HTMX), source_url=bad_url), **HTMX)
    assert message in response.text and 'id="id_source_url_error"' in response.text
    assert not Appearance.objects.exists()


def test_the_claims_own_source_is_refused_beside_the_field(editor_client):
    claim = ClaimFactory()
    add_url = f"/claims/{claim.pk}/appearances/new/"
    response = editor_client.post(
        add_url, form_data(editor_client.get(add_url, **HTMX), source_url=claim.source.url), **HTMX
    )
    assert "first appeared" in response.text and 'id="id_source_url_error"' in response.text


def test_editor_removes_an_appearance_and_can_undo_it(editor_client, editor):
    claim = ClaimFactory()
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    response = editor_client.post(f"/appearances/{appearance.pk}/remove/", **HTMX)
    assert response.status_code == 200 and not Appearance.objects.exists()
    assert "Removed the appearance in" in response.text
    undo = re.search(r'action="(/appearances/\d+/undo/\d+/)"', response.text).group(1)
    restored = editor_client.post(undo, **HTMX)
    assert restored.status_code == 200 and "Also in" in restored.text
    assert Appearance.objects.get().pk == appearance.pk


def test_an_undo_that_can_no_longer_be_done_says_why_on_the_card(editor_client, editor):
    claim = ClaimFactory()
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    response = editor_client.post(f"/appearances/{appearance.pk}/remove/", **HTMX)
    undo = re.search(r'action="(/appearances/\d+/undo/\d+/)"', response.text).group(1)
    # Added again meanwhile (say, by a colleague): the old row cannot come back beside it.
    services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    restored = editor_client.post(undo, **HTMX)
    assert restored.status_code == 200 and 'role="alert"' in restored.text
    assert "cannot come back" in restored.text and Appearance.objects.count() == 1


def test_another_users_undo_link_for_a_draft_is_not_found(client, reader, editor):
    claim = ClaimFactory(dispute=DisputeFactory(is_published=False))
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    pk = appearance.pk
    services.appearance_delete(appearance=appearance, user=editor)
    removal = Appearance.history.get(id=pk, history_type="-")
    client.force_login(reader)
    assert client.post(f"/appearances/{pk}/undo/{removal.history_id}/").status_code == 403
    assert not Appearance.objects.exists()


def test_editor_removes_the_first_appearance_in_place(editor_client, editor):
    claim = ClaimFactory()
    services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    page = editor_client.get(claim.dispute.get_absolute_url())
    action = f"/claims/{claim.pk}/appearances/first/remove/"
    response = editor_client.post(action, form_data(page, action=action), **HTMX)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.source.url == "https://other.example.net/a"


def test_appearance_views_refuse_readers_and_strangers(client, reader, editor):
    claim = ClaimFactory()
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    urls = [
        f"/claims/{claim.pk}/appearances/new/",
        f"/appearances/{appearance.pk}/remove/",
        f"/claims/{claim.pk}/appearances/first/remove/",
    ]
    for url in urls:
        assert client.post(url).status_code in (302, 403)
    client.force_login(reader)
    for url in urls:
        assert client.post(url).status_code == 403
    assert Appearance.objects.count() == 1 and Claim.objects.get().source_id == claim.source_id


def test_removal_is_post_only(editor_client, editor):
    claim = ClaimFactory()
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    assert editor_client.get(f"/appearances/{appearance.pk}/remove/").status_code == 405
    assert editor_client.get(f"/claims/{claim.pk}/appearances/first/remove/").status_code == 405


def test_a_drafts_claim_is_not_found_by_its_appearance_form(client, reader):
    claim = ClaimFactory(dispute=DisputeFactory(is_published=False))
    client.force_login(reader)
    assert client.get(f"/claims/{claim.pk}/appearances/new/").status_code in (403, 404)


# What reads them ------------------------------------------------------------------------------


def test_a_single_source_card_reads_as_before(client):
    claim = ClaimFactory()
    card = _card(client.get(claim.dispute.get_absolute_url()).text, claim)
    assert 'class="card-source"' in card and "First appeared" not in card and "Quote found" not in card


def test_the_history_page_of_a_removed_appearance_is_its_claims_disputes(client, reader, editor):
    claim = ClaimFactory(dispute=DisputeFactory(is_published=False))
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    pk = appearance.pk
    services.appearance_delete(appearance=appearance, user=editor)
    client.force_login(reader)
    assert client.get(f"/history/appearance/{pk}/").status_code == 404
    client.force_login(editor)
    page = client.get(f"/history/appearance/{pk}/")
    assert page.status_code == 200 and "Undo the deletion" in page.text


def test_claimreview_names_the_first_appearance_and_every_other(editor):
    claim = ClaimFactory(dispute=DisputeFactory(verdict=Dispute.Verdict.FALSE, verdict_reasoning="No."))
    services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    data = claimreview(claim.dispute)
    item = data["itemReviewed"]
    assert item["firstAppearance"]["url"] == claim.source.url
    assert [work["url"] for work in item["appearance"]] == [claim.source.url, "https://other.example.net/a"]


def test_the_dispute_pages_claimreview_has_the_appearances_too(client, editor):
    claim = ClaimFactory(dispute=DisputeFactory(verdict=Dispute.Verdict.FALSE, verdict_reasoning="No."))
    services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    html = client.get(claim.dispute.get_absolute_url()).text
    payload = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    urls = [work["url"] for work in json.loads(payload)["itemReviewed"]["appearance"]]
    assert urls == [claim.source.url, "https://other.example.net/a"]


def test_the_sources_csv_lists_an_appearance(client, editor):
    claim = ClaimFactory()
    services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    text = client.get(f"/disputes/{claim.dispute.slug}/sources.csv").content.decode()
    assert "https://other.example.net/a" in text and f"appearance of claim {claim.pk}" in text


def test_a_source_cited_only_as_an_appearance_is_visible_on_a_published_dispute(client, editor):
    claim = ClaimFactory()
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    page = client.get(f"/sources/{appearance.source_id}/")
    assert page.status_code == 200 and claim.quote in page.text


def test_a_source_cited_only_by_a_drafts_appearance_stays_hidden(client, editor):
    claim = ClaimFactory(dispute=DisputeFactory(is_published=False))
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    assert client.get(f"/sources/{appearance.source_id}/").status_code == 404


def test_a_problem_at_an_appearance_shows_in_the_dispute_banner(client, editor):
    claim = ClaimFactory()
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    Source.objects.filter(pk=appearance.source_id).update(check_state=Source.CheckState.GONE)
    html = client.get(claim.dispute.get_absolute_url()).text
    banner = html[html.index('id="source-problems-heading"') :]
    assert f"/sources/{appearance.source_id}/" in banner[: banner.index("</aside>")]


def test_an_appearance_changes_the_dispute_pages_etag(client, editor):
    claim = ClaimFactory()
    url = claim.dispute.get_absolute_url()
    etag = client.get(url)["ETag"]
    appearance = services.appearance_create(claim=claim, user=editor, url="https://other.example.net/a")
    after_add = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after_add.status_code == 200
    services.appearance_delete(appearance=appearance, user=editor)
    assert client.get(url, HTTP_IF_NONE_MATCH=after_add["ETag"]).status_code == 200


def test_sources_are_unaffected_when_a_source_is_a_first_appearance_elsewhere(editor):
    # One source can be one claim's first appearance and another claim's further one.
    shared = SourceFactory()
    first = ClaimFactory(source=shared)
    other = ClaimFactory()
    services.appearance_create(claim=other, user=editor, url=shared.url)
    assert first.source == shared and other.appearances.get().source == shared
