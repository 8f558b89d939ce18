"""Wake-ups for the notification workers: a courtesy with a time budget, as for check jobs.

The database holds what is owed (``Notification`` rows, webhook deliveries); a broker
message only says "look now". A request that makes notifications spends at most
``CHECKER_WAKE_BUDGET_SECONDS`` on the broker, and a process that found it not answering
leaves it alone for ``CHECKER_WAKE_BACKOFF_SECONDS`` (the same settings and reasoning as
``claims.checking.jobs.wake_workers``). What did not go out is sent by beat's sweep
(``claims.tasks.send_due_notifications``) within a minute.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings

log = logging.getLogger(__name__)

_broker_down_until = 0.0


def _within_budget(name: str, publish: Callable[[dict], None]) -> bool:
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        log.info("broker recently unavailable; %s left for the sweep", name)
        return False
    budget = float(settings.CHECKER_WAKE_BUDGET_SECONDS)
    timeouts = {
        "socket_timeout": max(budget, 0.5),
        "socket_connect_timeout": max(budget, 0.5),
        "max_retries": 0,
        "interval_start": 0,
    }
    failure: list[BaseException] = []
    done: list[bool] = []

    def run() -> None:
        try:
            publish(timeouts)
            done.append(True)
        except Exception as error:  # noqa: BLE001 — the sweep sends what did not go out
            failure.append(error)

    thread = threading.Thread(target=run, name=f"wake-{name}", daemon=True)
    thread.start()
    thread.join(budget)
    if not done:
        _broker_down_until = time.monotonic() + float(settings.CHECKER_WAKE_BACKOFF_SECONDS)
        reason = failure[0] if failure else f"no answer within {budget:g} s"
        log.warning("broker unavailable (%s); %s left for the sweep", reason, name)
        return False
    return True


def send_notifications(user_ids: list[int]) -> bool:
    """Ask a worker to send these users' due emails now."""
    from claims.tasks import send_notifications as task
    from tracker.celery import app

    def publish(timeouts: dict) -> None:
        with app.connection_for_write(transport_options=timeouts) as conn:
            task.apply_async(args=[list(user_ids)], retry=False, connection=conn)

    return _within_budget("notification emails", publish)


def deliver_webhooks() -> bool:
    """Ask a worker to deliver the due webhook deliveries now."""
    from claims.tasks import deliver_webhooks as task
    from tracker.celery import app

    def publish(timeouts: dict) -> None:
        with app.connection_for_write(transport_options=timeouts) as conn:
            task.apply_async(retry=False, connection=conn)

    return _within_budget("webhook deliveries", publish)


def reset() -> None:
    """Forget that the broker was down (tests)."""
    global _broker_down_until
    _broker_down_until = 0.0
