"""CHECKER_DATABASE_NICE: the checker's database work yields to the site's (issue 9, target 6)."""

import os

import pytest
from django.db import connection

from claims.checking import priority

pytestmark = pytest.mark.django_db


def _backend_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, connection.connection.info.backend_pid)


@pytest.fixture
def postgres_backend():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server process")
    connection.ensure_connection()
    before = _backend_nice()
    priority.reset()
    yield
    priority.reset()
    try:  # give the test database's backend its priority back (needs the right to raise it)
        os.setpriority(os.PRIO_PROCESS, connection.connection.info.backend_pid, before)
    except OSError:
        pass


def test_the_checkers_backend_runs_at_the_configured_nice_value_or_the_worker_says_why_not(
    postgres_backend, settings, caplog
):
    settings.CHECKER_DATABASE_NICE = 7
    priority.lower_database_priority()
    refused = [r.getMessage() for r in caplog.records if "CHECKER_DATABASE_NICE" in r.getMessage()]
    if refused:  # not root, or PostgreSQL elsewhere: the worker says so and goes on
        assert "not applied" in refused[0]
        return
    assert _backend_nice() == 7


def test_off_by_default_and_never_applied_to_a_database_on_another_machine(postgres_backend, settings, caplog):
    before = _backend_nice()
    priority.lower_database_priority()
    assert _backend_nice() == before

    settings.CHECKER_DATABASE_NICE = 7
    host = connection.settings_dict["HOST"]
    connection.settings_dict["HOST"] = "db.example.org"
    try:
        priority.lower_database_priority()
    finally:
        connection.settings_dict["HOST"] = host
    assert _backend_nice() == before
    assert any("another machine" in r.getMessage() for r in caplog.records)
