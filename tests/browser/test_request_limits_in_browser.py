"""A form over the upload limit, in the real Chromium: the editor is told the limit and what
was typed is still there. The ``maxlength`` every field carries would stop the text first,
so the test takes it off, as a script or an old page could."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims import roles
from claims.models import Claim, Dispute
from tests.factories import ClaimFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _too_big() -> str:
    return "words " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 6 + 10)


def test_an_oversize_edit_says_the_limit_and_keeps_the_text(page):
    UserFactory(username="eddie", password=PASSWORD, roles=[roles.EDITORS])
    claim = ClaimFactory(quote="Before.")
    log_in(page, "eddie", PASSWORD)
    page.goto(f"/claims/{claim.pk}/edit/")
    quote = page.get_by_label("Original quote:", exact=True)
    assert quote.get_attribute("maxlength")  # what stops it in the first place
    quote.evaluate("el => el.removeAttribute('maxlength')")
    text = _too_big()
    # Set in one step, as a paste would. (A dir="auto" field stalled Chromium for minutes on this
    # value; fields take their direction from static/js/text-direction.js instead.)
    quote.evaluate("(el, text) => { el.value = text; el.dispatchEvent(new Event('input')); }", text)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".request-limit")).to_contain_text("Nothing was saved")
    expect(page.locator(".request-limit")).to_contain_text("2.5 MB")
    assert page.get_by_label("Original quote:", exact=True).input_value() == text
    assert quote.get_attribute("dir") == "ltr"  # given by the script, from the first letter
    assert page.evaluate("window.notReloaded === true")
    expect(page.get_by_role("button", name="Save")).to_be_enabled()
    assert Claim.objects.get().quote == "Before."


def test_an_oversize_admin_form_keeps_the_text_one_step_back(page):
    UserFactory(username="stan", password=PASSWORD, is_staff=True, is_superuser=True)
    log_in(page, "stan", PASSWORD)
    page.goto("/admin/claims/dispute/add/")
    summary = page.locator("#id_summary")
    summary.evaluate("el => el.removeAttribute('maxlength')")
    text = _too_big()
    summary.evaluate("(el, text) => { el.value = text; el.dispatchEvent(new Event('input')); }", text)
    page.locator("#id_proposition").fill("A proposition typed before the big summary.")
    page.locator("input[name=_save]").click()
    expect(page.get_by_role("heading", name="Too much in one form")).to_be_visible()
    expect(page.get_by_text("go back one page")).to_be_visible()
    page.go_back()
    assert page.locator("#id_proposition").input_value() == "A proposition typed before the big summary."
    assert page.locator("#id_summary").input_value() == text
    assert not Dispute.objects.exists()


ARABIC = "نفت وزارة الدفاع أن تكون طائراتها قد لمست الطائرة المسيّرة."


def test_typed_text_takes_its_direction_from_its_first_letter(page):
    """What replaced dir="auto" on fields: an Arabic quote is typed right to left (the field's
    start on the right), an English one left to right, in the editors' form and the admin."""
    shots = Path(settings.BASE_DIR) / "test-artifacts" / "text-direction"
    shots.mkdir(parents=True, exist_ok=True)
    UserFactory(username="stan", password=PASSWORD, is_staff=True, is_superuser=True)
    claim = ClaimFactory(quote="Before.")
    log_in(page, "stan", PASSWORD)
    page.goto(f"/claims/{claim.pk}/edit/")
    quote = page.get_by_label("Original quote:", exact=True)
    assert quote.get_attribute("dir") == "ltr"  # set from the value it was rendered with
    quote.fill("MQ-9 " + ARABIC)  # the first letter is Latin: left to right, as dir="auto" would
    assert quote.get_attribute("dir") == "ltr"
    quote.fill(ARABIC + " MQ-9")
    assert quote.get_attribute("dir") == "rtl"
    assert quote.evaluate("el => getComputedStyle(el).direction") == "rtl"
    page.screenshot(path=str(shots / "editor-form-arabic.png"))
    page.goto("/admin/claims/dispute/add/")
    summary = page.locator("#id_summary")
    summary.fill(ARABIC)
    assert summary.get_attribute("dir") == "rtl"
    page.screenshot(path=str(shots / "admin-arabic.png"))
    summary.fill("English again.")
    assert summary.get_attribute("dir") == "ltr"
