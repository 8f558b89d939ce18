"""The feeds as a feed reader sees them: parsed with feedparser, checked against RSS 2.0 / Atom rules."""

import html
import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import feedparser
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from claims import services
from claims.models import Dispute, FeedItem, FeedToken, Party, Stance

from .factories import (
    ClaimFactory,
    DisputeFactory,
    EvidenceFactory,
    PartyFactory,
    SourceFactory,
    SpeakerFactory,
    UserFactory,
)
from .helpers import CacheCalls

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
NASTY = "He said <script>alert(\"x\")</script> & 'more' — Россия заявила: «нет контакта»"


def party(name):
    return Party.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]


def make_disputed(proposition="A jet hit the drone.", affirm="It hit the drone.", deny="No contact occurred."):
    # Through the service, as the editor's form does: it adds the claim items and the "now disputed" one.
    dispute = DisputeFactory(proposition=proposition)
    services.claim_create(dispute=dispute, user=None, stance=Stance.AFFIRMS, quote=affirm, party=party("United States"))
    services.claim_create(dispute=dispute, user=None, stance=Stance.DENIES, quote=deny, party=party("Russia"))
    return dispute


def fetch(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200, response.content[:300]
    return response


def parse(response):
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def as_text(detail) -> str:
    """What a reader shows: HTML is rendered (tags dropped, entities decoded), text is as is."""
    if detail.type in ("text/html", "application/xhtml+xml"):
        return html.unescape(re.sub(r"<[^>]+>", "", detail.value))
    return detail.value


# --- content -----------------------------------------------------------------------------------------


def test_disputed_feed_lists_feed_items_of_disputed_published_disputes_newest_first(client):
    disputed = make_disputed()
    single = DisputeFactory(proposition="Only one side spoke.")
    ClaimFactory(dispute=single)
    draft = make_disputed(proposition="Draft dispute.")
    Dispute.objects.filter(pk=draft.pk).update(is_published=False)
    feed = parse(fetch(client, "claims:feed-disputed"))
    titles = [e.title for e in feed.entries]
    assert len(titles) == 3  # claim, counterclaim, now disputed
    assert titles[0].startswith("Now disputed")
    assert titles[1].startswith("New counterclaim: Russia denies")
    assert titles[2].startswith("New claim: United States affirms")
    assert all(e.link == "http://testserver" + disputed.get_absolute_url() for e in feed.entries)


def test_item_says_parties_stances_quotes_and_has_party_categories(client):
    make_disputed(affirm="We have absolute evidence of the contact.", deny="There was no contact.")
    feed = parse(fetch(client, "claims:feed-disputed"))
    counter = next(e for e in feed.entries if e.title.startswith("New counterclaim"))
    text = as_text(counter.summary_detail)
    assert "“There was no contact.”" in text
    assert "United States affirms: “We have absolute evidence of the contact.”" in text
    assert "Russia denies: “There was no contact.”" in text
    assert sorted(t.term for t in counter.tags) == ["Russia", "United States"]


def test_guid_is_stable_not_a_permalink_and_editing_a_claim_adds_no_item(client):
    dispute = make_disputed()
    first = parse(fetch(client, "claims:feed-disputed"))
    claim = dispute.claims.first()
    claim.quote = "Edited wording."
    claim.save()
    second = parse(fetch(client, "claims:feed-disputed"))
    assert [e.id for e in first.entries] == [e.id for e in second.entries]
    assert all(e.guidislink is False and e.id.startswith("urn:uuid:") for e in second.entries)
    assert "Edited wording." in as_text(second.entries[-1].summary_detail)


def test_pubdate_and_updated_are_when_it_happened(client):
    make_disputed()
    dev = FeedItem.objects.newest_first().first()
    when = timezone.make_aware(timezone.datetime(2024, 5, 6, 7, 8, 9), timezone.UTC)
    FeedItem.objects.filter(pk=dev.pk).update(created_at=when)
    rss = parse(fetch(client, "claims:feed-disputed"))
    atom = parse(fetch(client, "claims:feed-disputed-atom"))
    rss_entry = next(e for e in rss.entries if e.id == dev.guid)
    atom_entry = next(e for e in atom.entries if e.id == dev.guid)
    assert tuple(rss_entry.published_parsed)[:6] == (2024, 5, 6, 7, 8, 9)
    assert tuple(atom_entry.updated_parsed)[:6] == (2024, 5, 6, 7, 8, 9)


@pytest.mark.parametrize("name", ["claims:feed-disputed", "claims:feed-disputed-atom"])
def test_markup_ampersands_quotes_and_non_latin_text_come_out_as_text(client, name):
    make_disputed(proposition=NASTY, deny=NASTY)
    response = fetch(client, name)
    assert b"<script" not in response.content  # never live markup in the XML itself
    feed = parse(response)
    counter = next(e for e in feed.entries if "counterclaim" in e.title)
    assert NASTY in as_text(counter.title_detail)
    assert f"“{NASTY}”" in as_text(counter.summary_detail)
    assert "<script" not in counter.summary  # not as a tag in the HTML a reader renders


def test_per_dispute_feed_has_only_that_dispute_including_evidence(client):
    dispute = make_disputed()
    make_disputed(proposition="Another dispute.")
    EvidenceFactory(dispute=dispute, title="Drone footage", released_by=PartyFactory(name="Pentagon"))
    feed = parse(fetch(client, "claims:feed-dispute", dispute.slug))
    assert len(feed.entries) == 4
    assert feed.entries[0].title.startswith("New evidence: Drone footage (footage, released by Pentagon)")
    assert feed.feed.title.endswith("A jet hit the drone.")


def test_per_party_feed_has_disputes_the_party_took_part_in(client):
    party = PartyFactory(name="Kremlin")
    speaker = SpeakerFactory(party=party, name="Sergey Lavrov")
    mine = DisputeFactory(proposition="The US provokes escalation.")
    ClaimFactory(dispute=mine, party=party, speaker=speaker, quote="They are provoking us.")
    make_disputed(proposition="Not involving the Kremlin.")
    feed = parse(fetch(client, "claims:feed-party-atom", party.slug))
    assert [e.title for e in feed.entries] == ["New claim: Kremlin affirms “The US provokes escalation.”"]
    assert "Sergey Lavrov, Spokesperson, for Kremlin" in as_text(feed.entries[0].summary_detail)


def test_unpublished_dispute_feed_is_404(client):
    dispute = DisputeFactory(is_published=False)
    assert client.get(reverse("claims:feed-dispute", args=[dispute.slug])).status_code == 404


def test_feeds_refuse_post(client):
    assert client.post(reverse("claims:feed-disputed")).status_code == 405


# --- validity -------------------------------------------------------------------------------------------


def test_rss_has_the_required_rss2_elements(client):
    make_disputed()
    response = fetch(client, "claims:feed-disputed")
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert (channel.findtext(required) or "").strip(), required
    assert channel.findtext("link").startswith("http://testserver/")
    assert channel.find(f"{ATOM}link[@rel='self']") is not None
    items = channel.findall("item")
    assert len(items) == 3
    for item in items:
        assert (item.findtext("title") or item.findtext("description") or "").strip()
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false" and guid.text.startswith("urn:uuid:")
        assert parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
        assert item.findtext("link").startswith("http://")


def test_atom_has_the_required_atom_elements(client):
    make_disputed()
    response = fetch(client, "claims:feed-disputed-atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{required}") or "").strip(), required
    assert root.findtext(f"{ATOM}id") == "http://testserver/feeds/disputed/atom/"
    assert root.findtext(f"{ATOM}author/{ATOM}name")  # feed-level author covers entries without one
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        assert entry.find(f"{ATOM}summary").get("type") == "html"


