"""The client's address, for log-in lockouts and rate limits, with and without a TLS proxy.

Behind a proxy every connection comes from the proxy: counting by the socket's address
would let five bad passwords lock an account for everyone. Without a proxy the
X-Forwarded-For header is the client's own say and must not choose what it is counted as.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from claims.ratelimits import client_ip

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def _fail_logins(client, username: str, times: int, **headers) -> None:
    for _ in range(times):
        client.post("/accounts/login/", {"username": username, "password": "wrong"}, **headers)


def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="milley", password="the right one")
    _fail_logins(client, "milley", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    locked = client.post(
        "/accounts/login/",
        {"username": "milley", "password": "the right one"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert locked.status_code == 429
    other = client.post(
        "/accounts/login/",
        {"username": "milley", "password": "the right one"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert other.status_code == 302


def test_behind_a_proxy_a_forged_leftmost_address_does_not_escape_the_lock(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="milley", password="the right one")
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The attacker varies what they send; the proxy appends the real address last.
        forwarded = f"192.0.2.{n}, 198.51.100.7"
        client.post(
            "/accounts/login/",
            {"username": "milley", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded,
        )
    again = client.post(
        "/accounts/login/",
        {"username": "milley", "password": "the right one"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.7",
    )
    assert again.status_code == 429


def test_without_a_proxy_the_forwarded_header_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    UserFactory(username="milley", password="the right one")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "milley", "password": "wrong"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    again = client.post(
        "/accounts/login/",
        {"username": "milley", "password": "the right one"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert again.status_code == 429


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "198.51.100.7", PROXY),
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
        (1, "192.0.2.1, 198.51.100.7", "198.51.100.7"),
        (2, "192.0.2.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_takes_only_what_trusted_proxies_added(rf, settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.parametrize(("env", "expected"), [({}, "0"), ({"BEHIND_TLS_PROXY": "1"}, "1")])
def test_behind_tls_proxy_trusts_one_proxy_by_default(tmp_path, env, expected):
    code = "import django; from django.conf import settings; django.setup(); print(settings.TRUSTED_PROXY_COUNT)"
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "BEHIND_TLS_PROXY"}}
    base.update({"DJANGO_SETTINGS_MODULE": "tracker.settings", "SECRET_KEY": "x" * 50, "VAR_DIR": str(tmp_path), **env})
    result = subprocess.run(
        [sys.executable, "-c", code], env=base, capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
