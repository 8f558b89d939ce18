"""Publish and share in the real Chromium (docs/sharing.md).

A newsroom's article page is served from another origin (a local HTTP server on 127.0.0.1, the
site on localhost) and embeds a demo dispute's card: the card shows, the host script sizes the
iframe to it, and without the script the iframe keeps its fixed height. An origin not in
EMBED_ALLOWED_ORIGINS is refused by the browser. axe-core checks the card (light and dark, 320 px),
and the contact dispute is printed to PDF and turned into PNG pages to look at.

Pictures: test-artifacts/sharing/*.png, test-artifacts/print/contact-*.png.
"""

import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims import roles
from claims.demo import load_demo
from claims.models import Dispute
from claims.views.sharing import EMBED_HEIGHT, embed_snippet
from tests.factories import UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "sharing"
PRINTS = Path(settings.BASE_DIR) / "test-artifacts" / "print"
AXE = Path(settings.BASE_DIR) / "var" / "test-tools" / "node_modules" / "axe-core" / "axe.min.js"
CONTACT = "russian-jet-contact-with-mq9"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def demo(transactional_db):
    load_demo()
    return Dispute.objects.get(slug=CONTACT)


class HostPage:
    """An article page on its own origin (127.0.0.1:<port>), serving whatever HTML it is given."""

    def __init__(self):
        self.html = "<!doctype html><title>Article</title>"
        page = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 — http.server's name
                body = page.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def article(self, snippet: str) -> None:
        self.html = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A newsroom article</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            "<body><h1>Drone down over the Black Sea</h1><p>Our reporting, and where the dispute stands:</p>"
            f"{snippet}<p>The article goes on below the card.</p></body></html>"
        )


@pytest.fixture
def host():
    server = HostPage()
    yield server
    server.server.shutdown()


def _frame_heights(page) -> tuple[float, float]:
    iframe = page.locator("iframe").evaluate("f => f.getBoundingClientRect().height")
    content = page.frames[1].evaluate("document.documentElement.getBoundingClientRect().height")
    return iframe, content


def _fitted(page) -> tuple[float, float] | None:
    iframe, content = _frame_heights(page)
    return (iframe, content) if abs(iframe - content) <= 2 else None


def _refused(page, console: list[str]) -> bool:
    """Chromium said so in the console, or put its error page in the frame instead of the card."""
    said = any("frame-ancestors" in text or "X-Frame-Options" in text for text in console)
    return said or (len(page.frames) > 1 and page.frames[1].url.startswith("chrome-error://"))


def _wait_for(condition, what: str, seconds: float = 10.0, page=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        # Playwright delivers console messages only while it runs: wait through it, not beside it.
        page.wait_for_timeout(50) if page is not None else time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("width, scheme", [(1024, "light"), (320, "light"), (390, "dark")])
def test_the_card_shows_inside_an_article_on_another_origin_sized_by_the_host_script(
    chromium, live_server, demo, host, settings, width, scheme
):
    settings.SITE_URL = live_server.url
    settings.EMBED_ALLOWED_ORIGINS = [host.origin]
    host.article(embed_snippet(None, demo.slug, demo.proposition))
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(host.origin + "/")
        card = page.frame_locator("iframe").locator(".card")
        expect(card.locator("h1")).to_contain_text("Russian fighter jet")
        expect(card).to_be_visible()
        expect(page.locator("iframe")).to_have_attribute("data-embed-sized", "true", timeout=10_000)
        iframe, content = _wait_for(lambda: _fitted(page), "the iframe to fit its card")
        assert iframe != EMBED_HEIGHT  # sized to the card, not the snippet's fixed height
        # The whole card is there to read: nothing scrolls inside the iframe, nothing sideways.
        assert page.frames[1].evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(SHOTS / f"embed-on-article-{width}-{scheme}.png"), full_page=True)
        assert not errors, errors
    finally:
        context.close()


