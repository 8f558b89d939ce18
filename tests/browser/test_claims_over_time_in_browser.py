"""Claims over time in the real Chromium: an editor withdraws a claim in place, and a reader sees it set apart.

Screenshots at phone and desktop widths land in test-artifacts/over-time/ for people to look at.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims import roles
from claims.models import Claim, ClaimStanding, Dispute
from tests.factories import ClaimFactory, DisputeFactory, PartyFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "over-time"
PASSWORD = "correct horse battery staple"
WIDTHS = {"phone": 390, "desktop": 1440}
RETRACTION = "https://news.example.org/ministry-retracts"


@pytest.fixture
def story(transactional_db):
    UserFactory(username="eddie", password=PASSWORD, roles=[roles.EDITORS])
    dispute = DisputeFactory(proposition="A Russian jet made physical contact with the US MQ-9 drone.")
    us = PartyFactory(name="United States government")
    russia = PartyFactory(name="Министерство обороны России", aliases="fr: ministère russe de la Défense\nMinoborony")
    ClaimFactory(dispute=dispute, party=us, stance="affirms", quote="We have absolute evidence of the contact.")
    denial = ClaimFactory(
        dispute=dispute,
        party=russia,
        stance="denies",
        quote="Российские истребители в контакт с беспилотником не вступали.",
        quote_language="ru",
        said_on=datetime.date(2023, 3, 14),
    )
    Dispute.objects.get(pk=dispute.pk).refresh_status()
    return dispute, denial


def _page(chromium, live_server, width):
    context = chromium.new_context(viewport={"width": width, "height": 1000}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _choices_beside_their_words(form) -> list[str]:
    """The radio buttons and tick boxes of a form that are not on the same line as their label's words."""
    return form.evaluate(
        """form => [...form.querySelectorAll("input[type=radio], input[type=checkbox]")].filter(box => {
            const label = box.closest("label");
            if (!label || !box.offsetParent) return false;
            const b = box.getBoundingClientRect(), words = label.getBoundingClientRect();
            const middle = b.top + b.height / 2;
            return b.width > 40 || middle < words.top || middle > words.bottom || b.right > words.left + 60;
        }).map(box => box.name + "=" + box.value)"""
    )


def test_editor_withdraws_a_claim_in_place_and_readers_see_it_set_apart(chromium, live_server, story):
    SHOTS.mkdir(parents=True, exist_ok=True)
    dispute, denial = story
    context, page = _page(chromium, live_server, WIDTHS["desktop"])
    try:
        log_in(page, "eddie", PASSWORD)
        page.goto(dispute.get_absolute_url())
        expect(page.locator("#dispute-header .status")).to_have_text("Disputed")
        page.evaluate("window.__marker = 'no reload'")
        card = page.locator(f"#claim-{denial.pk}")
        card.get_by_role("link", name="Edit").click()
        form = page.locator(f"#claim-{denial.pk} form")
        # Every choice sits on the line of its words, small (not stretched over the form's width).
        expect(form.locator("input[type=radio]").first).to_be_visible()
        assert _choices_beside_their_words(form) == []
        # The withdrawal's fields appear only once "withdrawn" is chosen.
        expect(form.get_by_label("Withdrawn on")).to_be_hidden()
        form.get_by_label("Withdrawn by its speaker").check()
        expect(form.get_by_label("Withdrawn on")).to_be_visible()
        expect(form.get_by_label("Superseded by:", exact=True)).to_be_hidden()
        # A withdrawal dated before the claim: refused beside the field, the typing kept.
        form.get_by_label("Withdrawn on").fill("2023-03-10")
        form.get_by_label("Where it was withdrawn (URL)").fill(RETRACTION)
        form.get_by_label("Reason").fill("The ministry said its statement was issued in error.")
        form.get_by_role("button", name="Save").click()
        error = page.locator(f"#claim-{denial.pk} .field-withdrawn_on .errorlist")
        expect(error).to_contain_text("cannot have been withdrawn before")
        expect(page.locator(f"#claim-{denial.pk}").get_by_label("Where it was withdrawn (URL)")).to_have_value(
            RETRACTION
        )
        page.locator(f"#claim-{denial.pk}").screenshot(path=str(SHOTS / "withdrawal-error-desktop.png"))
        assert Claim.objects.get(pk=denial.pk).standing == ClaimStanding.CURRENT

        page.locator(f"#claim-{denial.pk}").get_by_label("Withdrawn on").fill("2023-03-16")
        page.locator(f"#claim-{denial.pk}").get_by_role("button", name="Save").click()
        card = page.locator(f"#claim-{denial.pk}.set-apart")
        expect(card).to_contain_text("Withdrawn by its speaker on 16 March 2023")
        expect(card.get_by_role("link", name="where it was withdrawn")).to_have_attribute("href", RETRACTION)
        # Out of the status, without a reload.
        expect(page.locator("#dispute-header .status")).to_have_text("Single-sided")
        assert page.evaluate("window.__marker") == "no reload"
        # Struck through and greyed: what a reader notices.
        decoration = card.locator("blockquote.quote").evaluate("e => getComputedStyle(e).textDecorationLine")
        assert "line-through" in decoration
    finally:
        context.close()

    # A reader, at both widths: the claim is still there, set apart, and nothing scrolls sideways.
    for name, width in WIDTHS.items():
        context, page = _page(chromium, live_server, width)
        try:
            page.goto(dispute.get_absolute_url())
            card = page.locator(f"#claim-{denial.pk}")
            expect(card).to_contain_text("Российские истребители")
            expect(card).to_contain_text("Not counted in the dispute’s status.")
            page.screenshot(path=str(SHOTS / f"dispute-withdrawn-{name}.png"), full_page=True)
            card.screenshot(path=str(SHOTS / f"card-withdrawn-{name}.png"))
            assert _fits(page), f"the dispute page scrolls sideways at {name} width"
            # The Cyrillic party name is whole, on two lines, and no line runs into the plot.
            lines = page.locator("#timeline .lane-label tspan")
            assert "Министерство обороны" in lines.all_text_contents()
            assert "России" in lines.all_text_contents()
            right_edges = lines.evaluate_all("els => els.map(e => e.getBBox().x + e.getBBox().width)")
            assert max(right_edges) <= 200, right_edges
            page.locator("#timeline").screenshot(path=str(SHOTS / f"timeline-cyrillic-{name}.png"))
            # Its page lists every name it is known by.
            page.goto(denial.party.get_absolute_url())
            expect(page.locator(".other-names")).to_contain_text("ministère russe de la Défense")
            page.screenshot(path=str(SHOTS / f"party-names-{name}.png"), full_page=True)
            assert _fits(page), f"the party page scrolls sideways at {name} width"
        finally:
            context.close()
