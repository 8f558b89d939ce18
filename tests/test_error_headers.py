"""Every error response carries the same security headers as a normal page: a bad Host (400),
a CSRF refusal (403), 404, 405, a form over the upload limit (413), a rate limit (429), a
server error (500) and the database down (503). Before, a DisallowedHost 400 was answered
from inside CommonMiddleware, outside the CSP and X-Frame-Options middleware."""

import re

import pytest
from django.test import Client

from .factories import ClaimFactory
from .test_database_down import database_down  # noqa: F401  (a fixture)

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


def _security_headers(response) -> dict[str, str]:
    # The nonce differs per response (and a page with no script has none); the policy must not.
    return {name: re.sub(r" 'nonce-[^']+'", "", response.get(name, "(missing)")) for name in SECURITY_HEADERS}


@pytest.fixture
def normal_page(db):
    response = Client().get("/")
    assert response.status_code == 200
    headers = _security_headers(response)
    assert "(missing)" not in headers.values()
    return headers


def _bad_host(client, settings):
    settings.ALLOWED_HOSTS = ["claims.example.org"]
    return client.get("/", HTTP_HOST="evil.example.com")


def _csrf(client, settings):
    claim = ClaimFactory()
    return Client(enforce_csrf_checks=True, raise_request_exception=False).post(f"/claims/{claim.pk}/edit/", {})


def _not_found(client, settings):
    return client.get("/disputes/no-such-dispute/")


def _method_not_allowed(client, settings):
    return client.put("/")


def _too_big(client, settings):
    return client.post("/accounts/login/", {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})


def _too_many_fields(client, settings):
    return client.post("/accounts/login/", {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)})


def _rate_limited(client, settings):
    settings.RATELIMIT_HEAVY = "1/m"
    source = ClaimFactory().source  # a source a published claim cites: strangers may see it
    client.get(f"/sources/{source.pk}/diff/")
    return client.get(f"/sources/{source.pk}/diff/")


def _server_error(client, settings):
    from claims import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    original, selectors.dispute_list_page = selectors.dispute_list_page, broken
    try:
        # A query string of its own: the home page's results are cached per query string.
        return client.get("/", {"q": "a query no other test asks"})
    finally:
        selectors.dispute_list_page = original


ERRORS = {
    400: _bad_host,
    403: _csrf,
    404: _not_found,
    405: _method_not_allowed,
    413: _too_big,
    "413 fields": _too_many_fields,
    429: _rate_limited,
    500: _server_error,
}


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(ERRORS), ids=str)
def test_every_error_response_carries_the_security_headers(status, normal_page, settings):
    response = ERRORS[status](Client(raise_request_exception=False), settings)
    assert response.status_code == int(str(status).split()[0])
    assert _security_headers(response) == normal_page


def test_the_database_down_page_carries_the_security_headers(database_down, settings):  # noqa: F811
    expected = {
        "Content-Security-Policy": None,  # compared below against the settings' policy
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    headers = _security_headers(response)
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert {k: v for k, v in headers.items() if expected[k]} == {k: v for k, v in expected.items() if v}
