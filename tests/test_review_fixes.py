"""Holes found in review: drafts leaking through check results, crashes on odd input."""

import pytest
from django.urls import reverse

from claims import services
from claims.checking.selectors import check_history
from claims.models import ApiToken, Dispute, SourceCheck

from .factories import ClaimFactory, DisputeFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_source():
    """A source cited by a published dispute and by a draft whose quote went missing."""
    source = SourceFactory()
    ClaimFactory(source=source, dispute=DisputeFactory(is_published=True), quote="Public words.")
    draft_claim = ClaimFactory(source=source, dispute=DisputeFactory(is_published=False), quote="SECRET draft words.")
    check = SourceCheck.objects.create(source=source, outcome="quote_missing", http_status=200, text_sha256="a" * 64)
    check.quote_checks.create(claim=draft_claim, present=False, score=10.0)
    return source


def test_source_page_hides_draft_quotes_from_strangers(client, shared_source):
    page = client.get(shared_source.get_absolute_url())
    assert page.status_code == 200
    assert "SECRET draft words." not in page.text


def test_source_page_shows_draft_quotes_to_editors(editor_client, shared_source):
    assert "SECRET draft words." in editor_client.get(shared_source.get_absolute_url()).text


def test_check_history_without_a_user_counts_published_claims_only(shared_source):
    (check,) = check_history(shared_source)
    assert check.quotes_missing == []


def test_api_checks_hide_draft_quote_results(client, reader, shared_source):
    _, raw = ApiToken.issue(reader, "test")
    response = client.get("/api/checks", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert "SECRET" not in response.text
    draft_claim_ids = set(Dispute.objects.filter(is_published=False).values_list("claims__id", flat=True))
    for item in response.json()["items"]:
        for quote in item.get("quote_checks", []):
            assert quote.get("claim_id") not in draft_claim_ids


@pytest.mark.parametrize("bad", ["%C2%B2", "99999999999999999999999", "-1", "0", "abc"])
def test_diff_page_survives_odd_check_ids(client, shared_source, bad):
    url = reverse("claims:source-check-diff", args=[shared_source.pk])
    assert client.get(f"{url}?a={bad}&b=1").status_code == 200


def test_editing_a_demo_style_claim_with_a_new_quote_works(editor_client):
    claim = ClaimFactory(quote="Old wording here.", quote_exact="Old wording here.", quote_prefix="He said ")
    claim.quote = "A corrected translation."
    claim.full_clean()
    claim.save()
    claim.refresh_from_db()
    assert (claim.quote_exact, claim.quote_prefix) == ("A corrected translation.", "")


def test_a_dispute_called_new_gets_a_slug_that_opens(editor):
    dispute = services.dispute_create(user=editor, proposition="New")
    assert dispute.slug != "new"


def test_revoking_an_api_token_with_a_garbled_id_is_404(client, reader):
    client.force_login(reader)
    response = client.post(reverse("claims:api-tokens"), {"action": "revoke", "token_id": "abc"})
    assert response.status_code == 404


def test_party_known_only_from_drafts_is_hidden_from_strangers(editor):
    from django.test import Client

    from .factories import SpeakerFactory

    client, editor_client = Client(), Client()
    editor_client.force_login(editor)

    speaker = SpeakerFactory(name="Draft Only Spokesperson")
    ClaimFactory(party=speaker.party, speaker=speaker, dispute=DisputeFactory(is_published=False))
    url = speaker.party.get_absolute_url()
    assert client.get(url).status_code == 404
    assert speaker.party.name not in client.get("/").text
    assert client.get(f"/feeds/parties/{speaker.party.slug}/").status_code == 404
    assert "Draft Only Spokesperson" in editor_client.get(url).text


def test_party_on_a_published_dispute_is_public(client):
    claim = ClaimFactory(dispute=DisputeFactory(is_published=True))
    assert client.get(claim.party.get_absolute_url()).status_code == 200


def test_edit_without_its_version_is_refused_not_saved(editor_client):
    claim = ClaimFactory(quote="Original.", dispute=DisputeFactory(is_published=True))
    url = f"/claims/{claim.pk}/edit/"
    form = editor_client.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update({k: v for k, v in {"party": claim.party_id, "stance": claim.stance}.items()})
    data.pop("version", None)
    data["quote"] = "Overwritten without a version."
    response = editor_client.post(url, data)
    assert "did not say which version it edits" in response.text
    claim.refresh_from_db()
    assert claim.quote == "Original."


def test_linking_an_article_twice_is_refused_not_overwritten(editor_client):
    from claims.models import ArticleLink

    from .factories import ArticleLinkFactory

    link = ArticleLinkFactory(relation="corroborates", note="Careful wording.", dispute=DisputeFactory())
    url = reverse("claims:article-create", args=[link.dispute.slug])
    response = editor_client.post(url, {"url": link.source.url, "relation": "retracts", "note": "", "linked_on": ""})
    assert "already linked to this dispute" in response.text
    link.refresh_from_db()
    assert (link.relation, link.note) == ("corroborates", "Careful wording.")
    assert ArticleLink.objects.count() == 1
