"""Settings come from the environment: SQLite by default, PostgreSQL with DATABASE_URL."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], 'broker': settings.CELERY_BROKER_URL,"
    " 'debug': settings.DEBUG}))"
)


def probe(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    base.update({"DJANGO_SETTINGS_MODULE": "tracker.settings", "SECRET_KEY": "x" * 50, **env})
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=base, capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=60
    )
    return result


def test_no_configuration_means_sqlite_and_filesystem_broker(tmp_path):
    result = probe(VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {"engine": "django.db.backends.sqlite3", "broker": "filesystem://localhost/", "debug": False}


def test_database_url_switches_to_postgresql_and_redis():
    result = probe(DATABASE_URL="postgres://postgres@127.0.0.1:5432/x", CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["broker"] == "redis://127.0.0.1:6379/0"


def test_missing_secret_key_in_production_fails_loudly():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DJANGO_SETTINGS_MODULE": "tracker.settings", "DEBUG": "0"})
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_garbled_boolean_is_rejected():
    result = probe(DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


@pytest.mark.django_db
def test_suite_runs_on_the_configured_database():
    from django.db import connection

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected


def _manage(*args):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
    )


def test_build_commands_run_without_a_secret_key():
    result = _manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_serving_commands_refuse_to_start_without_a_secret_key():
    result = _manage("loaddemo")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


ROOT = Path(__file__).resolve().parent.parent
ENV_READ = re.compile(r"""(?:env(?:bool|int|list|origins)\(|environ\.get\(|environ\[)\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_environment_variable_is_documented():
    """An operator finds every knob in docs/operations.md; a new one without a line there fails."""
    read = set()
    for path in [ROOT / "tracker" / "settings.py", *(ROOT / "claims").rglob("*.py")]:
        read |= set(ENV_READ.findall(path.read_text()))
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", (ROOT / "docs" / "operations.md").read_text()))
    assert read - documented == set()


def test_no_module_reads_an_undeclared_setting():
    """Settings are declared (and validated) in settings.py, never defaulted where they are used."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "claims").rglob("*.py")
        if re.search(r"getattr\(\s*settings\s*,", path.read_text())
    ]
    assert offenders == []


def test_a_quote_threshold_outside_0_to_100_is_refused():
    result = probe(CHECKER_QUOTE_THRESHOLD="150")
    assert result.returncode != 0 and "CHECKER_QUOTE_THRESHOLD" in result.stderr


SESSIONS_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'sessions': settings.SESSION_ENGINE, 'backends': settings.AUTHENTICATION_BACKENDS}))"
)


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [
        ("", "django.contrib.sessions.backends.db"),
        ("redis://127.0.0.1:6379/9", "django.contrib.sessions.backends.cached_db"),
    ],
)
def test_sessions_are_cached_only_in_a_cache_every_process_shares(tmp_path, cache_url, engine):
    """A per-process cache would keep a session alive in the other web processes after a log-out."""
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    base.update({"DJANGO_SETTINGS_MODULE": "tracker.settings", "SECRET_KEY": "x" * 50, "VAR_DIR": str(tmp_path)})
    if cache_url:
        base["CACHE_URL"] = cache_url
    result = subprocess.run(
        [sys.executable, "-c", SESSIONS_PROBE],
        env=base,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["sessions"] == engine
    # One password backend: a failed log-in is hashed once.
    assert [b for b in values["backends"] if "axes" not in b] == ["claims.auth_backend.RoleBackend"]
