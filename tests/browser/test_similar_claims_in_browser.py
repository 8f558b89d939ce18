"""Typing a claim that is already recorded shows it under the form, in the real Chromium.

The list is fetched as the quote is typed and swapped into its own slot: the form (and
what was typed) stays. Screenshots at desktop and phone widths land in
test-artifacts/similar-claims/.
"""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims import roles
from tests.factories import ClaimFactory, DisputeFactory, PartyFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "similar-claims"
PASSWORD = "correct horse battery staple"
RECORDED = "We have absolute evidence of the contact. It is very aggressive."


@pytest.mark.parametrize("width", [1280, 390])
def test_a_repeat_is_shown_while_typing_and_the_form_keeps_what_was_typed(chromium, live_server, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    UserFactory(username="eddie", password=PASSWORD, roles=[roles.EDITORS])
    earlier = ClaimFactory(quote=RECORDED, dispute=DisputeFactory(proposition="Did the jet touch the drone?"))
    PartyFactory(name="United States")
    dispute = DisputeFactory(proposition="Who escalated over the Black Sea?")
    context = chromium.new_context(viewport={"width": width, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "eddie", PASSWORD)
    page.goto(f"/disputes/{dispute.slug}/")
    page.locator("#new-claim-affirms").get_by_role("link").click()
    form = page.locator("#new-claim-affirms form")
    typed = "We have absolute evidence of the contact, it is very aggressive"
    form.get_by_label("Original quote").press_sequentially(typed, delay=5)
    suggestion = form.locator(".similar-claims li")
    expect(suggestion).to_contain_text(RECORDED)
    expect(suggestion.get_by_role("link")).to_have_attribute(
        "href", f"{earlier.dispute.get_absolute_url()}#claim-{earlier.pk}"
    )
    expect(form.get_by_label("Original quote")).to_have_value(typed)
    expect(form.get_by_role("button", name="Save")).to_be_visible()
    form.locator(".similar-claims").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"suggested-{width}.png"))
    context.close()
