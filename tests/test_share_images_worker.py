"""A real Celery worker (Redis, PostgreSQL) draws a dispute's new share image after an editor's save,
before anyone asks for it (docs/sharing.md, "Drawn in the background").

Skipped (loudly) on SQLite: a worker process cannot open the in-memory test database.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from claims import services
from claims.models import Stance

from .checking.conftest import broker
from .factories import DisputeFactory, PartyFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/4")


def _requirements():
    if connection.vendor != "postgresql":
        pytest.skip(
            "REAL-WORKER SHARE IMAGE TEST SKIPPED: the test database is SQLite in memory, which a worker "
            "process cannot open. Run with DATABASE_URL=postgres://... to exercise it."
        )
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"REAL-WORKER SHARE IMAGE TEST SKIPPED: Redis not reachable at {REDIS_URL}: {error}")
    redis.Redis.from_url(REDIS_URL).delete("celery")  # no stale messages from an earlier run


def _database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(tmp_path, settings):
    _requirements()
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "worker-in-tests",
        "DEBUG": "0",
        "CONN_MAX_AGE": "0",
    }
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115
    cmd = [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--pool=solo", "--without-heartbeat"]
    cmd += ["--without-gossip", "--without-mingle", "--loglevel=INFO"]
    proc = subprocess.Popen(
        cmd, cwd=Path(django_settings.BASE_DIR), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    yield log
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    log.close()


def test_a_worker_draws_the_new_image_after_an_editor_saves(worker, editor, settings):
    dispute = DisputeFactory(slug="contact", proposition="A jet made contact with the drone.")
    folder = Path(settings.MEDIA_ROOT) / "share-images" / str(dispute.pk)
    with broker(REDIS_URL):
        services.claim_create(
            dispute=dispute, user=editor, party=PartyFactory(name="Russia"), stance=Stance.DENIES, quote="No contact."
        )
    deadline = time.monotonic() + 90
    while not list(folder.glob("*.png")) and time.monotonic() < deadline:
        time.sleep(0.2)
    worker.seek(0)
    drawn = list(folder.glob("*.png"))
    assert drawn, f"no image drawn by the worker; its log:\n{worker.read()[-3000:]}"
    # The file the worker drew is the one a crawler is then served, without drawing again.
    from django.test import Client

    served = Client().get("/disputes/contact/share.png")
    assert served.status_code == 200 and served.content == drawn[0].read_bytes()
    assert list(folder.glob("*.png")) == drawn
