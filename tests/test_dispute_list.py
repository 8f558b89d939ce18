"""The home page: the dispute list, its filters, pagination and the htmx results partial."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.models import Dispute, Source, Stance
from claims.selectors import DISPUTES_PER_PAGE
from claims.synthetic import synthesize

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, PartyFactory, SourceFactory
from .helpers import HTMX, SIGNED_IN_QUERIES

pytestmark = pytest.mark.django_db
HOME = reverse("claims:home")


def _moved(dispute, days_ago: int) -> None:
    Dispute.objects.filter(pk=dispute.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=days_ago))


def test_most_recently_moved_dispute_comes_first(client):
    old = DisputeFactory(proposition="Old news")
    new = DisputeFactory(proposition="Fresh news")
    _moved(old, 10)
    _moved(new, 1)
    html = client.get(HOME).text
    assert html.index("Fresh news") < html.index("Old news")


def test_drafts_are_listed_only_for_editors(editor_client):
    DisputeFactory(proposition="Published one")
    DisputeFactory(proposition="Draft one", is_published=False)
    assert "Draft one" not in Client().get(HOME).text
    assert "Draft one" in editor_client.get(HOME).text


def test_post_is_not_allowed(client):
    assert client.post(HOME).status_code == 405


def test_status_filter(client):
    disputed = DisputeFactory(proposition="Both sides")
    ClaimFactory(dispute=disputed, stance=Stance.AFFIRMS)
    ClaimFactory(dispute=disputed, stance=Stance.DENIES)
    lonely = DisputeFactory(proposition="One side only")
    ClaimFactory(dispute=lonely, stance=Stance.AFFIRMS)
    html = client.get(HOME, {"status": "disputed"}).text
    assert "Both sides" in html and "One side only" not in html


def test_party_filter(client):
    party = PartyFactory(slug="coast-guard")
    ClaimFactory(party=party, dispute=DisputeFactory(proposition="Coast guard speaks"))
    ClaimFactory(dispute=DisputeFactory(proposition="Someone else speaks"))
    html = client.get(HOME, {"party": "coast-guard"}).text
    assert "Coast guard speaks" in html and "Someone else speaks" not in html


def test_date_range_filter_is_on_the_event_date(client):
    DisputeFactory(proposition="March event", occurred_on=datetime.date(2023, 3, 14))
    DisputeFactory(proposition="June event", occurred_on=datetime.date(2023, 6, 1))
    DisputeFactory(proposition="Undated event")
    html = client.get(HOME, {"occurred_from": "2023-03-01", "occurred_to": "2023-03-31"}).text
    assert "March event" in html and "June event" not in html and "Undated event" not in html


def test_reversed_date_range_shows_an_error_and_keeps_other_filters(client):
    DisputeFactory(proposition="Any event", occurred_on=datetime.date(2023, 3, 14))
    html = client.get(HOME, {"occurred_from": "2023-04-01", "occurred_to": "2023-03-01"}).text
    assert "The end date is before the start date." in html


def test_source_problem_filter(client):
    ClaimFactory(
        dispute=DisputeFactory(proposition="Cites a gone page"),
        source=SourceFactory(check_state=Source.CheckState.GONE),
    )
    ArticleLinkFactory(
        dispute=DisputeFactory(proposition="Article changed"),
        source=SourceFactory(check_state=Source.CheckState.CHANGED),
    )
    ClaimFactory(dispute=DisputeFactory(proposition="All fine"), source=SourceFactory(check_state="ok"))
    html = client.get(HOME, {"problems": "on"}).text
    assert "Cites a gone page" in html and "Article changed" in html and "All fine" not in html


def test_rows_flag_source_problems_and_count_claims_by_stance(client):
    dispute = DisputeFactory(proposition="Flagged")
    ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS, source=SourceFactory(check_state="gone"))
    ClaimFactory(dispute=dispute, stance=Stance.DENIES)
    ClaimFactory(dispute=dispute, stance=Stance.DENIES)
    html = client.get(HOME).text
    row = html[html.index(f'id="dispute-{dispute.pk}"') :]
    row = row[: row.index("</li>")]
    assert "Source problems" in row
    assert "1 affirming" in row and "2 denying" in row and "0 qualified" in row


def test_every_filter_control_has_a_label(client):
    html = client.get(HOME).text
    for control in ["id_q", "id_status", "id_party", "id_occurred_from", "id_occurred_to", "id_problems"]:
        assert f'id="{control}"' in html
        assert f'<label for="{control}">' in html


def test_form_works_without_javascript(client):
    html = client.get(HOME).text
    assert f'method="get" action="{HOME}"' in html
    assert '<button type="submit">Apply</button>' in html


def test_pagination_keeps_the_filters_in_the_links(client):
    for i in range(DISPUTES_PER_PAGE + 3):
        DisputeFactory(proposition=f"Drone story {i}")
    first = client.get(HOME, {"q": "drone"}).text
    assert "page 1 of 2" in first
    assert "q=drone&amp;page=2" in first
    second = client.get(HOME, {"q": "drone", "page": 2}).text
    assert second.count('class="dispute-row"') == 3


def test_page_out_of_range_shows_the_last_page(client):
    DisputeFactory(proposition="Only one")
    assert "Only one" in client.get(HOME, {"page": 99}).text


def test_htmx_request_gets_the_results_partial(client):
    DisputeFactory(proposition="Partial row")
    response = client.get(HOME, {"q": "partial"}, **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert "Partial row" in response.text and "<form" not in response.text
    assert "HX-Request" in response["Vary"]


def test_filter_form_updates_results_in_place_with_a_shareable_url(client):
    html = client.get(HOME).text
    assert 'hx-target="#results"' in html and 'hx-push-url="true"' in html


# Anonymous: count for the paginator, the page of disputes, the parties' version (the
# rendered filter form is cached under it) and, for a form not rendered yet, the parties for
# the filter. On SQLite the page of disputes is read annotated (claim counts, problems); on
# PostgreSQL it is the newest page stamp that versions the cached results and the page's ids
# with their stamps, the rows being rendered already (claims/card_cache.py RowCache);
# rows not rendered yet cost one more query, for all of them (the next test).
LIST_QUERIES = 4 + (connection.vendor == "postgresql")


@pytest.mark.parametrize("disputes", [2, DISPUTES_PER_PAGE])
def test_query_count_does_not_grow_with_the_page(client, django_assert_num_queries, disputes):
    synthesize(disputes=disputes, claims_per_dispute=5, published_share=1.0)
    client.get(HOME)  # the filter's party list, cached across requests (claims/public_parties.py)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(HOME, {"problems": "", "status": ""})
    assert response.text.count('class="dispute-row"') == disputes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="rows are cached per page stamp, kept by triggers")
@pytest.mark.parametrize("disputes", [2, DISPUTES_PER_PAGE])
def test_rows_not_rendered_yet_are_read_in_one_query_whatever_their_number(client, django_assert_num_queries, disputes):
    synthesize(disputes=disputes, claims_per_dispute=5, published_share=1.0)
    client.get(HOME, {"q": "matches-nothing"})  # the filter's party list, and no row
    with django_assert_num_queries(LIST_QUERIES + 1):  # the rows, annotated
        response = client.get(HOME, {"problems": "", "status": ""})
    assert response.text.count('class="dispute-row"') == disputes


@pytest.mark.parametrize("disputes", [2, DISPUTES_PER_PAGE])
def test_query_count_with_search_and_filters_does_not_grow(editor_client, django_assert_num_queries, disputes):
    synthesize(disputes=disputes, claims_per_dispute=5, published_share=1.0)
    editor_client.get(HOME)
    # Every synthetic proposition ends "near <place>", so the search always finds rows to annotate.
    with django_assert_num_queries(LIST_QUERIES + SIGNED_IN_QUERIES):
        response = editor_client.get(HOME, {"q": "near", "problems": "on", "occurred_from": "2023-01-01"})
    assert response.status_code == 200 and 'class="dispute-row"' in response.text


def test_party_filter_lists_parties_on_published_records_only(client):
    on_record = PartyFactory(name="On the record")
    draft_only = PartyFactory(name="Only in a draft")
    ClaimFactory(party=on_record, dispute=DisputeFactory())
    ClaimFactory(party=draft_only, dispute=DisputeFactory(is_published=False))
    html = client.get(HOME).text
    assert "On the record" in html and "Only in a draft" not in html


def test_party_filter_query_reads_each_party_once():
    """The anonymous home page's party list once joined claims and released evidence and
    de-duplicated the product: 1.9 s at 2,000 disputes (see docs/performance.md).
    EXISTS subqueries keep it to one row per party whatever the data's size."""
    from django.contrib.auth.models import AnonymousUser

    from claims.models import Party

    sql = str(Party.objects.visible_to(AnonymousUser()).query).upper()
    assert "EXISTS" in sql
    assert "DISTINCT" not in sql and " JOIN " not in sql.split("EXISTS")[0]


