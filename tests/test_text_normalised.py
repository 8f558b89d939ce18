"""Text fields are normalised on input, in one place, whichever way text arrives; and every
output format carries text from every code-point class and parses back with a real parser.

Before: a vertical tab pasted into one quote made every related feed a 500 ("Control
characters are not supported in XML 1.0").
"""

import csv
import datetime
import io
import json
import re
import unicodedata

import feedparser
import pytest
from django.utils import timezone
from lxml import etree

from claims.models import ApiToken, Claim, Dispute, Evidence, Party, Source, SourceCheck, Stance
from claims.text import normalise_text

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, EvidenceFactory, SourceFactory, SpeakerFactory
from .hostile import EVERY_CLASS

pytestmark = pytest.mark.django_db

KEPT = ["\u0627\u0644\u0637\u0627\u0626\u0631\u0629", "\u05de\u05d8\u05d5\u05e1", "Caf\u00e9", "\U0001f6e9\ufe0f",
        "\U0001f469\u200d\U0001f4bb", "Tab\there"]  # fmt: skip
GONE = [
    "\x00",
    "\x07",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\u202e",
    "\u2067",
    "\ufffe",
    "\uffff",
    "\u2028",
]


def test_normalise_text_keeps_what_readers_read_and_drops_what_breaks_output():
    clean = normalise_text(EVERY_CLASS)
    for kept in KEPT:
        assert kept in clean
    for gone in GONE:
        assert gone not in clean
    assert "VT\nFF\nNUL" in clean  # line breaks in any form become newlines
    assert unicodedata.is_normalized("NFC", clean)
    assert normalise_text("a\x0bb\tc", multiline=False) == "a b c"
    assert normalise_text("lone \ud800 surrogate") == "lone  surrogate"


def test_every_write_path_stores_normalised_text(editor_client, staff_client):
    """The model fields normalise (ORM, services, commands), their form fields too (pages, admin)."""
    orm = Party.objects.create(name="Ministry\x0bof\u202eDefence", slug="ministry")
    assert Party.objects.get(pk=orm.pk).name == "Ministry ofDefence"
    dispute = DisputeFactory()
    editor_client.post(
        f"/disputes/{dispute.slug}/claims/new/",
        {
            "party": orm.pk,
            "stance": Stance.AFFIRMS,
            "quote": "Pasted\x0bfrom\x0cWord\x00.",
            "said_on_precision": "day",
        },
    )
    assert Claim.objects.get().quote == "Pasted\nfrom\nWord."
    admin_form = {"name": "Cafe\u0301\x1b", "slug": "cafe", "kind": "other"}
    admin_form |= {"speakers-TOTAL_FORMS": "0", "speakers-INITIAL_FORMS": "0"}
    staff_client.post("/admin/claims/party/add/", admin_form)
    assert Party.objects.filter(name="Caf\u00e9").exists()
    Party.objects.filter(pk=orm.pk).update(country="Ru\x0cssia")  # queryset.update too
    assert Party.objects.get(pk=orm.pk).country == "Ru ssia"


def test_text_from_a_checked_page_is_normalised_too():
    check = SourceCheck.objects.create(source=SourceFactory(), outcome="ok", text="a\x0bb", title="T\x00itle")
    check.refresh_from_db()
    assert (check.text, check.title) == ("a\nb", "Title")