def test_without_the_host_script_the_card_keeps_the_fixed_height(chromium, live_server, demo, host, settings):
    settings.SITE_URL = live_server.url
    settings.EMBED_ALLOWED_ORIGINS = [host.origin]
    snippet = embed_snippet(None, demo.slug, demo.proposition).split("<script")[0]
    host.article(snippet)
    context = chromium.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    try:
        page.goto(host.origin + "/")
        expect(page.frame_locator("iframe").locator(".card h1")).to_be_visible()
        assert page.locator("iframe").evaluate("f => f.getBoundingClientRect().height") == EMBED_HEIGHT
        page.screenshot(path=str(SHOTS / "embed-fixed-height.png"), full_page=True)
    finally:
        context.close()


def test_an_origin_that_is_not_allowed_cannot_frame_the_card(chromium, live_server, demo, host, settings):
    settings.SITE_URL = live_server.url
    settings.EMBED_ALLOWED_ORIGINS = ["https://news.example.org"]
    host.article(embed_snippet(None, demo.slug, demo.proposition))
    context = chromium.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    console = []
    page.on("console", lambda msg: console.append(msg.text))
    try:
        page.goto(host.origin + "/")
        _wait_for(lambda: _refused(page, console), "Chromium's refusal", seconds=30, page=page)
        assert page.frame_locator("iframe").locator(".card").count() == 0
        assert not page.frames[1].url.startswith(live_server.url + "/embed/")
        page.screenshot(path=str(SHOTS / "embed-refused.png"), full_page=True)
        # The dispute page itself can never be framed.
        host.article(f'<iframe src="{live_server.url}{demo.get_absolute_url()}" title="page"></iframe>')
        console.clear()
        page.goto(host.origin + "/")
        _wait_for(lambda: _refused(page, console), "a refusal", seconds=30, page=page)
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_card_passes_axe_at_320_pixels(chromium, live_server, demo, scheme):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run scripts/ensure-sharing-tools (make test does)")
    # axe is injected as an inline script, which the card's own CSP rightly forbids: bypass it here.
    context = chromium.new_context(viewport={"width": 320, "height": 800}, color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/embed/disputes/{demo.slug}/")
        page.add_script_tag(content=AXE.read_text())
        result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})")
        violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
        assert not violations, violations
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(SHOTS / f"embed-alone-320-{scheme}.png"), full_page=True)
    finally:
        context.close()


def test_the_contact_dispute_prints_as_a_clean_document(chromium, live_server, demo):
    """Printed by a senior editor (whose screen has every control): none of them on paper."""
    UserFactory(username="sena", password=PASSWORD, roles=[roles.EDITORS, roles.SENIOR_EDITORS])
    PRINTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    try:
        log_in(page, "sena", PASSWORD)
        page.goto(demo.get_absolute_url())
        expect(page.locator(".page-actions")).to_be_visible()
        # On screen, the editor finds the embed code to copy.
        page.get_by_text("Embed this dispute in an article").click()
        code = page.get_by_label("Embed code")
        expect(code).to_be_visible()
        assert f"/embed/disputes/{demo.slug}/" in code.input_value() and "embed-host.js" in code.input_value()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(".embed-snippet").screenshot(path=str(SHOTS / "dispute-embed-code.png"))
        page.emulate_media(media="print")
        for hidden in (".site-header nav", ".page-actions", ".card-actions", ".embed-snippet", ".on-this-page"):
            expect(page.locator(hidden).first).to_be_hidden()
        expect(page.locator("#timeline svg")).to_be_visible()
        expect(page.locator(".column-affirms .claim-card").first).to_be_visible()
        expect(page.locator(".column-denies .claim-card").first).to_be_visible()
        first_external = page.locator("a.external").first
        after = first_external.evaluate("a => getComputedStyle(a, '::after').content")
        assert first_external.get_attribute("href") in after
        pdf = PRINTS / "contact.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        assert pdf.stat().st_size > 10_000
        if shutil.which("pdftoppm"):
            for old in PRINTS.glob("contact-*.png"):
                old.unlink()
            subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(PRINTS / "contact")], check=True)
            assert list(PRINTS.glob("contact-*.png"))
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
            assert "https://" in text  # sources written out
            assert "Log out" not in text and "Set a verdict" not in text and "Embed this dispute" not in text
            assert "Timeline" in text
    finally:
        context.close()
