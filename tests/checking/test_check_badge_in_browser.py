"""Pasting a new source URL in the real Chromium starts a check whose result (the badge, and the title it
filled in) the card shows without a reload.

The worker's part is played by the test calling ``runner.run_job`` — the same function
the Celery task wraps (a real worker runs it in test_worker_integration.py). What this
proves is the editor's view: the claim card appears with a "Checking…" badge that polls,
and turns into the outcome once the job is done, while the page stays loaded.
"""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims import roles
from claims.checking import runner
from claims.models import CheckJob, Source
from tests.browser.conftest import chromium  # noqa: F401 — the shared Chromium fixture
from tests.factories import DisputeFactory, PartyFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
QUOTE = "We have absolute evidence of the contact,"


def test_new_source_is_checked_and_its_badge_updates_in_place(chromium, live_server, site):  # noqa: F811
    UserFactory(username="eddie", password=PASSWORD, roles=[roles.EDITORS])
    PartyFactory(name="United States", slug="united-states")
    dispute = DisputeFactory(proposition="A Russian jet made contact with the US drone.")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "eddie", PASSWORD)
        page.goto(dispute.get_absolute_url())
        page.evaluate("window.__marker = 'no reload'")

        page.locator("#new-claim-affirms").get_by_role("link").click()
        form = page.locator("#new-claim-affirms form")
        form.get_by_label("Party:", exact=True).select_option(label="United States")
        form.get_by_label("Original quote").fill(QUOTE)
        form.get_by_label("Source URL").fill(site.url("/article"))
        form.get_by_role("button", name="Save").click()

        card = page.locator("#column-affirms .claim-card", has_text=QUOTE)
        expect(card).to_be_visible()
        source = Source.objects.get()
        title = card.locator(f"[data-source-title='{source.pk}']")
        expect(title).to_have_text(source.host)  # no title yet: the card names the host
        badge = card.locator(f"#source-badge-{source.pk}")
        expect(badge).to_contain_text("Checking…")

        # The hook queued exactly one job; the worker's function runs it.
        job = CheckJob.objects.get(source=source)
        runner.run_job(job.pk)
        source.refresh_from_db()
        assert source.check_state == Source.CheckState.OK
        assert source.title.startswith("US drone downed over Black Sea")

        expect(badge).to_contain_text("OK", timeout=8_000)
        expect(badge).not_to_contain_text("Checking…")
        # The title the check filled in replaces the host name on the card, in place.
        expect(title).to_have_text(source.title)
        assert page.evaluate("window.__marker") == "no reload"
        shots = Path(settings.BASE_DIR) / "test-artifacts" / "checking"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "badge-after-check.png"), full_page=True)
    finally:
        context.close()
