"""Every admin page works under the site's CSP (no 'unsafe-inline'), in the real Chromium.

The crawl opens, for every registered model, its list, add form, change form, history,
one history version and the delete confirmation, as a superuser, and collects every
``securitypolicyviolation`` event and console error. django-simple-history's history list
had an inline style (``templates/simple_history/object_history_list.html`` overrides it)."""

from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.test import Client
from simple_history.admin import SimpleHistoryAdmin

from tests.factories import UserFactory
from tests.test_every_form_and_filter import world  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${where})`);
});
"""


def admin_pages() -> list[str]:
    pages = ["/admin/", "/admin/claims/", "/admin/auth/", "/admin/password_change/"]
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages += [base, base + "add/"]
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        pages += [f"{base}{obj.pk}/change/", f"{base}{obj.pk}/delete/", f"{base}{obj.pk}/history/"]
        if isinstance(model_admin, SimpleHistoryAdmin):
            record = model.history.filter(id=obj.pk).order_by("history_id").first()
            if record is not None:
                pages.append(f"{base}{obj.pk}/history/{record.history_id}/")
    return pages


@pytest.fixture
def admin_page(chromium, live_server, world):  # noqa: F811
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    context = chromium.new_context(base_url=live_server.url)
    host = urlsplit(live_server.url).hostname
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_no_admin_page_breaks_the_csp(admin_page):
    errors: list[str] = []
    # Console errors, but a failed load is reported below with its URL instead.
    admin_page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    # Scripts, styles and images the page asked for that did not come (a document that is
    # itself a 403, a read-only model's add page, is fine; browsers ask for /favicon.ico).
    admin_page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document" and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    problems, visited = {}, 0
    for url in admin_pages():
        errors.clear()
        response = admin_page.goto(url, wait_until="load")
        assert response is not None and response.status in (200, 403), (url, response and response.status)
        visited += 1
        found = admin_page.evaluate("window.__violations") + list(errors)
        if found:
            problems[url] = found
    assert not problems, f"CSP violations or console errors on admin pages: {problems}"
    assert visited > 40


def test_the_crawl_sees_a_violation(admin_page):
    """The listener works: an inline style on a page is reported."""
    admin_page.goto("/admin/")
    admin_page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    admin_page.wait_for_function("window.__violations.length > 0")
