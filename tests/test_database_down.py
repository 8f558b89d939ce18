"""While the database is unreachable the web answers a fast 503 with Retry-After (HTML, and
JSON under /api/), not a 500, and does not report a server error per request."""

import logging
import socket

import pytest
from django.db import connection
from django.test import Client


@pytest.fixture
def database_down(django_db_blocker):
    """The default connection pointed at a closed port (PostgreSQL) or an unopenable file (SQLite)."""
    with django_db_blocker.unblock():
        connection.close()
        # An in-memory SQLite test database ignores close(); set its connection aside instead.
        kept, connection.connection = connection.connection, None
        saved = dict(connection.settings_dict)
        if connection.vendor == "postgresql":
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port))
        else:
            connection.settings_dict["NAME"] = "/nonexistent-directory/db.sqlite3"
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
            connection.connection = kept


@pytest.mark.parametrize("path", ["/", "/disputes/some-dispute/", "/feeds/disputed/"])
def test_pages_answer_503_with_retry_after_when_the_database_is_down(database_down, path, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING):
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Temporarily unavailable" in response.content.decode()
    assert not [r for r in caplog.records if r.name == "django.request" and r.levelno >= logging.ERROR]


def test_api_answers_json_503_when_the_database_is_down(database_down):
    client = Client(raise_request_exception=False)
    response = client.get("/api/disputes", HTTP_AUTHORIZATION="Bearer some-token")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("Temporarily unavailable")


@pytest.mark.django_db
def test_other_errors_stay_500(client, monkeypatch):
    from claims import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "dispute_list_page", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
