"""The interface switched to Russian in Chromium: by the switcher (with and without JavaScript)
and by the browser's own language; screenshots at phone and desktop widths for people to look at.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from claims.demo import load_demo
from claims.models import Dispute, Party
from tests.test_interface_language import english_words, russian_world  # noqa: F401 — the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "russian"
WIDTHS = {"phone": 390, "desktop": 1440}


@pytest.fixture
def demo(db):
    load_demo()
    return Dispute.objects.published().filter(claims__isnull=False).distinct().first()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("javascript", [True, False])
def test_the_switcher_turns_the_page_russian_and_back(chromium, live_server, demo, javascript):
    context = chromium.new_context(locale="en-GB", java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(live_server.url + demo.get_absolute_url())
        expect(page.locator("#timeline-heading")).to_have_text("Timeline")
        page.get_by_role("button", name="Русский").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        assert page.url == live_server.url + demo.get_absolute_url()  # the same page, the same address
        expect(page.locator("#timeline-heading")).to_have_text("Хронология")
        expect(page.get_by_role("button", name="Русский")).to_have_attribute("aria-pressed", "true")
        page.goto(live_server.url + "/")  # the choice is kept from page to page
        expect(page.locator("h1")).to_have_text("Споры")
        page.get_by_role("button", name="English").click()
        expect(page.locator("h1")).to_have_text("Disputes")
    finally:
        context.close()


def test_a_russian_browser_gets_russian_without_choosing(chromium, live_server, demo):
    context = chromium.new_context(locale="ru-RU")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        expect(page.locator("h1")).to_have_text("Споры")
        # site.js says what went wrong in the page's language (its words come with the page).
        words = page.evaluate("JSON.parse(document.getElementById('ui-messages').dataset.words)")
        assert words["saved_not"] == "Ничего не сохранено"
    finally:
        context.close()


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_russian_pages_at_phone_and_desktop_widths(chromium, live_server, demo, senior, width_name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    party = Party.objects.filter(claims__dispute=demo).first()
    source = demo.claims.exclude(source=None).first().source
    claim = demo.claims.first()
    pages = {
        "home": ("/", None),
        "dispute": (demo.get_absolute_url(), None),
        "party": (party.get_absolute_url(), None),
        "source": (source.get_absolute_url(), None),
        "dispute-editor": (demo.get_absolute_url(), senior),
        "claim-form": (f"/claims/{claim.pk}/edit/", senior),
    }
    errors = []
    for name, (path, user) in pages.items():
        context = chromium.new_context(locale="ru-RU", viewport={"width": WIDTHS[width_name], "height": 900})
        if user is not None:
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": _session(user), "url": live_server.url}]
            )
        page = context.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        try:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            expect(page.locator("html")).to_have_attribute("lang", "ru")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width_name}.png"), full_page=True)
            assert _fits(page), f"{name} scrolls sideways at {width_name} width"
        finally:
            context.close()
    assert not errors, errors


def test_nothing_english_is_left_after_scripts_ran(chromium, live_server, russian_world):  # noqa: F811
    """What htmx loads into the page after it opened (the Watch control) is Russian too."""
    senior, dispute, claim, evidence = russian_world
    context = chromium.new_context(locale="ru-RU", viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": _session(senior), "url": live_server.url}])
    page = context.new_page()
    try:
        for path in ["/", dispute.get_absolute_url(), claim.party.get_absolute_url()]:
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            if path != "/":
                expect(page.locator(".watch-control button").first).to_be_visible()
            assert not english_words(page.content()), (path, english_words(page.content()))
    finally:
        context.close()
