"""The checker looks for a claim's quote in every source it appeared in (issue 11, appearances).

Real parts: the fixture site over HTTP, the runner in-process, the dispute page as a reader
gets it.
"""

import pytest
from django.utils import timezone

from claims import services
from claims.checking import runner
from claims.models import Appearance, CheckJob, QuoteCheck, Source
from tests.factories import ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

MILLEY = "We have absolute evidence of the contact"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run_pending(source):
    job = source.check_jobs.get(state__in=CheckJob.LIVE_STATES)
    return runner.run_job(job.pk)


def _claim_with_appearance(site, editor, first="/article", also="/article-edited", **appearance):
    claim = ClaimFactory(quote=MILLEY, source=SourceFactory(url=site.url(first), title="", publisher=""))
    claim.dispute.is_published = True
    claim.dispute.save()
    appearance = services.appearance_create(claim=claim, user=editor, url=site.url(also), **appearance)
    return claim, appearance


def test_every_appearance_is_checked_for_the_quote(site, editor):
    claim, appearance = _claim_with_appearance(site, editor)
    run_pending(claim.source)
    run_pending(appearance.source)
    results = {q.check_run.source_id: q.present for q in QuoteCheck.objects.filter(claim=claim)}
    # "/article" carries the words; "/article-edited" reads "clear evidence" instead.
    assert results == {claim.source_id: True, appearance.source_id: False}
    appearance.source.refresh_from_db()
    assert appearance.source.check_state == Source.CheckState.QUOTE_MISSING


def test_the_card_counts_the_sources_that_still_carry_the_quote(site, editor, client):
    claim, appearance = _claim_with_appearance(site, editor)
    run_pending(claim.source)
    run_pending(appearance.source)
    html = client.get(claim.dispute.get_absolute_url()).text
    card = html[html.index(f'<article id="claim-{claim.pk}"') :]
    card = card[: card.index("</article>")]
    assert "Quote found in 1 of 2 sources" in card
    order = [card.index(text) for text in ("First appeared", "quote found", "Also in", "quote missing")]
    assert order == sorted(order)


def test_an_appearance_is_looked_for_by_its_own_selector(site, editor):
    # The edited page words it "clear evidence": with that as the appearance's exact text, it is there.
    claim, appearance = _claim_with_appearance(site, editor, quote_exact="We have clear evidence of the contact")
    run_pending(appearance.source)
    assert QuoteCheck.objects.get(claim=claim, check_run__source=appearance.source).present is True


def test_a_source_cited_only_as_an_appearance_makes_news_on_the_dispute(site, editor):
    claim, appearance = _claim_with_appearance(site, editor)
    check = run_pending(appearance.source)
    assert check.outcome == Source.CheckState.QUOTE_MISSING
    assert claim.dispute.feed_items.filter(source_check=check).exists()


def test_a_reused_check_looks_again_once_the_appearance_is_edited(site, editor):
    claim, appearance = _claim_with_appearance(site, editor)
    run_pending(appearance.source)
    # Its selector corrected afterwards: the next check of the unchanged page must not copy "missing".
    Appearance.objects.filter(pk=appearance.pk).update(
        quote_exact="We have clear evidence of the contact", updated_at=timezone.now()
    )
    CheckJob.objects.create(source=appearance.source, reason=CheckJob.Reason.MANUAL)
    run_pending(appearance.source)
    latest = QuoteCheck.objects.filter(claim=claim, check_run__source=appearance.source).order_by("-check_run_id")
    assert latest.first().present is True


def test_an_appearance_at_a_private_address_is_recorded_but_never_fetched(site, editor, canary):
    claim = ClaimFactory(quote=MILLEY, source=SourceFactory(url=site.url("/article")))
    hostile = f"http://127.0.0.1:{canary.port}/latest/meta-data/"
    appearance = services.appearance_create(claim=claim, user=editor, url=hostile)
    check = run_pending(appearance.source)
    assert check.outcome == Source.CheckState.UNSAFE
    assert canary.connections() == 0
    assert not QuoteCheck.objects.filter(claim=claim, check_run=check).exists()
