"""An editor's day in the real Chromium: create a dispute, both sides' claims, evidence, edit in place.

Screenshots of each step land in test-artifacts/editing/ for people to look at. The
page is never reloaded while editing: a marker set on ``window`` at the start must
still be there at the end.
"""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims import roles
from claims.models import Claim, Dispute, Evidence
from tests.factories import PartyFactory, SpeakerFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "editing"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def cast(transactional_db):
    editor = UserFactory(username="eddie", password=PASSWORD, roles=[roles.EDITORS])
    us = PartyFactory(name="United States", slug="united-states")
    russia = PartyFactory(name="Russia", slug="russia")
    SpeakerFactory(party=us, name="Gen. Mark Milley", role="Chairman of the Joint Chiefs")
    SpeakerFactory(party=russia, name="Ministry of Defence spokesman", role="")
    return editor


@pytest.fixture
def page(chromium, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1440, "height": 1000}, base_url=live_server.url)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    page.set_default_timeout(10_000)
    yield page
    context.close()


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def add_claim(page, stance, party, quote, url, speaker=None):
    slot = f"#new-claim-{stance}"
    page.locator(slot).get_by_role("link").click()
    form = page.locator(f"{slot} form")
    expect(form).to_be_visible()
    form.get_by_label("Party:", exact=True).select_option(label=party)
    if speaker:
        form.get_by_label("Speaker", exact=False).first.select_option(label=speaker)
    form.get_by_label("Original quote").fill(quote)
    form.get_by_label("Said on").fill("2023-03-15")
    form.get_by_label("Source URL").fill(url)
    form.get_by_role("button", name="Save").click()
    expect(page.locator(f"#column-{stance} .claim-card", has_text=quote)).to_be_visible()


def test_editor_records_both_sides_and_edits_in_place(page, cast):
    log_in(page, "eddie", PASSWORD)
    page.get_by_role("navigation", name="Account").get_by_role("link", name="New dispute").click()
    page.get_by_label("Proposition").fill("A Russian Su-27 made physical contact with the US MQ-9 on 14 March 2023.")
    page.get_by_label("Occurred on").fill("2023-03-14")
    shot(page, "01-new-dispute-form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("A Russian Su-27 made physical contact")
    dispute = Dispute.objects.get()
    assert page.url.endswith(dispute.get_absolute_url())

    # From here on, nothing reloads the page.
    page.evaluate("window.__editorMarker = 'still here'")

    add_claim(
        page,
        "affirms",
        "United States",
        "We have absolute evidence of the contact.",
        "https://www.defense.gov/News/Transcripts/milley-briefing/?utm_source=x",
        speaker="Gen. Mark Milley, Chairman of the Joint Chiefs (United States)",
    )
    expect(page.locator("#dispute-header .status")).to_have_text("Single-sided")
    add_claim(
        page,
        "denies",
        "Russia",
        "The Russian fighters did not use their airborne weapons and did not come into contact with the drone.",
        "https://mil.ru/statement-14-march",
    )
    # The header moved out of band: both sides are on record now.
    expect(page.locator("#dispute-header .status")).to_have_text("Disputed")
    # The counts and the timeline follow without a reload.
    expect(page.locator("#on-this-page")).to_contain_text("Claims (2)")
    expect(page.locator("#column-denies-heading .count")).to_have_text("1")
    expect(page.locator("#timeline svg .mark")).to_have_count(2)
    shot(page, "02-claim-and-counterclaim")

    # Side by side: the two columns' cards sit at the same height, left and right.
    affirms = page.locator("#column-affirms .claim-card").first.bounding_box()
    denies = page.locator("#column-denies .claim-card").first.bounding_box()
    assert denies["x"] > affirms["x"] + affirms["width"] - 1
    assert abs(denies["y"] - affirms["y"]) < 5

    # Evidence that supports the US claim.
    us_claim = Claim.objects.get(stance="affirms")
    page.locator("#new-evidence").get_by_role("link", name="Add evidence").click()
    form = page.locator("#new-evidence form")
    form.get_by_label("Kind").select_option(label="Footage")
    form.get_by_label("Title").fill("Declassified MQ-9 footage of the intercept")
    form.get_by_label("Released by").select_option(label="United States")
    form.get_by_label("Released on").fill("2023-03-16")
    form.get_by_label("Where it can be seen").fill("https://www.eucom.mil/video/mq9")
    form.get_by_label("Bears on").select_option(value=f"claim:{us_claim.pk}")
    form.get_by_label("How").select_option(label="Supports")
    form.get_by_label("Strength").select_option(label="Strong")
    shot(page, "03-evidence-form")
    form.get_by_role("button", name="Save").click()
    item = page.locator("#evidence-items .evidence-item", has_text="Declassified MQ-9 footage")
    expect(item).to_be_visible()
    expect(item).to_contain_text("Strongly supports")
    assert Evidence.objects.get().links.get().claim == us_claim

    # Edit the US claim in place.
    card = page.locator(f"#claim-{us_claim.pk}")
    card.get_by_role("link", name="Edit").click()
    form = page.locator(f"#claim-{us_claim.pk} form")
    expect(form).to_be_visible()
    form.get_by_label("Paraphrase").fill("The US says a Su-27 struck the drone's propeller.")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(f"#claim-{us_claim.pk} .paraphrase")).to_contain_text("struck the drone's propeller")
    expect(page.locator(f"#claim-{us_claim.pk} form")).to_have_count(0)

    # A bad URL: the error shows next to the field and nothing is saved.
    page.locator(f"#claim-{us_claim.pk}").get_by_role("link", name="Edit").click()
    form = page.locator(f"#claim-{us_claim.pk} form")
    form.get_by_label("Source URL").fill("ftp://files.example.org/drone.mp4")
    form.get_by_role("button", name="Save").click()
    error = page.locator(f"#claim-{us_claim.pk} #id_source_url_error")
    expect(error).to_contain_text("Only http:// and https:// URLs can be sources.")
    expect(page.locator(f"#claim-{us_claim.pk} #id_source_url")).to_have_attribute("aria-invalid", "true")
    shot(page, "04-bad-url-error")
    us_claim.refresh_from_db()
    assert us_claim.source.url == "https://www.defense.gov/News/Transcripts/milley-briefing/"

    # Cancel brings the card back.
    page.locator(f"#claim-{us_claim.pk}").get_by_role("link", name="Cancel").click()
    expect(page.locator(f"#claim-{us_claim.pk} .quote")).to_contain_text("absolute evidence")
    shot(page, "05-dispute-after-editing")

    # On a phone the edit form fits the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator(f"#claim-{us_claim.pk}").get_by_role("link", name="Edit").click()
    expect(page.locator(f"#claim-{us_claim.pk} form")).to_be_visible()
    page.locator(f"#claim-{us_claim.pk}").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "05b-phone-edit-form.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    assert page.evaluate("window.__editorMarker") == "still here", "the page reloaded during editing"
    assert not page.console_errors, page.console_errors