def test_party_filter_follows_publishing_and_unpublishing_at_once(client):
    party = PartyFactory(name="Harbour Authority")
    dispute = DisputeFactory(is_published=False)
    ClaimFactory(party=party, dispute=dispute)
    assert "Harbour Authority" not in client.get(HOME).text
    dispute.is_published = True
    dispute.published_at = timezone.now()
    dispute.save()
    assert "Harbour Authority" in client.get(HOME).text
    dispute.is_published = False
    dispute.published_at = None
    dispute.save()
    assert "Harbour Authority" not in client.get(HOME).text


def test_party_filter_follows_a_claim_moving_to_another_party(client):
    claim = ClaimFactory(party=PartyFactory(name="First Party"), dispute=DisputeFactory())
    assert "First Party" in client.get(HOME).text
    claim.party = PartyFactory(name="Second Party")
    claim.save()
    html = client.get(HOME).text
    assert "Second Party" in html and "First Party" not in html


def test_editors_see_every_party_in_the_filter(editor_client):
    PartyFactory(name="Only in a draft")
    assert "Only in a draft" in editor_client.get(HOME).text


def test_the_filter_form_lists_parties_added_or_renamed_after_it_was_shown(editor_client):
    from django.test import Client

    client = Client()  # a visitor (editor_client is the same test client, signed in)
    # The rendered form is cached per party list version: each kind of change shows at once.
    party = PartyFactory(name="Port Office")
    ClaimFactory(party=party, dispute=DisputeFactory())
    assert "Port Office" in client.get(HOME).text
    assert "Port Office" in editor_client.get(HOME).text
    party.name = "Harbour Office"
    party.save()
    assert "Harbour Office" in client.get(HOME).text and "Port Office" not in client.get(HOME).text
    PartyFactory(name="Brand New Party")
    assert "Brand New Party" in editor_client.get(HOME).text
    assert "Brand New Party" not in client.get(HOME).text  # known from no published record
    # Each query string has its own copy: the chosen party stays chosen.
    assert f'<option value="{party.slug}" selected>' in client.get(HOME, {"party": party.slug}).text
    assert f'<option value="{party.slug}" selected>' not in client.get(HOME).text


