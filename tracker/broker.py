"""kombu's Redis transport, made to survive a broker that dies while a worker holds messages.

When the worker's broker connection breaks, kombu closes its channel, and closing a channel
restores the messages the worker holds but has not acknowledged yet (``QoS.restore_unacked``).
If Redis is gone by then, the transport's connection details have already been dropped, and
looking them up raises ``AttributeError: 'NoneType' object has no attribute 'hostname'`` —
not a connection error, so Celery stops the worker ("Unrecoverable error"). A worker holding a
long batch of checks (``CHECKER_BATCH_SIZE``) nearly always holds one; a one-check-per-message
worker seldom did, which is why only batches seemed to kill it (reproduced with
``CHECKER_BATCH_SIZE=32 DRILLS=redis make drills``; kombu 5.7.0, Celery 5.7.0).

The same happens when a task that outlived the connection (a batch takes up to
``CHECKER_BATCH_SECONDS``) acknowledges its message on the dead channel afterwards.

Here that restore (or acknowledgement) is given up with a warning instead. Nothing is lost: the messages are still
in Redis's unacknowledged set, which kombu moves back to the queue after the visibility
timeout, and they are only wake-ups anyway: the jobs are rows in the database, running ones
hold leases, and the sweeper re-sends the wake-ups of queued jobs
(docs/reliability.md). Used by ``CELERY_BROKER_TRANSPORT`` in tracker/settings.py.
"""

import logging

from kombu.transport import redis

log = logging.getLogger(__name__)


class QoS(redis.QoS):
    def _connection_gone(self) -> bool:
        transport = getattr(self.channel, "connection", None)
        return transport is None or getattr(transport, "client", None) is None

    def restore_unacked(self, client=None):
        try:
            return super().restore_unacked(client)
        except AttributeError:
            if not self._connection_gone():
                raise  # not the closed-connection case: a real bug, let it show
            log.warning(
                "broker connection already closed; %d unacknowledged wake-up(s) left in Redis "
                "(restored after the visibility timeout; the sweeper re-sends due jobs sooner)",
                len(self._delivered),
            )
            self._delivered.clear()
            return None

    def ack(self, delivery_tag):
        """A task that ends after its connection was replaced acknowledges on the dead channel."""
        try:
            return super().ack(delivery_tag)
        except AttributeError:
            if not self._connection_gone():
                raise
            log.warning(
                "broker connection replaced; a finished task's message stays in Redis "
                "(back after the visibility timeout, finding its jobs done)"
            )
            self._delivered.pop(delivery_tag, None)
            return None

    def reject(self, delivery_tag, requeue=False):
        try:
            return super().reject(delivery_tag, requeue=requeue)
        except AttributeError:
            if not self._connection_gone():
                raise
            log.warning("broker connection replaced; a message could not be rejected (its job has a lease)")
            self._delivered.pop(delivery_tag, None)
            return None


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