def test_forms_work_without_javascript(chromium, live_server, cast):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    try:
        log_in(page, "eddie", PASSWORD)
        page.get_by_role("navigation", name="Account").get_by_role("link", name="New dispute").click()
        page.get_by_label("Proposition").fill("The drone was in international airspace.")
        page.get_by_role("button", name="Save").click()
        page.locator("#new-claim-denies").get_by_role("link").click()
        page.get_by_label("Party:", exact=True).select_option(label="Russia")
        page.get_by_label("Original quote").fill("The drone was flying toward the Russian border.")
        page.get_by_label("Source URL").fill("javascript:alert(1)")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#id_source_url_error")).to_contain_text("Only http:// and https://")
        shot(page, "06-no-js-error-page")
        page.get_by_label("Source URL").fill("https://mil.ru/airspace")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#column-denies .claim-card")).to_contain_text("flying toward the Russian border")
        shot(page, "07-no-js-after-save")
    finally:
        context.close()


def _context_for(chromium, live_server, username):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, username, PASSWORD)
    return context, page


def test_two_editors_conflict_then_senior_deletes_and_undoes(chromium, live_server, cast):
    from tests.factories import ClaimFactory, DisputeFactory

    SHOTS.mkdir(parents=True, exist_ok=True)
    UserFactory(username="sena", password=PASSWORD, roles=[roles.EDITORS, roles.SENIOR_EDITORS])
    dispute = DisputeFactory(proposition="Russia downed the drone.", slug="downed")
    claim = ClaimFactory(dispute=dispute, quote="The drone was not downed by us.", stance="denies")
    first_ctx, first = _context_for(chromium, live_server, "eddie")
    second_ctx, second = _context_for(chromium, live_server, "sena")
    try:
        for page in (first, second):
            page.goto(dispute.get_absolute_url())
            page.locator(f"#claim-{claim.pk}").get_by_role("link", name="Edit").click()
            expect(page.locator(f"#claim-{claim.pk} form")).to_be_visible()
        second.locator(f"#claim-{claim.pk}").get_by_label("Original quote").fill("Our jets did not touch the drone.")
        second.locator(f"#claim-{claim.pk}").get_by_role("button", name="Save").click()
        expect(second.locator(f"#claim-{claim.pk} .quote")).to_contain_text("did not touch")

        first.locator(f"#claim-{claim.pk}").get_by_label("Paraphrase").fill("Russia denies downing it.")
        first.locator(f"#claim-{claim.pk}").get_by_role("button", name="Save").click()
        conflict = first.locator(f"#claim-{claim.pk} .conflict")
        expect(conflict).to_contain_text("sena saved this claim after you opened the form.")
        expect(conflict.locator("ins")).to_contain_text("Our jets did not touch the drone.")
        expect(first.locator(f"#claim-{claim.pk}").get_by_label("Paraphrase")).to_have_value(
            "Russia denies downing it."
        )
        first.screenshot(path=str(SHOTS / "08-conflict.png"), full_page=True)
        claim.refresh_from_db()
        assert claim.paraphrase == ""

        # The senior editor deletes the claim: a question first, in place.
        second.locator(f"#claim-{claim.pk}").get_by_role("link", name="Delete").click()
        expect(second.locator(f"#claim-{claim.pk}.confirm-delete")).to_be_visible()
        second.screenshot(path=str(SHOTS / "09-confirm-delete.png"), full_page=True)
        second.locator(f"#claim-{claim.pk}").get_by_role("button", name="Delete").click()
        expect(second.locator(f"#claim-{claim.pk}")).to_contain_text("Claim deleted.")
        expect(second.locator("#dispute-header .status")).to_have_text("No claims yet")
        second.locator(f"#claim-{claim.pk}").get_by_role("link", name="Undo from its history").click()
        expect(second.locator("h1")).to_contain_text("History of the claim")
        second.screenshot(path=str(SHOTS / "10-history-deleted-claim.png"), full_page=True)
        second.get_by_role("button", name="Undo the deletion").click()
        expect(second.locator(f"#claim-{claim.pk} .quote")).to_contain_text("did not touch")
        assert Claim.objects.filter(pk=claim.pk).exists()
    finally:
        first_ctx.close()
        second_ctx.close()