def test_empty_feeds_are_still_valid(client):
    for name in ("claims:feed-disputed", "claims:feed-disputed-atom"):
        feed = parse(fetch(client, name))
        assert feed.entries == [] and feed.feed.title


# --- HTTP caching and query budget --------------------------------------------------------------


def test_conditional_get_answers_304_until_something_happens(client):
    dispute = make_disputed()
    url = reverse("claims:feed-disputed")
    first = client.get(url)
    assert "max-age=300" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304
    EvidenceFactory(dispute=dispute)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200 and again["ETag"] != first["ETag"]


def test_editing_a_claim_changes_the_etag(client):
    dispute = make_disputed()
    url = reverse("claims:feed-disputed")
    etag = client.get(url)["ETag"]
    claim = dispute.claims.first()
    claim.quote = "Changed."
    claim.save()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("name", ["claims:feed-disputed", "claims:feed-disputed-atom"])
def test_feed_query_count_does_not_grow_with_items(client, name):
    make_disputed()
    with CaptureQueriesContext(connection) as small_queries:
        small = client.get(reverse(name))
    for n in range(6):
        dispute = make_disputed(proposition=f"Dispute {n}.")
        EvidenceFactory(dispute=dispute, released_by=PartyFactory())
    with CaptureQueriesContext(connection) as large_queries:
        large = client.get(reverse(name))
    assert len(parse(large).entries) > len(parse(small).entries) >= 3
    # The data's version (PostgreSQL), the feed's stamp, its items, the disputes' claims.
    assert len(large_queries) == len(small_queries) <= 4


