"""The synthesize command: bulk synthetic data at a chosen size, consistent with the models' rules."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from claims.models import ArticleLink, Claim, Dispute, Evidence, EvidenceLink, Source
from claims.synthetic import synthesize

pytestmark = pytest.mark.django_db


def test_creates_the_requested_sizes():
    out = io.StringIO()
    call_command(
        "synthesize",
        "--disputes=3",
        "--claims-per-dispute=4",
        "--evidence-per-dispute=2",
        "--articles-per-dispute=5",
        "--seed=7",
        stdout=out,
    )
    assert "Created 3 disputes, 12 claims, 6 evidence, 15 article links" in out.getvalue()
    assert Dispute.objects.count() == 3
    for dispute in Dispute.objects.all():
        assert dispute.claims.count() == 4
        assert dispute.evidence.count() == 2
        assert dispute.article_links.count() == 5
    assert EvidenceLink.objects.count() == 6


def test_status_matches_what_the_model_would_derive():
    synthesize(disputes=20, claims_per_dispute=3, seed=1)
    for dispute in Dispute.objects.all():
        assert dispute.status == dispute.computed_status()


def test_published_disputes_have_a_publication_date():
    synthesize(disputes=20, claims_per_dispute=1, seed=2)
    assert not Dispute.objects.filter(is_published=True, published_at__isnull=True).exists()


def test_same_seed_same_content_and_running_twice_adds():
    synthesize(disputes=2, claims_per_dispute=2, seed=3)
    first = list(Dispute.objects.order_by("pk").values_list("proposition", flat=True))
    synthesize(disputes=2, claims_per_dispute=2, seed=3)
    both = list(Dispute.objects.order_by("pk").values_list("proposition", flat=True))
    assert both == first + first
    assert Dispute.objects.count() == 4


def test_sources_are_on_a_reserved_host_and_evidence_links_stay_in_their_dispute():
    synthesize(disputes=3, claims_per_dispute=3, evidence_per_dispute=2, articles_per_dispute=1, seed=4)
    assert all(url.startswith("https://synthetic.invalid/") for url in Source.objects.values_list("url", flat=True))
    for link in EvidenceLink.objects.select_related("claim", "evidence"):
        assert link.claim.dispute_id == link.evidence.dispute_id


def test_zero_of_everything_but_disputes_is_fine():
    synthesize(disputes=2, claims_per_dispute=0, evidence_per_dispute=0, articles_per_dispute=0)
    assert Dispute.objects.filter(status=Dispute.Status.OPEN).count() == 2
    assert not Claim.objects.exists() and not Evidence.objects.exists() and not ArticleLink.objects.exists()


def test_negative_sizes_are_refused():
    with pytest.raises(CommandError, match="--claims-per-dispute cannot be negative"):
        call_command("synthesize", "--disputes=1", "--claims-per-dispute=-1")


def test_published_share_sets_how_many_are_drafts():
    call_command("synthesize", "--disputes=4", "--claims-per-dispute=1", "--published-share=1", stdout=io.StringIO())
    assert not Dispute.objects.filter(is_published=False).exists()


def test_published_share_out_of_range_is_refused():
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("synthesize", "--disputes=1", "--published-share=1.5", stdout=io.StringIO())


def test_every_claim_has_its_feed_item():
    from claims.models import FeedItem

    synthesize(disputes=3, claims_per_dispute=2, seed=4)
    assert FeedItem.objects.filter(claim__isnull=False).count() == Claim.objects.count() == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search documents and page stamps are PostgreSQL's")
def test_bulk_built_disputes_are_searchable_and_stamped_and_triggers_come_back():
    from claims.models import DisputePageStamp, DisputeSearchDocument

    from .factories import ClaimFactory

    synthesize(disputes=3, claims_per_dispute=2, published_share=1.0)
    ids = set(Dispute.objects.values_list("pk", flat=True))
    assert set(DisputePageStamp.objects.filter(dispute_id__in=ids).values_list("dispute_id", flat=True)) == ids
    assert DisputeSearchDocument.objects.filter(dispute__in=ids, document__isnull=False).count() == len(ids)
    # Built without triggers, then the triggers are on again for whatever writes next.
    dispute = Dispute.objects.get(pk=min(ids))
    before = DisputePageStamp.objects.get(dispute_id=dispute.pk).changed
    ClaimFactory(dispute=dispute, quote="Zyxwvut said it first.")
    assert DisputePageStamp.objects.get(dispute_id=dispute.pk).changed > before
    assert DisputeSearchDocument.objects.filter(dispute=dispute, document="zyxwvut").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search documents and page stamps are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_committed_chunks_get_their_documents_from_another_connection_and_the_index_is_left_as_it_was(monkeypatch):
    """Outside a transaction each committed chunk's documents are built in a background thread.

    While building, the GIN index takes entries into its pending list; afterwards the list is
    merged and ``fastupdate`` is off again (a search never scans a pending list).
    """
    from claims import synthetic
    from claims.models import DisputePageStamp, DisputeSearchDocument

    monkeypatch.setattr(synthetic, "DISPUTES_PER_CHUNK", 4)
    synthesize(disputes=10, claims_per_dispute=2, published_share=1.0, seed=5)
    ids = set(Dispute.objects.values_list("pk", flat=True))
    assert len(ids) == 10
    assert DisputeSearchDocument.objects.filter(dispute__in=ids, document__isnull=False).count() == 10
    assert DisputePageStamp.objects.filter(dispute_id__in=ids).count() == 10
    # A claim's longest word (no stop word) finds its dispute: its quote is in the document.
    claim = Claim.objects.order_by("pk").first()
    word = max((w.strip(".,;:!?\"'”“()") for w in claim.quote.split()), key=len)
    assert claim.dispute_id in set(Dispute.objects.filter(search_document__document=word).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [synthetic.SEARCH_INDEX])
        assert cursor.fetchone()[0] == ["fastupdate=off"]


def test_claims_read_like_news_text_not_a_word_salad():
    """Quotes are spliced from real sentences: a benchmark's text has real word statistics."""
    synthesize(disputes=20, claims_per_dispute=10, seed=6)
    quotes = list(Claim.objects.values_list("quote", flat=True))
    words = {w.lower().strip(".,;:!?\"'“”()") for q in quotes for w in q.split()}
    assert len(set(quotes)) == len(quotes) == 200
    assert len(words) > 800, len(words)
    assert all(q[0].isupper() or not q[0].isalpha() for q in quotes)
