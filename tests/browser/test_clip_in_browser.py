"""The Clip bookmarklet in the real Chromium, on a page with a strict Content-Security-Policy.

A local server plays "any web page": an article served with a strict CSP (nonce-only
scripts, no inline script, no eval, no connections, no objects) at ``localhost``, while the
tracker runs at ``127.0.0.1``, so the clip crosses sites as it would from a newspaper. The
editor's bookmark is the Clip link from the account page; Chromium runs a bookmark's
``javascript:`` code in the page without applying the page's CSP to it, which is what
Playwright's ``evaluate`` does here (a page cannot be made to "click a bookmark"). The page's
own CSP still governs everything that code does.
"""

import http.server
import re
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims import roles
from claims.models import Claim
from tests.factories import DisputeFactory, PartyFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "clip"
PASSWORD = "correct horse battery staple"
STRICT_CSP = (
    "default-src 'none'; script-src 'nonce-r4nd0m' 'strict-dynamic'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
QUOTE = "We have absolute evidence of the contact"
LONG_PARAGRAPH = " ".join(f"Sentence {n} of the ministry's long statement about the flights." for n in range(60))
ARTICLE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Drone downed over Black Sea</title></head>
<body><article><h1>Drone downed over Black Sea</h1>
<p id="milley">At a briefing on Wednesday, Gen. Mark Milley said: “{QUOTE},” and took no questions.</p>
<p id="long">{LONG_PARAGRAPH}</p></article></body></html>"""


class _Article(http.server.BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_GET(self):  # noqa: N802
        body = ARTICLE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Security-Policy", STRICT_CSP)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def news_site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Article)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}/2023/03/drone.html"
    server.shutdown()
    server.server_close()


@pytest.fixture
def context(chromium, live_server, transactional_db):
    SHOTS.mkdir(parents=True, exist_ok=True)
    UserFactory(username="eddie", password=PASSWORD, roles=[roles.EDITORS])
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "eddie", PASSWORD, base=live_server.url)
    page.goto(f"{live_server.url}/account/")
    page.screenshot(path=str(SHOTS / "01-account-clip-link.png"), full_page=True)
    context.bookmarklet = page.get_by_role("link", name="Clip to").get_attribute("href")
    page.close()
    yield context
    context.close()


def _select(page, selector, start_text, end_text=None):
    page.evaluate(
        """([selector, start, end]) => {
            const node = document.querySelector(selector).firstChild, text = node.textContent;
            const from = text.indexOf(start), to = end ? text.indexOf(end) + end.length : from + start.length;
            const range = document.createRange(); range.setStart(node, from); range.setEnd(node, to);
            getSelection().removeAllRanges(); getSelection().addRange(range);
        }""",
        [selector, start_text, end_text],
    )


def _click_bookmark(context, page):
    code = unquote(context.bookmarklet.removeprefix("javascript:"))
    with context.expect_page() as opened:
        page.evaluate(code)
    form_page = opened.value
    form_page.wait_for_load_state()
    return form_page


def test_clipping_a_quote_opens_the_prefilled_claim_form(context, news_site, live_server):
    dispute = DisputeFactory(proposition="A Russian jet made contact with the US drone.")
    party = PartyFactory(name="United States")
    page = context.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(news_site)
    _select(page, "#milley", QUOTE)
    form = _click_bookmark(context, page)

    assert form.url.startswith(f"{live_server.url}/clip/?")
    expect(form.get_by_label("Original quote")).to_have_value(QUOTE)
    expect(form.get_by_label("Source URL")).to_have_value(news_site)
    expect(form.get_by_label("Text just before the quote")).to_have_value(re.compile(r"Gen\. Mark Milley said: “$"))
    expect(form.get_by_label("Text just after the quote")).to_have_value(re.compile(r"^,” and took no questions\."))
    expect(form.get_by_text("Drone downed over Black Sea")).to_be_visible()
    assert violations == []

    form.get_by_label("Find the dispute").fill("contact")
    expect(form.get_by_label("A Russian jet made contact with the US drone.")).to_be_visible()
    form.get_by_label("A Russian jet made contact with the US drone.").check()
    form.get_by_label("Party:", exact=True).select_option(label="United States")
    form.get_by_label("Stance").select_option("affirms")
    form.screenshot(path=str(SHOTS / "02-clip-form.png"), full_page=True)
    form.get_by_role("button", name="Save the claim").click()
    expect(form.locator("h1")).to_contain_text("A Russian jet made contact")
    claim = Claim.objects.get()
    assert (claim.dispute_id, claim.party_id, claim.quote, claim.quote_exact) == (dispute.pk, party.pk, QUOTE, QUOTE)
    assert claim.quote_prefix.endswith("Milley said: “") and claim.quote_suffix.startswith(",” and took")
    form.screenshot(path=str(SHOTS / "03-saved.png"), full_page=True)


def test_a_long_selection_goes_by_a_small_form_post(context, news_site, live_server):
    page = context.new_page()
    page.goto(news_site)
    _select(page, "#long", "Sentence 0", "Sentence 59 of the ministry's long statement about the flights.")
    form = _click_bookmark(context, page)
    assert form.url.startswith(f"{live_server.url}/clip/?draft=")
    expect(form.get_by_label("Original quote")).to_have_value(LONG_PARAGRAPH)
    expect(form.get_by_label("Source URL")).to_have_value(news_site)
    assert not Claim.objects.exists()
    form.screenshot(path=str(SHOTS / "04-long-clip-form.png"), full_page=True)