def test_304_costs_one_query(client, django_assert_num_queries):
    make_disputed()
    url = reverse("claims:feed-disputed")
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(1):
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_an_up_to_date_reader_costs_no_cache_round_trip_once_the_process_has_the_validators(client):
    """A 304 is one query: the validators of a version are kept by each web process too (claims/views/feeds.py)."""
    make_disputed()
    url = reverse("claims:feed-disputed")
    etag = client.get(url)["ETag"]
    with CacheCalls() as calls, CaptureQueriesContext(connection) as queries:
        assert Client().get(url, headers={"If-None-Match": etag}).status_code == 304
    assert calls == [] and len(queries) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite: validators are worked out every time")
def test_a_process_keeps_the_validators_no_longer_than_the_shared_cache(client, monkeypatch):
    """Two writes committing out of order can leave the version unchanged: the 60 s bound holds in every process."""
    from claims.views import feeds

    make_disputed()
    url = reverse("claims:feed-disputed")
    etag = client.get(url)["ETag"]
    later = feeds.time.time() + feeds.FEED_STAMP_SECONDS + 1
    monkeypatch.setattr(feeds.time, "time", lambda: later)  # the shared entry has lapsed too
    with CacheCalls() as calls, CaptureQueriesContext(connection) as queries:
        assert Client().get(url, headers={"If-None-Match": etag}).status_code == 304
    # Worked out again from the feed's rows, not answered from this process's memory.
    assert [call.split(":")[0] for call in calls] == ["get feed-validators", "set feed-validators"]
    assert len(queries) > 1


def test_a_second_reader_gets_the_rendered_feed_from_one_query(client, django_assert_num_queries):
    make_disputed()
    url = reverse("claims:feed-disputed")
    first = client.get(url)
    with django_assert_num_queries(1):  # the stamp; no items, no template
        second = Client().get(url)
    assert second.status_code == 200 and second.content == first.content


def test_a_new_feed_item_is_in_the_feed_after_a_cached_version(client):
    dispute = make_disputed()
    url = reverse("claims:feed-disputed")
    before = len(parse(client.get(url)).entries)
    EvidenceFactory(dispute=dispute)
    assert len(parse(Client().get(url)).entries) == before + 1


