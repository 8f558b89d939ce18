"""Each read page stays the same size and costs the same queries as the data grows.

Two sizes per page; the bounds are a little above what the pages measure today (noted
beside each), so a lost limit or an N+1 query fails here, not in production. Timings
live in `make bench`, never here.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Dispute, Party
from claims.selectors import ARTICLES_SHOWN, CLAIMS_PER_COLUMN, EVIDENCE_SHOWN, TIMELINE_INLINE_MARKS
from claims.synthetic import synthesize

from .helpers import HTMX

pytestmark = pytest.mark.django_db


def _measure(client, url: str, **params) -> tuple[int, int]:
    client.get(url, params)  # fill what is cached across requests (the home filter's party list)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(response.content), len(queries)


def _big_dispute(claims: int, evidence: int, articles: int) -> Dispute:
    synthesize(
        disputes=1,
        claims_per_dispute=claims,
        evidence_per_dispute=evidence,
        articles_per_dispute=articles,
        published_share=1.0,
        seed=claims,
    )
    return Dispute.objects.order_by("-pk").first()


def test_home_page_size_and_queries_do_not_grow_with_the_disputes(client):
    synthesize(disputes=25, claims_per_dispute=3, published_share=1.0, seed=1)
    small = _measure(client, reverse("claims:home"))
    synthesize(disputes=200, claims_per_dispute=12, published_share=1.0, seed=2)
    large = _measure(client, reverse("claims:home"))
    assert large[1] == small[1]
    # One page of 20 rows either way (about 20 KB): only counts, party names and page numbers differ.
    assert large[0] < small[0] * 1.25 and large[0] < 40_000


def test_search_page_size_and_queries_do_not_grow_with_the_matches(client):
    synthesize(disputes=25, claims_per_dispute=3, published_share=1.0, seed=1)
    small = _measure(client, reverse("claims:home"), q="drone")
    synthesize(disputes=200, claims_per_dispute=12, published_share=1.0, seed=2)
    large = _measure(client, reverse("claims:home"), q="drone")
    assert large[1] == small[1]
    assert large[0] < small[0] * 1.25 and large[0] < 40_000


def test_a_big_dispute_page_stays_small_and_says_what_is_left_out(client):
    medium = _measure(client, _big_dispute(40, 10, 20).get_absolute_url())
    dispute = _big_dispute(200, 50, 100)
    big = _measure(client, dispute.get_absolute_url())
    assert big[1] == medium[1]
    # 200 claims / 50 evidence / 100 articles: ~180 KB (570 KB when everything was inline).
    assert big[0] < 220_000
    html = client.get(dispute.get_absolute_url()).text
    assert html.count('class="claim-card') <= 3 * CLAIMS_PER_COLUMN
    assert html.count('class="evidence-item') == EVIDENCE_SHOWN
    assert html.count('class="article-item') == ARTICLES_SHOWN
    assert "Show all 50 pieces of evidence" in html and "Show all 100 later articles" in html
    assert 'href="?all=1#evidence"' in html


def test_the_show_all_link_shows_every_item(client):
    dispute = _big_dispute(200, 50, 100)
    html = client.get(dispute.get_absolute_url(), {"all": "1"}).text
    assert html.count('class="claim-card') == 200
    assert html.count('class="evidence-item') == 50
    assert html.count('class="article-item') == 100


def test_a_big_timeline_loads_when_scrolled_to_and_has_a_page_of_its_own(client):
    dispute = _big_dispute(200, 50, 100)
    timeline_url = reverse("claims:dispute-timeline", args=[dispute.slug])
    html = client.get(dispute.get_absolute_url()).text
    assert f'hx-get="{timeline_url}" hx-trigger="revealed"' in html
    assert f'<a href="{timeline_url}">Show the timeline</a>' in html
    assert "<svg" not in html
    page = client.get(timeline_url).text  # without JavaScript: a page with the timeline
    assert "<svg" in page and page.count('class="mark-link"') > TIMELINE_INLINE_MARKS
    # Marks lead back to their cards on the page that shows them all.
    assert f'href="{dispute.get_absolute_url()}?all=1#claim-' in page
    partial = client.get(timeline_url, **HTMX).text
    assert partial.lstrip().startswith('<section id="timeline"') and "<html" not in partial


def test_a_small_dispute_keeps_its_timeline_inline(client):
    dispute = _big_dispute(4, 1, 1)
    html = client.get(dispute.get_absolute_url()).text
    assert "<svg" in html and 'href="#claim-' in html


def test_party_page_size_and_queries_do_not_grow_with_the_record(client):
    synthesize(disputes=10, claims_per_dispute=4, published_share=1.0, parties=2, seed=1)
    party = Party.objects.order_by("pk").first()
    small = _measure(client, party.get_absolute_url())
    synthesize(disputes=150, claims_per_dispute=4, published_share=1.0, parties=2, seed=2)
    party = Party.objects.order_by("-pk").first()  # one of the two parties of the bigger run
    large = _measure(client, party.get_absolute_url())
    assert large[1] == small[1]
    # One page of 50 claims at most, and the positions timeline of at most 8 disputes and
    # 200 claims (selectors.POSITION_DISPUTES, POSITION_CLAIMS): about 91 KB synthetic.
    assert large[0] < 110_000


def test_feed_size_and_queries_do_not_grow_with_the_feed_items(client):
    synthesize(disputes=10, claims_per_dispute=2, published_share=1.0, seed=1)
    Dispute.objects.update(status=Dispute.Status.DISPUTED)
    small = _measure(client, reverse("claims:feed-disputed"))
    synthesize(disputes=150, claims_per_dispute=3, published_share=1.0, seed=2)
    Dispute.objects.update(status=Dispute.Status.DISPUTED)
    large = _measure(client, reverse("claims:feed-disputed"))
    assert large[1] == small[1]
    # The newest 50 items, about 85 KB with synthetic quotes, however many feed items there are.
    assert large[0] < 120_000
