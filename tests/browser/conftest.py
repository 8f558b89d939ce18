"""Chromium for the browser tests: Debian's /usr/bin/chromium, never a downloaded one.

pytest-django's ``live_server`` serves the site (and its static files, as
StaticLiveServerTestCase does) from a thread; tests that use it need a
transactional database so the server thread sees their rows.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread, which trips Django's
# async-safety check on plain ORM calls made by the test itself; they are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS_DIR = Path(settings.BASE_DIR) / "test-artifacts"


# Module scope, not session: only one Playwright (sync) may run in a thread at a time,
# and other browser modules start their own.
@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM_PATH).exists():
        pytest.skip(
            f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM_PATH}. Install it (apt-get install chromium) "
            "or set CHROMIUM=/path/to/chromium; Playwright's own browsers are never downloaded."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
