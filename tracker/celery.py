"""The Celery app. Tasks live in claims/tasks.py and only wrap plain functions."""

import logging
import os

from celery import Celery
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

log = logging.getLogger(__name__)

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Tasks that beat runs itself instead of sending: the sweeper recovers lost jobs and
# re-sends wake-ups, so it must not queue behind the very backlog it is there to clear,
# nor wait for a free worker process.
RUN_IN_BEAT = {"claims.tasks.sweep_check_jobs"}


class BeatScheduler(PersistentScheduler):
    """Celery's persistent scheduler, except that the sweeper runs inside beat.

    Two beats at once are harmless: every step of the sweep is a conditional update.
    A failing sweep (database down) is logged and tried again at the next interval.
    """

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        if entry.task not in RUN_IN_BEAT:
            return super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        from django.db import close_old_connections

        entry = self.reserve(entry) if advance else entry
        close_old_connections()  # a connection broken by a database restart is replaced
        try:
            self.app.tasks[entry.task].run(*(entry.args or ()), **(entry.kwargs or {}))
        except Exception:  # noqa: BLE001 — beat must outlive a database or broker outage
            log.exception("sweep in beat failed; trying again at the next interval")
        finally:
            close_old_connections()
        return None
