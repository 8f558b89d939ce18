"""One statement recorded twice, as an editor sees it in the real Chromium (issue 12): a senior
editor merges a pair from the near-duplicates page, and an editor typing a repeat links it as
another appearance of the claim already recorded instead of recording it again. Screenshots
before and after land in test-artifacts/merging/.
"""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims import roles
from claims.models import Appearance, Claim
from tests.factories import ClaimFactory, DisputeFactory, PartyFactory, SourceFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "merging"
PASSWORD = "correct horse battery staple"
SAID = "We have absolute evidence of the contact between the jet and the drone."


def _page(chromium, live_server, username: str, role_names: list[str]):
    SHOTS.mkdir(parents=True, exist_ok=True)
    UserFactory(username=username, password=PASSWORD, roles=role_names)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, username, PASSWORD)
    return context, page


def test_a_senior_editor_merges_a_pair_from_the_near_duplicates_page(chromium, live_server):
    older = ClaimFactory(
        quote=SAID,
        source=SourceFactory(url="https://first.example.org/a", publisher="First Wire"),
        dispute=DisputeFactory(proposition="A Russian Su-27 made physical contact with the US MQ-9."),
    )
    newer = ClaimFactory(quote=SAID, source=SourceFactory(url="https://second.example.org/b", publisher="Second Daily"))
    context, page = _page(chromium, live_server, "sena", [roles.EDITORS, roles.SENIOR_EDITORS])
    try:
        page.goto("/claims/duplicates/")
        pair = page.locator(".duplicate-pair")
        expect(pair).to_have_count(1)
        expect(pair).to_contain_text("100% alike")
        expect(pair.locator(".merge-claim")).to_have_count(2)
        page.screenshot(path=str(SHOTS / "duplicates-before.png"))

        pair.get_by_role("link", name="Merge the newer into the older…").click()
        expect(page.get_by_role("heading", name="Merge two claims")).to_be_visible()
        expect(page.locator("section", has_text="Kept")).to_contain_text("First Wire")
        expect(page.locator("section", has_text="Merged into it")).to_contain_text("Second Daily")
        expect(page.locator(".help")).to_contain_text("its evidence links go with it")
        page.screenshot(path=str(SHOTS / "merge-question.png"))
        page.get_by_role("button", name="Merge").click()

        # The kept claim's dispute, the claim with the merged one's source as another appearance.
        expect(page.get_by_text("Merged: its sources are this claim’s appearances now.")).to_be_visible()
        assert page.url.endswith(f"{older.dispute.get_absolute_url()}#claim-{older.pk}")
        appearances = page.locator(f"#claim-{older.pk} .appearance-list li")
        expect(appearances).to_have_count(2)
        expect(appearances.nth(1)).to_contain_text("Also in")
        expect(appearances.nth(1)).to_contain_text("Second Daily")
        page.screenshot(path=str(SHOTS / "merged-dispute.png"))
        assert not Claim.objects.filter(pk=newer.pk).exists()

        page.goto("/claims/duplicates/")
        expect(page.get_by_text("No likely duplicates among the most recent claims.")).to_be_visible()
    finally:
        context.close()


def test_an_editor_links_a_repeat_as_an_appearance_instead_of_recording_it_again(chromium, live_server):
    recorded = ClaimFactory(
        quote=SAID, dispute=DisputeFactory(proposition="A Russian Su-27 made physical contact with the US MQ-9.")
    )
    PartyFactory(name="United States")
    dispute = DisputeFactory(proposition="Who escalated over the Black Sea?")
    context, page = _page(chromium, live_server, "eddie", [roles.EDITORS])
    try:
        page.goto(dispute.get_absolute_url())
        page.evaluate("window.__marker = 'no reload'")
        column = page.locator("#new-claim-affirms")
        column.get_by_role("link").click()
        form = page.locator("#new-claim-affirms form")
        form.get_by_label("Source URL").fill("https://repeat.example.org/story")
        form.get_by_label("Original quote").press_sequentially(SAID[:60], delay=5)
        suggestion = form.locator(".similar-claims li")
        expect(suggestion).to_contain_text(SAID)
        page.screenshot(path=str(SHOTS / "link-before.png"))

        suggestion.get_by_role("button", name="Link as another appearance of this claim").click()
        notice = page.locator(".linked-notice")
        expect(notice).to_contain_text("nothing was recorded twice")
        expect(notice.get_by_role("link", name="the claim already recorded")).to_have_attribute(
            "href", recorded.get_absolute_url()
        )
        # The form is closed, the column offers "Add a claim" again, and nothing was added to it.
        expect(page.locator("#new-claim-affirms form")).to_have_count(0)
        expect(page.locator("#new-claim-affirms").get_by_role("link")).to_be_visible()
        expect(page.locator(".claim-card")).to_have_count(0)
        assert page.evaluate("window.__marker") == "no reload"
        page.screenshot(path=str(SHOTS / "link-after.png"))
        assert Claim.objects.count() == 1
        assert Appearance.objects.get().source.url == "https://repeat.example.org/story"

        # On the recorded claim's own dispute, the card lists where else it appeared.
        page.goto(recorded.get_absolute_url())
        expect(page.locator(f"#claim-{recorded.pk} .appearance-list li").nth(1)).to_contain_text("repeat.example.org")
    finally:
        context.close()
