"""Every read page in the real Chromium, at phone and wide widths, saved under test-artifacts/.

The screenshots are for people to look at; the assertions check what a reader would
notice: the page renders, nothing overflows sideways on a phone, the timeline is drawn,
and the list filters in place with htmx while keeping a shareable URL.
"""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims.demo import load_demo
from claims.models import Dispute, Party, Source
from tests.factories import SourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "pages"
WIDTHS = {"phone": 390, "wide": 1440}


@pytest.fixture
def browser(chromium):
    """The shared Chromium from tests/browser/conftest.py."""
    return chromium


@pytest.fixture
def demo(db):
    load_demo()
    dispute = Dispute.objects.published().filter(claims__isnull=False).distinct().first()
    # One problem source, so the warning banner shows in the screenshots.
    cited = dispute.claims.exclude(source=None).first().source
    Source.objects.filter(pk=cited.pk).update(check_state=Source.CheckState.QUOTE_MISSING)
    return dispute


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _pages(dispute):
    party = Party.objects.filter(claims__dispute=dispute).first()
    source = dispute.claims.exclude(source=None).first().source
    return {
        "home": "/",
        "dispute": dispute.get_absolute_url(),
        "party": party.get_absolute_url(),
        "source": source.get_absolute_url(),
    }


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_every_read_page_renders_and_fits_the_screen(browser, live_server, demo, width_name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": WIDTHS[width_name], "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        for name, path in _pages(demo).items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert page.locator("h1").first.is_visible()
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width_name}.png"), full_page=True)
            assert _no_horizontal_overflow(page), f"{name} scrolls sideways at {width_name} width"
        assert not errors, errors
    finally:
        context.close()


def test_dispute_page_shows_columns_timeline_and_problem_banner(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + demo.get_absolute_url())
        columns = page.locator(".columns > .column")
        assert columns.count() == 3
        # Side by side on a wide screen: the three columns share one row.
        tops = {round(columns.nth(i).bounding_box()["y"]) for i in range(3)}
        assert len(tops) == 1
        assert page.get_by_role("heading", name="Some sources on this dispute have problems").is_visible()
        marks = page.locator("svg.timeline .mark")
        assert marks.count() >= demo.claims.exclude(said_on=None).count()
        # Keyboard: a timeline mark is a link that jumps to its card.
        first = page.locator("svg.timeline a.mark-link").first
        href = first.get_attribute("href")
        first.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{href}")
    finally:
        context.close()


def test_home_filters_in_place_and_keeps_a_shareable_url(browser, live_server, demo):
    SourceFactory()  # unrelated data must not match
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.wait_for_function("window.htmx !== undefined")
        total = page.locator(".dispute-row").count()
        page.evaluate("window.__marker = 'still the same page'")
        page.get_by_label("Status").select_option("disputed")
        page.wait_for_url("**status=disputed**")
        page.wait_for_function("document.querySelectorAll('.dispute-row .status:not(.status-disputed)').length === 0")
        # Swapped in place: no full reload happened.
        assert page.evaluate("window.__marker") == "still the same page"
        filtered = page.locator(".dispute-row").count()
        assert 0 < filtered <= total
        # Screen readers hear the new count: the live region outside the list was updated, not duplicated.
        assert page.locator("#results-status").count() == 1
        assert page.locator("#results-status").text_content().startswith(f"{filtered} dispute")
        # The URL is shareable: opening it fresh shows the same list.
        fresh = context.new_page()
        fresh.goto(page.url)
        assert fresh.locator(".dispute-row").count() == filtered
        assert fresh.get_by_label("Status").input_value() == "disputed"
    finally:
        context.close()


def test_home_works_without_javascript(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.get_by_label("Search").fill("drone")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url("**q=drone**")
        assert page.locator(".dispute-row").count() >= 1
        page.screenshot(path=str(ARTIFACTS / "home-search-nojs-phone.png"), full_page=True)
    finally:
        context.close()


def test_large_dispute_stays_readable(browser, live_server, db):
    from claims.synthetic import synthesize

    synthesize(disputes=1, claims_per_dispute=60, evidence_per_dispute=12, articles_per_dispute=20, published_share=1.0)
    dispute = Dispute.objects.order_by("-pk").first()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width_name, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            page.goto(live_server.url + dispute.get_absolute_url())
            # A long column is cut to its first claims; its timeline loads when scrolled to.
            assert page.locator(".claim-card").count() < 60
            page.locator("#timeline").scroll_into_view_if_needed()
            expect(page.locator("#timeline svg.timeline")).to_be_visible()
            assert _no_horizontal_overflow(page)
            page.locator("#timeline").screenshot(path=str(ARTIFACTS / f"timeline-large-{width_name}.png"))
            page.get_by_role("link", name="Show all").first.click()
            expect(page.locator(".claim-card")).to_have_count(60)
        finally:
            context.close()


def test_dispute_page_as_an_editor_fits_the_screen(browser, live_server, demo, editor):
    from django.test import Client

    django_client = Client()
    django_client.force_login(editor)
    session = django_client.cookies[settings.SESSION_COOKIE_NAME].value
    for width_name, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        try:
            page.goto(live_server.url + demo.get_absolute_url())
            assert page.get_by_text(editor.username).first.is_visible()
            page.screenshot(path=str(ARTIFACTS / f"dispute-editor-{width_name}.png"), full_page=True)
            assert _no_horizontal_overflow(page), f"editor's dispute page scrolls sideways at {width_name} width"
        finally:
            context.close()