def test_a_dispute_leaving_the_scope_leaves_the_cached_feed(client):
    dispute = make_disputed(proposition="Soon settled.")
    url = reverse("claims:feed-disputed")
    assert "Soon settled" in client.get(url).text
    dispute.is_published = False
    dispute.published_at = None
    dispute.save()
    assert "Soon settled" not in Client().get(url).text


def test_an_up_to_date_reader_of_a_dispute_feed_is_answered_from_one_query(client, django_assert_max_num_queries):
    dispute = make_disputed()
    url = reverse("claims:feed-dispute", args=[dispute.slug])
    etag = client.get(url)["ETag"]
    # PostgreSQL: the data's version alone (the dispute is not even looked up); SQLite: the feed's stamp too.
    with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 2):
        assert Client().get(url, headers={"If-None-Match": etag}).status_code == 304


def test_an_unpublished_dispute_feed_is_404_even_to_a_reader_with_its_etag(client):
    dispute = make_disputed()
    url = reverse("claims:feed-dispute", args=[dispute.slug])
    etag = client.get(url)["ETag"]
    dispute.is_published = False
    dispute.published_at = None
    dispute.save()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404


def test_a_feed_item_written_on_its_own_is_in_the_feed_for_a_reader_who_was_up_to_date(client):
    # As the checker writes "source changed" items: no other write in the same statement.
    dispute = make_disputed()
    url = reverse("claims:feed-disputed")
    etag = client.get(url)["ETag"]
    FeedItem.objects.create(dispute=dispute, kind=FeedItem.Kind.SOURCE_CHANGED, title="The source was edited.")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert parse(again).entries[0].title == "The source was edited."


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="names and titles in feed items are versioned by PostgreSQL's page stamps"
)
@pytest.mark.parametrize("what", ["party renamed", "source retitled", "speaker renamed"])
def test_a_name_shown_in_a_feed_changing_reaches_a_reader_who_was_up_to_date(client, what):
    dispute = make_disputed()
    claim = dispute.claims.select_related("party").first()
    claim.speaker = SpeakerFactory(party=claim.party, name="Old Speaker")
    claim.source = SourceFactory(title="An old headline")
    claim.save()
    url = reverse("claims:feed-disputed")
    etag = client.get(url)["ETag"]
    if what == "party renamed":
        claim.party.name = "Renamed Party"
        claim.party.save()
        expected = "Renamed Party"
    elif what == "source retitled":
        from claims.models import Source

        Source.objects.filter(pk=claim.source_id).update(title="A new headline")
        expected = "A new headline"
    else:
        claim.speaker.name = "New Speaker"
        claim.speaker.save()
        expected = "New Speaker"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert expected in "".join(as_text(e.summary_detail) for e in parse(again).entries)


# --- private site -----------------------------------------------------------------------------------


@pytest.fixture
def private(settings):
    settings.SITE_PRIVATE = True


def test_private_site_feed_needs_a_token_not_a_session(client, private, reader):
    make_disputed()
    url = reverse("claims:feed-disputed")
    assert client.get(url).status_code == 403
    client.force_login(reader)
    assert client.get(url).status_code == 403
    assert client.get(url, {"token": "wrong"}).status_code == 403


def test_private_site_feed_opens_with_token_until_rotated_or_revoked(client, private, reader):
    make_disputed()
    token = FeedToken.objects.create(user=reader)
    url = reverse("claims:feed-disputed-atom")
    response = client.get(url, {"token": token.token})
    assert response.status_code == 200 and len(parse(response).entries) == 3
    assert "private" in response["Cache-Control"]
    old = token.token
    token.rotate()
    assert client.get(url, {"token": old}).status_code == 403
    assert client.get(url, {"token": token.token}).status_code == 200
    token.delete()
    assert client.get(url, {"token": token.token}).status_code == 403


