"""Fixtures for the checker: the local fixture site, a loopback canary, and checker settings."""

import ipaddress
import socket
import threading
from contextlib import contextmanager

import pytest

from claims.checking import fetch as fetch_module

from .site import FixtureServer


@pytest.fixture(scope="session")
def _site_server():
    server = FixtureServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(_site_server, settings, tmp_path):
    """The fixture site, allow-listed for the checker, with short limits so tests stay quick."""
    from claims.checking.jobs import broker_reset

    _site_server.reset()
    fetch_module.robots_cache_clear()
    broker_reset()
    settings.CHECKER_SLOT_DIR = str(tmp_path / "slots")
    settings.CHECKER_ALLOW_HOSTS = [_site_server.hostport]
    settings.CHECKER_DEADLINE_SECONDS = 5
    settings.CHECKER_CONNECT_TIMEOUT = 2
    settings.CHECKER_READ_TIMEOUT = 2
    settings.CHECKER_MAX_BYTES = 2 * 1024 * 1024
    settings.CHECKER_HOST_SPACING_SECONDS = 0
    settings.CHECKER_REDIS_URL = ""
    settings.CELERY_BROKER_URL = "memory://"
    return _site_server


class Canary:
    """Loopback listeners NOT on the allowlist: any connection to them is an SSRF that got through."""

    def __init__(self):
        self.sockets = []
        self.v4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.v4.bind(("127.0.0.1", 0))
        self.v4.listen(16)
        self.port = self.v4.getsockname()[1]
        self.sockets.append(self.v4)
        try:
            v6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            v6.bind(("::1", self.port))
            v6.listen(16)
            self.sockets.append(v6)
        except OSError:
            pass

    def connections(self):
        """How many connections reached the canary (accepted now, without waiting)."""
        count = 0
        for sock in self.sockets:
            sock.setblocking(False)
            while True:
                try:
                    conn, _ = sock.accept()
                except (BlockingIOError, OSError):
                    break
                conn.close()
                count += 1
        return count

    def close(self):
        for sock in self.sockets:
            sock.close()


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


@pytest.fixture(autouse=True)
def _only_loopback_connections(monkeypatch):
    """A safety net, not a stand-in: the real socket is opened, but never to a non-loopback address.

    If a refusal ever regressed, the test must fail here rather than send a packet to a
    private or public network. Every attempted connection is recorded.
    """
    attempts = []
    real_open = fetch_module._open_socket

    def guarded(address, port, timeout):
        attempts.append((address, port))
        if not ipaddress.ip_address(address.split("%")[0]).is_loopback:
            raise AssertionError(f"checker tried to connect to {address}:{port}")
        return real_open(address, port, timeout)

    monkeypatch.setattr(fetch_module, "_open_socket", guarded)
    return attempts


@pytest.fixture
def connection_attempts(_only_loopback_connections):
    return _only_loopback_connections


@contextmanager
def broker(url):
    """Point this process's Celery app at ``url`` (and back), as the web process would be configured."""
    from tracker.celery import app

    def reset():
        app._pool = None
        app.__dict__.get("amqp") and setattr(app.amqp, "_producer_pool", None)

    names = ("broker_url", "broker_write_url", "broker_read_url")
    old = {name: app.conf[name] for name in names}
    app.conf.update({name: url for name in names})
    reset()
    try:
        yield app
    finally:
        app.conf.update(old)
        reset()
