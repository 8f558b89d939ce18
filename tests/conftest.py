"""The cast every access test needs: a stranger, a reader, an editor, a senior editor, an admin."""

import time
from pathlib import Path

import pytest

from claims import roles

from .factories import UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s per user; tests make hundreds of users and need no real hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in another one (LocaleMiddleware
    activates it in this thread, the test client's) must not carry over into the next test's
    messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and cached diffs are per test: ids are reused after each rollback."""
    from django.core.cache import cache

    from claims.views.feeds import forget_seen_validators

    cache.clear()
    forget_seen_validators()  # what a process keeps beside the shared cache
    yield
    cache.clear()
    forget_seen_validators()


@pytest.fixture
def reader(db):
    return UserFactory(username="rita", roles=[roles.READERS])


@pytest.fixture
def editor(db):
    return UserFactory(username="eddie", roles=[roles.EDITORS])


@pytest.fixture
def senior(db):
    return UserFactory(username="sena", roles=[roles.EDITORS, roles.SENIOR_EDITORS])


@pytest.fixture
def staff(db):
    return UserFactory(username="stan", is_staff=True, is_superuser=True)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def senior_client(client, senior):
    client.force_login(senior)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


_SESSION_STARTED = time.time()
_CORPUS_FIGURES = Path(__file__).resolve().parents[1] / "test-artifacts" / "corpus-figures.md"


def pytest_terminal_summary(terminalreporter):
    """Print the real-page corpus figures (issue 10) when this run measured them: CI has no ``-s``."""
    if _CORPUS_FIGURES.exists() and _CORPUS_FIGURES.stat().st_mtime >= _SESSION_STARTED:
        terminalreporter.section("checker on real pages (tests/checking/test_corpus.py)")
        terminalreporter.write_line(_CORPUS_FIGURES.read_text("utf-8"))


def smtp_mailer(port: int) -> dict:
    """Django's mailer settings for an SMTP server on 127.0.0.1:``port``."""
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
    }


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that Django's email framework sends to."""
    from claims import wakeups

    from .smtp import LocalSMTP

    server = LocalSMTP()
    server.start()
    settings.MAILERS = {"default": smtp_mailer(server.port)}
    wakeups.reset()
    yield server
    server.stop()


@pytest.fixture
def receiver(settings):
    """A local webhook receiver on 127.0.0.1, allow-listed for webhooks (WEBHOOK_ALLOW_HOSTS) only."""
    import threading

    from claims import wakeups

    from .webhook_receiver import WebhookReceiver

    server = WebhookReceiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.WEBHOOK_ALLOW_HOSTS = [server.hostport]
    settings.WEBHOOK_TIMEOUT_SECONDS = 3
    wakeups.reset()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
