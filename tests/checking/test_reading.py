"""The reading step: reader-faithful text, skipping work on unchanged bodies, comparable hashes across methods."""

import pytest

from claims.checking import compare, extract, reading, runner
from claims.models import QuoteCheck, SourceCheck
from tests.factories import ClaimFactory, SourceFactory

from .site import ARTICLE_PARAGRAPHS, article_html

pytestmark = pytest.mark.django_db

MILLEY = "We have absolute evidence of the contact"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page(paragraphs=None, *, after="", inside="", more=""):
    """An article whose last paragraph sits after an embed, in a second container the extractor
    tends to drop, with optional furniture inside the article and around it."""
    html = article_html(paragraphs)
    tail = (
        '<div class="embed"><iframe src="/v"></iframe></div>'
        '<div class="story-continued"><p>The Pentagon said the drone\'s remains had not yet been found, '
        "and that recovery teams would keep searching the area for several more days.</p></div>"
    )
    html = html.replace("</article>", f"{inside}{tail}</article>{more}")
    return html.replace("</body>", f"{after}</body>")


def test_reader_text_has_the_paragraphs_a_reader_sees_and_not_the_furniture():
    found = extract.extract(
        page(
            inside='<div class="ad-slot"><p>Win a cruise for two today, enter now.</p></div>',
            after='<div id="cookie-banner"><p>We use cookies to improve your experience on this site.</p></div>'
            "<footer><p>Page generated at 10:01:02</p></footer>",
        )
    )
    for paragraph in ARTICLE_PARAGRAPHS:
        assert paragraph.replace("’", "’") in found.text
    assert "recovery teams would keep searching" in found.text
    assert "cruise" not in found.text and "cookies" not in found.text and "generated" not in found.text
    assert "Home" not in found.text.split("\n")  # navigation


@pytest.mark.parametrize(
    "changed",
    [
        {"inside": '<aside class="advertisement"><p>Save 50% on meal boxes this week only.</p></aside>'},
        {"after": '<div class="gdpr-consent"><p>This site uses cookies for analytics and ads.</p></div>'},
        {"after": '<div class="most-read"><ol><li><a href="/a">Storm closes schools</a></li></ol></div>'},
        {"after": '<div id="footer"><p>Generated 2026-11-29 17:45:59 UTC in 0.31 s</p></div>'},
    ],
)
def test_boilerplate_changes_keep_the_hash(changed):
    assert extract.extract(page()).text_sha256 == extract.extract(page(**changed)).text_sha256


def test_a_word_changed_in_a_paragraph_the_extractor_drops_changes_the_hash():
    """A paragraph that is one link and a dateline in a <div> (as on CNN's pages): readers see both
    as part of the story, and trafilatura's precise mode leaves both out of its text."""

    def version(day):
        return page().replace(
            "</article>",
            f'<p><a href="/statement">Read the full statement of the ministry, issued on {day}</a></p>'
            f'<div class="storystamp"><span>Wire (Moscow)</span> <span>First published {day}, 9:30 AM ET</span></div>'
            "</article>",
        )

    before = extract.extract(version("Tuesday"))
    for changed in (version("Tuesday").replace("issued on Tuesday", "issued on Monday"), version("Friday")):
        after = extract.extract(changed)
        assert before.text_sha256 != after.text_sha256
    assert "statement of the ministry, issued on Tuesday" in before.text


def test_unchanged_body_skips_extraction_and_reuses_quote_results(site, monkeypatch):
    source = SourceFactory(url=site.url("/article"), title="", publisher="")
    claim = ClaimFactory(source=source, quote=MILLEY)
    first = runner.check_now(source)
    assert first.quote_checks.get().score == 100

    calls = []
    monkeypatch.setattr(extract, "extract", lambda *a, **k: calls.append(a) or pytest.fail("extracted again"))
    monkeypatch.setattr(compare.PageText, "find", lambda *a, **k: pytest.fail("matched again"))
    second = runner.check_now(source)
    assert second.pk != first.pk and not second.changed and second.text == first.text
    assert second.raw_sha256 == first.raw_sha256 and second.title == first.title
    assert second.timings["extract_ms"] == 0
    row = second.quote_checks.get()
    assert (row.claim_id, row.present, row.score, row.matched_text) == (claim.pk, True, 100, MILLEY)
    assert not calls


def test_a_claim_edited_since_the_last_check_is_matched_again(site):
    source = SourceFactory(url=site.url("/article"), title="", publisher="")
    claim = ClaimFactory(source=source, quote=MILLEY)
    runner.check_now(source)
    claim.quote = "We have no evidence whatsoever of any contact"
    claim.quote_exact = ""
    claim.save()
    second = runner.check_now(source)
    row = QuoteCheck.objects.get(check_run=second, claim=claim)
    assert not row.present and row.score < 100
    assert second.outcome == "quote_missing"


def test_a_check_read_the_old_way_is_reread_from_its_archive_not_reported_changed(site):
    source = SourceFactory(url=site.url("/article"), title="", publisher="")
    first = runner.check_now(source)
    # As a check recorded before this way of reading existed: another text and hash, method 1.
    SourceCheck.objects.filter(pk=first.pk).update(text_method=1, text_sha256="0" * 64, raw_sha256="")
    second = runner.check_now(source)
    assert not second.changed and second.outcome == "ok"
    site.routes["/article"] = (200, {"Content-Type": "text/html"}, page().replace("Tuesday", "Monday").encode())
    SourceCheck.objects.filter(pk=second.pk).update(text_method=1, text_sha256="0" * 64, raw_sha256="")
    third = runner.check_now(source)
    assert third.changed and third.outcome == "changed"


def test_reading_with_no_archive_of_an_old_check_reports_nothing():
    source = SourceFactory()
    old = SourceCheck.objects.create(source=source, outcome="ok", text="x", text_sha256="1" * 64, text_method=1)
    assert reading._comparable_hash(old) == ""


def test_long_quote_with_one_word_changed_in_a_long_page_is_found_altered():
    words = [f"w{i}x" for i in range(2000)]
    quote = " ".join(words)
    text = "\n".join(" ".join(f"filler{i}-{j}" for j in range(40)) for i in range(2000))  # ≈ 1 MB
    edited = words[:1000] + ["changed"] + words[1001:]
    page_text = compare.PageText(text[:500_000] + "\n" + " ".join(edited) + "\n" + text[500_000:])
    match = page_text.find(quote)
    assert match.present and 99 <= match.score < 100
    assert "changed" in match.matched_text
    assert match.matched_text.startswith("w0x") and match.matched_text.endswith("w1999x")


def test_quote_across_a_footnote_marker_and_zero_width_space_is_exact():
    match = compare.find_quote("the drone went down over the sea", "The drone[4] went\u200b down over the sea.")
    assert match.exact and match.matched_text.startswith("The drone[4]")


def test_finished_badge_carries_the_filled_in_title_to_the_cards_out_of_band(client, editor, site):
    from django.urls import reverse

    client.force_login(editor)
    source = SourceFactory(url=site.url("/article"), title="", publisher="")
    url = reverse("claims:source-badge", args=[source.pk])
    assert "hx-swap-oob" not in client.get(url).content.decode()  # still queued: nothing to tell yet
    runner.check_now(source)
    html = client.get(url).content.decode()
    oob = f"hx-swap-oob=\"innerHTML:[data-source-title='{source.pk}']\""
    assert oob in html and "US drone downed over Black Sea" in html
    assert "<script" not in html
