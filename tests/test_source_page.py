"""The source page: what cites the source, among disputes the reader may see, and its check state."""

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Appearance, Source
from claims.selectors import SOURCE_CITATIONS_SHOWN, SOURCE_CLAIMS_PER_PAGE
from claims.synthetic import synthesize

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, EvidenceFactory, SourceFactory
from .helpers import HTMX

pytestmark = pytest.mark.django_db


def _url(source) -> str:
    return reverse("claims:source-detail", args=[source.pk])


def test_lists_the_claims_evidence_and_articles_citing_it(client):
    source = SourceFactory(title="Ministry statement")
    ClaimFactory(source=source, dispute=DisputeFactory(proposition="Claim dispute"), quote="Cited quote")
    EvidenceFactory(source=source, dispute=DisputeFactory(proposition="Evidence dispute"), title="The video")
    ArticleLinkFactory(source=source, dispute=DisputeFactory(proposition="Article dispute"), relation="updates")
    html = client.get(_url(source)).text
    assert "Disputes citing it (3)" in html
    assert "Cited quote" in html and "The video" in html and "Updates" in html
    for proposition in ["Claim dispute", "Evidence dispute", "Article dispute"]:
        assert proposition in html


def test_source_cited_only_by_a_draft_is_404_for_anonymous(client):
    source = SourceFactory()
    ClaimFactory(source=source, dispute=DisputeFactory(is_published=False))
    assert client.get(_url(source)).status_code == 404


def test_editor_sees_draft_citations_but_anonymous_does_not(editor_client):
    source = SourceFactory()
    ClaimFactory(source=source, dispute=DisputeFactory(proposition="Public one"))
    ClaimFactory(source=source, dispute=DisputeFactory(proposition="Secret one", is_published=False))
    anonymous = Client().get(_url(source)).text
    assert "Public one" in anonymous and "Secret one" not in anonymous
    assert "Secret one" in editor_client.get(_url(source)).text


def test_post_is_not_allowed(client):
    source = SourceFactory()
    ClaimFactory(source=source)
    assert client.post(_url(source)).status_code == 405


def test_problem_state_is_shown_as_a_warning(client):
    source = SourceFactory(check_state=Source.CheckState.QUOTE_MISSING)
    ClaimFactory(source=source)
    html = client.get(_url(source)).text
    assert "The last check found a problem: quote missing" in html
    assert "Check history" in html


def test_htmx_request_gets_the_citations_partial(client):
    source = SourceFactory()
    ClaimFactory(source=source)
    response = client.get(_url(source), **HTMX)
    assert response.text.lstrip().startswith('<div id="citations">')


# Anonymous: the source if a published dispute cites it (one query, Source.visible_to),
# whether a check is running, the check history (none yet), then how many claims cite it and
# a page of them, the first evidence, article links and disputes, and how many of each.
SOURCE_QUERIES = 11


@pytest.mark.parametrize("citations", [1, 30])
def test_query_count_does_not_grow_with_citations(client, django_assert_num_queries, citations):
    synthesize(disputes=1, claims_per_dispute=1, evidence_per_dispute=1, articles_per_dispute=1, published_share=1.0)
    source = Source.objects.order_by("pk").first()
    ClaimFactory.create_batch(citations, source=source)
    EvidenceFactory.create_batch(citations, source=source)
    for _ in range(citations):
        ArticleLinkFactory(source=source)
        # Claims that appeared here too (a further appearance) are listed with the others.
        Appearance.objects.create(claim=ClaimFactory(), source=source)
    with django_assert_num_queries(SOURCE_QUERIES):
        response = client.get(_url(source))
    assert response.status_code == 200
    assert response.text.count('<li class="claim-row ') == min(2 * citations + 1, SOURCE_CLAIMS_PER_PAGE)


def cite(source, times: int) -> None:
    ClaimFactory.create_batch(times, source=source)
    EvidenceFactory.create_batch(times, source=source)
    ArticleLinkFactory.create_batch(times, source=source)


def test_a_much_cited_source_shows_a_page_of_claims_and_the_first_of_the_rest(client):
    """A wire story cited everywhere: the page stays the same size, with the rest a page away."""
    source = SourceFactory()
    cite(source, SOURCE_CLAIMS_PER_PAGE + 5)
    some = client.get(_url(source)).text
    cite(source, SOURCE_CLAIMS_PER_PAGE + 5)
    many = client.get(_url(source)).text
    assert len(many) < len(some) * 1.05
    assert f"Claims ({2 * SOURCE_CLAIMS_PER_PAGE + 10})" in many
    assert many.count('<li class="claim-row ') == SOURCE_CLAIMS_PER_PAGE
    assert 'href="?page=2"' in many
    assert f"The first {SOURCE_CITATIONS_SHOWN} of {2 * SOURCE_CLAIMS_PER_PAGE + 10}." in many
    last = client.get(_url(source), {"page": 3}).text
    assert last.count('<li class="claim-row ') == 10


def test_check_history_lists_the_sources_checks(client):
    from claims.models import SourceCheck

    source = SourceFactory()
    ClaimFactory(source=source)
    SourceCheck.objects.create(source=source, outcome=Source.CheckState.GONE, http_status=404)
    html = client.get(_url(source)).text
    history = html[html.index('id="check-history"') :]
    assert "<table" in history and "Gone" in history and "404" in history


def test_check_now_button_only_for_editors(editor_client):
    source = SourceFactory()
    ClaimFactory(source=source)
    assert "Check now" not in Client().get(_url(source)).text
    assert "Check now" in editor_client.get(_url(source)).text
