"""The worker's broker transport (tracker/broker.py): a Redis that dies while a worker holds
unacknowledged messages must not stop the worker (kombu raised AttributeError there)."""

import contextlib
import os

import pytest
from kombu import Connection
from kombu.transport import redis as kombu_redis

from tracker import broker

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/4")


@contextlib.contextmanager
def held_message_after_the_connection_closed(transport):
    """A channel holding one delivered, unacknowledged message, whose connection details kombu
    has already dropped (what closing a connection to a killed Redis leaves)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    connection = Connection(REDIS_URL, transport=transport)
    channel = connection.channel()
    channel.qos._delivered["tag-1"] = object()
    channel.qos._dirty = set()
    channel._pool = None  # the pool is rebuilt from the connection details on next use
    channel.connection.client = None
    yield channel
    channel.qos._delivered.clear()
    channel.connection.client = connection
    connection.release()


def test_kombus_own_transport_raises_there():
    # The failure this module exists for, so the test below proves something.
    with held_message_after_the_connection_closed(kombu_redis.Transport) as channel:
        with pytest.raises(AttributeError, match="hostname"):
            channel.qos.restore_unacked()


def test_the_workers_transport_gives_the_restore_up_and_keeps_going(caplog):
    with held_message_after_the_connection_closed(broker.Transport) as channel:
        assert channel.qos.restore_unacked() is None
        assert not channel.qos._delivered
    assert "left in Redis" in caplog.text


def test_the_worker_uses_it_with_a_redis_broker(settings):
    from tracker import settings as project_settings

    if not project_settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("no Redis broker configured")
    assert project_settings.CELERY_BROKER_TRANSPORT == "tracker.broker:Transport"


def test_a_task_that_outlived_its_connection_acknowledges_without_stopping_the_worker(caplog):
    # A batch finishing after Redis came back acknowledges on the old, closed channel.
    with held_message_after_the_connection_closed(kombu_redis.Transport) as channel:
        with pytest.raises(AttributeError):
            channel.qos.ack("tag-1")
    with held_message_after_the_connection_closed(broker.Transport) as channel:
        channel.qos.ack("tag-1")
        assert "tag-1" not in channel.qos._delivered
    assert "stays in Redis" in caplog.text
