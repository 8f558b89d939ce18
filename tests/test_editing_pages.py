"""The editing pages' query budgets at two sizes, and a round trip over the demo story's claims."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.demo import load_demo
from claims.models import Claim

from .factories import ClaimFactory, DisputeFactory, EvidenceFactory
from .helpers import HTMX, form_data

pytestmark = pytest.mark.django_db


def _dispute_with(claims: int):
    dispute = DisputeFactory()
    for n in range(claims):
        ClaimFactory(dispute=dispute, stance=["affirms", "denies", "qualified"][n % 3])
    return dispute


@pytest.mark.parametrize(
    "url",
    [
        lambda d: f"/disputes/{d.slug}/claims/new/",
        lambda d: f"/disputes/{d.slug}/evidence/new/",
        lambda d: f"/claims/{d.claims.first().pk}/edit/",
        lambda d: f"/evidence/{EvidenceFactory(dispute=d).pk}/edit/",
        lambda d: f"/evidence/{EvidenceFactory(dispute=d).pk}/links/new/",
    ],
    ids=["claim-new", "evidence-new", "claim-edit", "evidence-edit", "evidence-link-new"],
)
def test_form_pages_take_the_same_queries_for_2_and_40_claims(editor_client, django_assert_num_queries, url):
    small, large = _dispute_with(2), _dispute_with(40)
    small_url, large_url = url(small), url(large)
    editor_client.get(small_url, **HTMX)  # warm session and permission caches
    editor_client.get(large_url, **HTMX)
    response = editor_client.get(small_url, **HTMX)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as small_queries:
        editor_client.get(small_url, **HTMX)
    with django_assert_num_queries(len(small_queries.captured_queries)):
        editor_client.get(large_url, **HTMX)
    # 13 for a claim's edit form: session, user, two permission reads, the claim, its dispute,
    # the party's later claims it may be superseded by, parties and speakers twice (the lists
    # and the names suggested as a new one is typed), sources.
    assert len(small_queries.captured_queries) <= 13, "\n".join(q["sql"][:110] for q in small_queries.captured_queries)


def test_every_demo_claim_saves_unchanged_through_the_form(editor_client):
    load_demo()
    for claim in Claim.objects.all():
        data = form_data(editor_client.get(f"/claims/{claim.pk}/edit/"))
        response = editor_client.post(f"/claims/{claim.pk}/edit/", data)
        assert response.status_code == 302, (claim, response.context["form"].errors)
        after = Claim.objects.get(pk=claim.pk)
        assert (after.quote, after.source_id, after.speaker_id) == (claim.quote, claim.source_id, claim.speaker_id)