def test_senior_sets_a_verdict_and_unpublishes_in_place(chromium, live_server, transactional_db):
    from claims.demo import load_demo

    SHOTS.mkdir(parents=True, exist_ok=True)
    load_demo()
    UserFactory(username="sena", password=PASSWORD, roles=[roles.EDITORS, roles.SENIOR_EDITORS])
    dispute = Dispute.objects.published().filter(claims__isnull=False).distinct().first()
    context, page = _context_for(chromium, live_server, "sena")
    try:
        page.goto(dispute.get_absolute_url())
        page.evaluate("window.__editorMarker = 'still here'")
        header = page.locator("#dispute-header")
        header.get_by_role("link", name="Set a verdict").click()
        form = page.locator("#dispute-header form")
        form.get_by_label("Verdict").select_option(label="Mostly true")
        form.get_by_role("button", name="Save").click()
        expect(page.locator("#dispute-header #id_verdict_reasoning_error")).to_contain_text("Explain the verdict")
        page.locator("#dispute-header").get_by_label("Reasoning").fill("The released footage shows the contact.")
        shot(page, "11-verdict-form")
        page.locator("#dispute-header").get_by_role("button", name="Save").click()
        expect(page.locator("#dispute-header .verdict")).to_have_text("Mostly true")
        expect(page.locator("#dispute-header .status")).to_have_text("Settled")
        page.locator("#dispute-header").get_by_role("button", name="Unpublish").click()
        expect(page.locator("#dispute-header .draft-tag")).to_be_visible()
        shot(page, "12-settled-and-unpublished")
        assert page.evaluate("window.__editorMarker") == "still here"
        dispute.refresh_from_db()
        assert dispute.verdict == "mostly_true" and not dispute.is_published
    finally:
        context.close()


def test_a_double_clicked_save_adds_one_claim(page, cast):
    from tests.factories import DisputeFactory

    dispute = DisputeFactory(is_published=False, proposition="Russia downed the drone.")
    log_in(page, "eddie", PASSWORD)
    page.goto(dispute.get_absolute_url())
    page.locator("#new-claim-affirms").get_by_role("link").click()
    form = page.locator("#new-claim-affirms form")
    form.get_by_label("Party:", exact=True).select_option(label="Russia")
    form.get_by_label("Original quote").fill("Our jets did not touch it.")
    # Two clicks as fast as a hand can: the button is disabled while the first request is in flight.
    form.get_by_role("button", name="Save").dblclick()
    expect(page.locator("#column-affirms .claim-card", has_text="Our jets did not touch it.")).to_have_count(1)
    assert Claim.objects.filter(dispute=dispute).count() == 1
    assert page.console_errors == []
