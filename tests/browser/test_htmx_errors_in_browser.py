"""An htmx request that goes wrong says so, in the real Chromium, on every kind of htmx element.

htmx swaps nothing for a 4xx/5xx answer; without ``static/js/site.js`` the button simply
seemed to do nothing. Each case below is one a newsroom meets: a form grown past the upload
limit on a form with no message slot of its own (413), a session that ended (the CSRF
cookie gone: 403), something another editor deleted meanwhile (404). The message is in the
page's alert region, the page is not reloaded, nothing changes in the database, and the
next request that works takes the message away. Screenshots: test-artifacts/htmx-errors/.
"""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims import roles, services
from claims.models import Claim, Dispute
from tests.factories import ClaimFactory, DisputeFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "htmx-errors"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def senior(transactional_db):
    return UserFactory(username="sena", password=PASSWORD, roles=[roles.EDITORS, roles.SENIOR_EDITORS])


@pytest.fixture
def context(chromium, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    yield context
    context.close()


def open_dispute(context, dispute):
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, "sena", PASSWORD)
    page.goto(dispute.get_absolute_url())
    # The page's own htmx loads (the Watch control) finish first, so they cannot race the test.
    page.wait_for_load_state("networkidle")
    page.evaluate("window.notReloaded = true")
    return page


def test_an_oversize_post_from_a_form_without_a_slot_is_said_in_the_alert_region(context, senior):
    dispute = DisputeFactory(is_published=True, proposition="The drone was downed.")
    page = open_dispute(context, dispute)
    status = page.locator("#request-status")
    assert status.get_attribute("role") == "alert"
    expect(status).to_be_empty()
    # The Unpublish button's form has no message slot; a script (or an old page) made it too big.
    page.locator("#dispute-header form.inline", has=page.get_by_role("button", name="Unpublish")).evaluate(
        "(form, size) => { const i = document.createElement('input'); i.type = 'hidden'; i.name = 'padding';"
        " i.value = 'x'.repeat(size); form.append(i); }",
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1000,
    )
    page.get_by_role("button", name="Unpublish").click()
    expect(status).to_contain_text("Nothing was saved")
    expect(status).to_contain_text("2.5 MB")
    page.screenshot(path=str(SHOTS / "413-no-slot.png"))
    assert Dispute.objects.get().is_published
    assert page.evaluate("window.notReloaded === true")
    # Dismissed by hand.
    status.get_by_role("button", name="Dismiss").click()
    expect(status).to_be_empty()


def test_a_session_that_ended_is_said(context, senior):
    dispute = DisputeFactory(is_published=True, proposition="The drone was downed.")
    page = open_dispute(context, dispute)
    context.clear_cookies()  # the session and CSRF cookies are gone, as after a log-out elsewhere
    page.get_by_role("button", name="Unpublish").click()
    status = page.locator("#request-status")
    expect(status).to_contain_text("Nothing was saved")
    expect(status).to_contain_text("session has ended (403)")
    page.screenshot(path=str(SHOTS / "403-session-ended.png"))
    assert Dispute.objects.get().is_published
    assert page.evaluate("window.notReloaded === true")


def test_something_deleted_meanwhile_is_said_for_links_and_forms(context, senior):
    dispute = DisputeFactory(is_published=True, proposition="The drone was downed.")
    first = ClaimFactory(dispute=dispute, quote="We did not touch it.", stance="denies")
    second = ClaimFactory(dispute=dispute, quote="They touched it.", stance="affirms")
    page = open_dispute(context, dispute)
    status = page.locator("#request-status")
    # An "Edit" link (an htmx GET) to a claim another editor has deleted.
    services.claim_delete(claim=Claim.objects.get(pk=first.pk), user=senior)
    page.locator(f"#claim-{first.pk}").get_by_role("link", name="Edit").click()
    expect(status).to_contain_text("This could not be loaded: it is no longer there (404)")
    page.screenshot(path=str(SHOTS / "404-link.png"))
    # A delete confirmation (a form without a slot) for a claim deleted after it was opened.
    page.locator(f"#claim-{second.pk}").get_by_role("link", name="Delete").click()
    expect(page.locator(f"#claim-{second.pk}.confirm-delete")).to_be_visible()
    expect(status).to_be_empty()  # the next request that worked took the message away
    services.claim_delete(claim=Claim.objects.get(pk=second.pk), user=senior)
    page.locator(f"#claim-{second.pk}").get_by_role("button", name="Delete").click()
    expect(status).to_contain_text("Nothing was saved: it is no longer there (404)")
    assert page.evaluate("window.notReloaded === true")


def test_a_form_with_a_slot_gets_the_message_in_its_slot(context, senior):
    dispute = DisputeFactory(is_published=True, proposition="The drone was downed.")
    claim = ClaimFactory(dispute=dispute, quote="We did not touch it.", stance="denies")
    page = open_dispute(context, dispute)
    page.locator(f"#claim-{claim.pk}").get_by_role("link", name="Edit").click()
    form = page.locator(f"#claim-{claim.pk} form")
    expect(form).to_be_visible()
    context.clear_cookies()
    form.get_by_label("Paraphrase").fill("Russia denies it.")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".request-limit")).to_contain_text("session has ended (403)")
    expect(form.locator(".request-limit")).to_contain_text("What you typed is still in the form")
    expect(page.locator("#request-status")).to_be_empty()
    expect(form.get_by_label("Paraphrase")).to_have_value("Russia denies it.")
    page.screenshot(path=str(SHOTS / "403-in-slot.png"))
    assert Claim.objects.get().paraphrase == ""