def test_inactive_users_token_does_not_open_feeds(client, private):
    user = UserFactory(is_active=False)
    token = FeedToken.objects.create(user=user)
    assert client.get(reverse("claims:feed-disputed"), {"token": token.token}).status_code == 403


# --- the feed-token page --------------------------------------------------------------------------------


def test_feed_token_page_needs_login(client):
    response = client.get(reverse("claims:feed-token"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_reader_makes_rotates_and_revokes_a_feed_token(client, reader):
    client.force_login(reader)
    url = reverse("claims:feed-token")
    first_page = client.get(url).content.decode()
    assert "You have no feed token" in first_page
    assert "<title>Your feed token · " in first_page and 'href="/account/api-tokens/"' in first_page
    client.post(url, {"action": "create"})
    first = FeedToken.objects.get(user=reader).token
    page = client.get(url).content.decode()
    assert first in page and f"/feeds/disputed/?token={first}" in page
    client.post(url, {"action": "rotate"})
    assert FeedToken.objects.get(user=reader).token != first
    client.post(url, {"action": "revoke"})
    assert not FeedToken.objects.filter(user=reader).exists()


def test_feed_token_page_refuses_put(client, reader):
    client.force_login(reader)
    assert client.put(reverse("claims:feed-token")).status_code == 405


# --- autodiscovery ---------------------------------------------------------------------------------------


def test_pages_announce_their_feeds(client):
    dispute = make_disputed()
    party = dispute.claims.first().party
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert (
        f'type="application/rss+xml" title="Developments on this dispute (RSS)" href="http://testserver/feeds/disputes/{dispute.slug}/"'
        in page
    )
    assert (
        f'type="application/atom+xml" title="Developments on this dispute (Atom)" href="http://testserver/feeds/disputes/{dispute.slug}/atom/"'
        in page
    )
    assert 'href="http://testserver/feeds/disputed/"' in page
    party_page = client.get(party.get_absolute_url()).content.decode()
    assert f'href="http://testserver/feeds/parties/{party.slug}/"' in party_page
    assert f'href="http://testserver/feeds/parties/{party.slug}/atom/"' in party_page


def test_private_site_pages_announce_feeds_with_the_users_token(client, private, reader):
    token = FeedToken.objects.create(user=reader)
    client.force_login(reader)
    page = client.get(reverse("claims:home")).content.decode()
    assert f'href="http://testserver/feeds/disputed/?token={token.token}"' in page


def test_logged_in_users_find_the_feed_token_page_in_the_header(client, reader):
    client.force_login(reader)
    page = client.get(reverse("claims:home")).content.decode()
    assert f'href="{reverse("claims:feed-token")}"' in page


def test_dispute_and_party_feed_query_counts_do_not_grow(client):
    dispute = make_disputed()
    us = party("United States")
    urls = [reverse("claims:feed-dispute", args=[dispute.slug]), reverse("claims:feed-party-atom", args=[us.slug])]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        # The data's version (PostgreSQL), the dispute or party, stamp, items, the disputes' claims.
        counts[url] = len(queries)
        assert counts[url] <= 5
    for n in range(5):
        EvidenceFactory(dispute=dispute, released_by=PartyFactory())
        other = make_disputed(proposition=f"Other {n}.")
        ClaimFactory(dispute=other, party=us, stance=Stance.QUALIFIED)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert len(parse(client.get(url)).entries) >= 8
        assert len(queries) == counts[url]


def test_a_crowded_dispute_lists_twelve_positions_and_says_how_many_more(client):
    dispute = make_disputed()
    for n in range(12):
        ClaimFactory(dispute=dispute, party=party(f"Party {n}"), quote=f"Position {n}.")
    feed = parse(fetch(client, "claims:feed-dispute", dispute.slug))
    positions = as_text(feed.entries[0].summary_detail).split("Where the parties stand:")[1]
    assert positions.count(" affirms: ") + positions.count(" denies: ") == 12
    assert "… and 2 more claims on the dispute page." in positions
