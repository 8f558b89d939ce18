"""The real checker against the local fixture site, read back from the dispute's feed with feedparser.

(Feeds work, issue 5: a changed page, a vanished quote or a dead link is flagged in the feed.)
"""

import feedparser
import pytest
from django.urls import reverse

from claims.checking import runner
from claims.models import CheckJob, Stance
from tests.factories import ClaimFactory, DisputeFactory, SourceFactory

pytestmark = pytest.mark.django_db

LAVROV = "the flights near the Crimean coast were not a coincidence but a deliberate act"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def feed_titles(client, dispute) -> list[str]:
    feed = feedparser.parse(client.get(reverse("claims:feed-dispute-atom", args=[dispute.slug])).content)
    assert not feed.bozo
    return [entry.title for entry in feed.entries]


def test_vanished_quote_then_dead_link_reach_the_feed_once_each(client, site):
    dispute = DisputeFactory()
    source = SourceFactory(url=site.url("/article"), title="Wire story", publisher="")
    ClaimFactory(dispute=dispute, source=source, quote=LAVROV, stance=Stance.AFFIRMS)
    runner.run_job(source.check_jobs.get(state=CheckJob.State.QUEUED).pk)
    assert not any("source" in t.lower() for t in feed_titles(client, dispute))  # a fine first check is not news

    site.routes["/article"] = site.routes["/article-edited"]
    runner.check_now(source)
    assert feed_titles(client, dispute)[0] == "Quote missing from source: Wire story"

    site.routes["/article"] = site.routes["/gone-404"]
    runner.check_now(source)
    runner.check_now(source)  # still dead: not news again
    titles = feed_titles(client, dispute)
    assert titles[0] == "Source unreachable: Wire story"
    assert titles.count("Source unreachable: Wire story") == 1