# The results are cached per version of the data (PostgreSQL: the newest dispute page stamp).

needs_stamps = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="page stamps are kept by PostgreSQL triggers"
)


@needs_stamps
def test_a_repeat_view_of_the_list_reads_only_its_version(client, django_assert_num_queries):
    synthesize(disputes=3, claims_per_dispute=2, published_share=1.0)
    first = client.get(HOME, {"q": "drone"})
    with django_assert_num_queries(1):  # the version: the htmx partial is the results alone
        second = Client().get(HOME, {"q": "drone"}, **HTMX)
    assert second.text in first.text


# Each kind of write a row of the list shows, done as the code that does it does it.
LIST_WRITES = {
    "claim added": (lambda d: ClaimFactory(dispute=d, stance=Stance.DENIES), "1 denying"),
    "dispute retitled": (lambda d: _save(d, proposition="A brand new proposition"), "A brand new proposition"),
    "source found gone by the checker": (
        lambda d: Source.objects.filter(pk=d.claims.get().source_id).update(check_state=Source.CheckState.GONE),
        "Source problems",
    ),
}


def _save(obj, **changes):
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()


@needs_stamps
@pytest.mark.parametrize("write", LIST_WRITES)
def test_any_write_shows_on_the_next_view_of_the_list(client, write):
    dispute = DisputeFactory(proposition="The old proposition")
    ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS, source=SourceFactory(check_state=Source.CheckState.OK))
    change, visible = LIST_WRITES[write]
    assert visible not in client.get(HOME).text
    change(dispute)
    assert visible in Client().get(HOME).text


@needs_stamps
def test_editors_list_is_not_the_visitors_copy(editor_client):
    DisputeFactory(proposition="A draft nobody outside sees", is_published=False)
    assert "A draft nobody outside sees" not in Client().get(HOME).text
    assert "A draft nobody outside sees" in editor_client.get(HOME).text
    assert "A draft nobody outside sees" not in Client().get(HOME).text


def _rows(html: str) -> str:
    return html[html.index('<ol class="dispute-list">') : html.index("</ol>")]


@needs_stamps
@pytest.mark.parametrize("write", LIST_WRITES)
def test_a_write_shows_in_a_list_never_viewed_whose_other_rows_were_rendered_before(client, write):
    """Rows are kept per dispute page stamp, whatever list showed them (claims/card_cache.py RowCache):
    a search never asked before reuses the rows of the home page, except the one a write changed."""
    dispute = DisputeFactory(proposition="The old proposition")
    ClaimFactory(dispute=dispute, stance=Stance.AFFIRMS, source=SourceFactory(check_state=Source.CheckState.OK))
    DisputeFactory(proposition="Another proposition")
    change, visible = LIST_WRITES[write]
    home = client.get(HOME).text
    assert visible not in home
    assert _rows(Client().get(HOME, {"q": "proposition"}).text) == _rows(home)  # kept rows are the rows rendered
    change(dispute)
    html = Client().get(HOME, {"q": "proposition", "utm_source": "feed"}).text
    assert visible in html and "Another proposition" in html


def test_a_party_list_put_back_before_a_write_commits_is_dropped_when_it_commits(django_capture_on_commit_callbacks):
    """The receiver runs inside the write's transaction: a request in between reads the old rows."""
    from django.core.cache import cache

    from claims import public_parties

    with django_capture_on_commit_callbacks(execute=True):
        party = ClaimFactory().party  # published: the party joins the filter's list
        cache.set(public_parties.KEY, [], public_parties.TIMEOUT)  # what that request would put back
    assert party.pk in public_parties.public_party_ids()
