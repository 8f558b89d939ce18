"""CSRF on every unsafe request, the CSP header with its nonce, and the log-in lockout."""

import re

import pytest
from django.test import Client

from claims.models import Claim

from .factories import ClaimFactory, UserFactory
from .helpers import HTMX, form_data

pytestmark = pytest.mark.django_db


def test_post_without_csrf_token_is_refused(editor):
    claim = ClaimFactory(quote="Untouched.")
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(f"/claims/{claim.pk}/edit/", {"quote": "Forged.", "party": claim.party_id})
    assert response.status_code == 403
    assert Claim.objects.get().quote == "Untouched."


def test_htmx_sends_the_csrf_token_from_the_body(editor):
    """The token sits once on <body hx-headers>; a request carrying it as X-CSRFToken passes."""
    claim = ClaimFactory(quote="Before.")
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    page = client.get(claim.dispute.get_absolute_url()).content.decode()
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    data = form_data(client.get(f"/claims/{claim.pk}/edit/"), quote="After.")
    response = client.post(f"/claims/{claim.pk}/edit/", data, HTTP_X_CSRFTOKEN=token, **HTMX)
    assert response.status_code == 200
    assert Claim.objects.get().quote == "After."


def _pages(claim):
    return [
        claim.dispute.get_absolute_url(),
        f"/claims/{claim.pk}/edit/",
        f"/claims/{claim.pk}/delete/",
        f"/disputes/{claim.dispute.slug}/claims/new/",
        f"/disputes/{claim.dispute.slug}/verdict/",
        f"/history/claim/{claim.pk}/",
        "/disputes/new/",
        "/",
    ]


def test_csp_header_has_a_nonce_that_every_script_carries(senior_client):
    claim = ClaimFactory()
    for url in _pages(claim):
        response = senior_client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or f'nonce="{nonce}"' in tag, f"{url}: inline script without nonce: {tag}"


def test_pages_have_no_inline_style_attributes(senior_client):
    claim = ClaimFactory()
    senior_client.post(f"/claims/{claim.pk}/edit/", {"quote": ""})  # a page with errors too
    for url in _pages(claim):
        html = senior_client.get(url).content.decode()
        # A textarea holds text, not markup: the embed code shown to editors (for another site's page).
        html = re.sub(r"(<textarea\b[^>]*>).*?(</textarea>)", r"\1\2", html, flags=re.S)
        assert not re.search(r"\sstyle\s*=", html), url
        assert not re.search(r"\son[a-z]+\s*=\s*[\"']", html), f"{url}: inline event handler"


def test_login_locks_after_repeated_failures_with_a_friendly_page(client, settings):
    UserFactory(username="milley", password="the right one")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "milley", "password": "wrong"})
        assert response.status_code == 200
    locked = client.post("/accounts/login/", {"username": "milley", "password": "wrong"})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many failed log-ins" in html and "milley" in html and "15 minutes" in html
    # Even the right password is refused while the lock lasts.
    again = client.post("/accounts/login/", {"username": "milley", "password": "the right one"})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lock_is_per_username_and_ip(client, settings):
    UserFactory(username="milley", password="the right one")
    UserFactory(username="austin", password="another")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "milley", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "austin", "password": "another"})
    assert response.status_code == 302
