"""Adding and removing a claim's appearances in place, in the real Chromium (issue 11).

The card is swapped for the short form, saved, and comes back listing where the claim first
appeared and where else; removing one offers its undo, which brings it back in place. Screenshots at
desktop and phone widths land in test-artifacts/appearances/.
"""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims import roles
from claims.models import Appearance, CheckJob, QuoteCheck, Source, SourceCheck
from tests.factories import ClaimFactory, DisputeFactory, SourceFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "appearances"
PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("width", [1280, 390])
def test_an_editor_adds_and_removes_an_appearance_in_place(chromium, live_server, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    UserFactory(username="eddie", password=PASSWORD, roles=[roles.EDITORS])
    claim = ClaimFactory(
        quote="We have absolute evidence of the contact",
        source=SourceFactory(title="US drone downed over Black Sea after encounter with Russian jets"),
        dispute=DisputeFactory(proposition="A Russian Su-27 made physical contact with the US MQ-9."),
    )
    # Its first source was checked and carried the quote.
    check = SourceCheck.objects.create(source=claim.source, outcome=Source.CheckState.OK, text=claim.quote)
    QuoteCheck.objects.create(check_run=check, claim=claim, present=True, score=100)
    Source.objects.filter(pk=claim.source_id).update(check_state=Source.CheckState.OK, last_checked_at=check.started_at)
    CheckJob.objects.filter(source=claim.source).delete()
    context = chromium.new_context(viewport={"width": width, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "eddie", PASSWORD)
    page.goto(claim.dispute.get_absolute_url())
    card = page.locator(f"#claim-{claim.pk}")
    card.get_by_role("link", name="Add an appearance").click()
    form = page.locator(f"#claim-{claim.pk} form")
    form.get_by_label("Where else it appeared").fill("https://www.reuters.example/world/drone-black-sea")
    form.get_by_label("Appeared on").fill("2023-03-15")
    form.get_by_role("button", name="Save").click()

    appearances = page.locator(f"#claim-{claim.pk} .appearance-list li")
    expect(appearances).to_have_count(2)
    expect(appearances.nth(0)).to_contain_text("First appeared")
    expect(appearances.nth(0)).to_contain_text("US drone downed over Black Sea")
    expect(appearances.nth(1)).to_contain_text("Also in")
    expect(appearances.nth(1)).to_contain_text("www.reuters.example")
    expect(page.locator(f"#claim-{claim.pk} .quote-tally")).to_have_text("Quote found in 1 of 2 sources")
    # Nothing overflows the card sideways on a phone.
    overflow = page.evaluate(
        "id => { const c = document.getElementById(id); return c.scrollWidth - c.clientWidth; }", f"claim-{claim.pk}"
    )
    assert overflow <= 1
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"added-{width}.png"))

    appearances.nth(1).get_by_role("button", name="Remove").click()
    notice = page.locator(f"#claim-{claim.pk} .undo-notice")
    expect(notice).to_contain_text("Removed the appearance in")
    expect(page.locator(f"#claim-{claim.pk} .appearance-list")).to_have_count(0)
    assert not Appearance.objects.exists()
    page.screenshot(path=str(SHOTS / f"removed-{width}.png"))

    notice.get_by_role("button", name="Undo").click()
    expect(page.locator(f"#claim-{claim.pk} .appearance-list li")).to_have_count(2)
    assert Appearance.objects.count() == 1
    context.close()


def test_a_hostile_url_is_refused_beside_the_field_in_the_browser(chromium, live_server):
    UserFactory(username="eddie", password=PASSWORD, roles=[roles.EDITORS])
    claim = ClaimFactory()
    context = chromium.new_context(viewport={"width": 390, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "eddie", PASSWORD)
    page.goto(claim.dispute.get_absolute_url())
    page.locator(f"#claim-{claim.pk}").get_by_role("link", name="Add an appearance").click()
    form = page.locator(f"#claim-{claim.pk} form")
    form.get_by_label("Where else it appeared").fill("http://user:pw@169.254.169.254/latest/")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#id_source_url_error")).to_contain_text("user name or password")
    page.screenshot(path=str(SHOTS / "refused-390.png"))
    assert not Appearance.objects.exists()
    context.close()