@pytest.fixture
def hostile_dispute(editor):
    """A published, settled dispute whose every text field holds every code-point class."""
    party = Party.objects.create(name=EVERY_CLASS[:200], slug="hostile-party", description=EVERY_CLASS)
    speaker = SpeakerFactory(party=party, name=EVERY_CLASS[:200], role=EVERY_CLASS[:200])
    source = SourceFactory(title=EVERY_CLASS, publisher=EVERY_CLASS[:200], author=EVERY_CLASS[:300])
    dispute = DisputeFactory(proposition=EVERY_CLASS, summary=EVERY_CLASS, occurred_on=datetime.date(2023, 3, 14))
    ClaimFactory(dispute=dispute, party=party, speaker=speaker, source=source, quote=EVERY_CLASS,
                 paraphrase=EVERY_CLASS, said_on=datetime.date(2023, 3, 15))  # fmt: skip
    ClaimFactory(dispute=dispute, stance=Stance.DENIES, said_on=datetime.date(2023, 3, 16))
    EvidenceFactory(dispute=dispute, title=EVERY_CLASS[:300], description=EVERY_CLASS, source=source)
    ArticleLinkFactory(dispute=dispute, source=SourceFactory(title=EVERY_CLASS), note=EVERY_CLASS)
    # A second one left disputed (affirmed and denied), for the feed of disputed claims.
    disputed = DisputeFactory(proposition=EVERY_CLASS + " (2)")
    ClaimFactory(dispute=disputed, party=party, quote=EVERY_CLASS, said_on=datetime.date(2023, 3, 15))
    ClaimFactory(dispute=disputed, stance=Stance.DENIES, said_on=datetime.date(2023, 3, 16))
    dispute.refresh_from_db()
    dispute.verdict = Dispute.Verdict.FALSE
    dispute.verdict_reasoning = EVERY_CLASS
    dispute.verdict_at = timezone.now()
    dispute.save()
    return dispute


def _assert_readable(text: str) -> None:
    for kept in ("\u0627\u0644\u0637\u0627\u0626\u0631\u0629", "Caf\u00e9", "\U0001f6e9"):
        assert kept in text
    for gone in GONE:
        assert gone not in text


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize("scope", ["disputed", "dispute", "party"])
def test_feeds_parse_with_text_of_every_class(client, hostile_dispute, scope, kind):
    path = {"disputed": "/feeds/disputed/", "dispute": f"/feeds/disputes/{hostile_dispute.slug}/",
            "party": "/feeds/parties/hostile-party/"}[scope] + ("atom/" if kind == "atom" else "")  # fmt: skip
    response = client.get(path)
    assert response.status_code == 200
    etree.fromstring(response.content)  # strict XML 1.0
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries
    _assert_readable(" ".join(e.title + e.get("summary", "") for e in feed.entries))


@pytest.mark.parametrize("path", ["/disputes.csv", "claims.csv", "sources.csv"])
def test_csv_exports_parse_with_text_of_every_class(client, hostile_dispute, path):
    url = path if path.startswith("/") else f"/disputes/{hostile_dispute.slug}/{path}"
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) >= 2
    text = " ".join(" ".join(row) for row in rows)
    for gone in GONE:
        assert gone not in text
    assert "\u05de\u05d8\u05d5\u05e1" in text or "hostile" in text or url.endswith("sources.csv")


def test_json_api_parses_with_text_of_every_class(client, hostile_dispute, editor):
    _, token = ApiToken.issue(editor, "tests")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for path in [f"/api/disputes/{hostile_dispute.slug}", "/api/claims", "/api/evidence", "/api/sources"]:
        response = client.get(path, **auth)
        assert response.status_code == 200, path
        data = json.loads(response.content)
        _assert_readable(json.dumps(data, ensure_ascii=False))


def test_claimreview_json_ld_parses_with_text_of_every_class(client, hostile_dispute):
    html = client.get(hostile_dispute.get_absolute_url()).content.decode()
    [body] = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    data = json.loads(body)
    _assert_readable(data["claimReviewed"])


def test_timeline_svg_parses_with_text_of_every_class(client, hostile_dispute):
    html = client.get(hostile_dispute.get_absolute_url()).content.decode()
    [svg] = re.findall(r"<svg class=\"timeline\".*?</svg>", html, re.S)
    root = etree.fromstring(svg.encode())  # strict XML: no control characters, every tag closed
    _assert_readable(etree.tostring(root, encoding="unicode"))


def test_evidence_and_sources_are_stored_clean(hostile_dispute):
    for value in [Evidence.objects.get().title, Source.objects.filter(title__startswith="Tab").first().title]:
        for gone in GONE:
            assert gone not in value
