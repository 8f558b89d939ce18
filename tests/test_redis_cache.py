"""The shared cache's backend (tracker/redis_cache.py) against a real Redis: Django's cache, one client per pool."""

import os

import pytest
import redis

from tracker.redis_cache import ReusedClientRedisCache

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture
def shared():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    cache = ReusedClientRedisCache(REDIS_URL, {"KEY_PREFIX": "test-redis-cache"})
    yield cache
    cache.delete_many(["a", "b", "c", "n"])


def test_it_stores_reads_and_forgets_as_djangos_redis_cache_does(shared):
    shared.set("a", {"page": "<p>1</p>"}, 30)
    shared.set_many({"b": 2, "c": [3]}, 30)
    assert shared.get("a") == {"page": "<p>1</p>"}
    assert shared.get_many(["a", "b", "c", "missing"]) == {"a": {"page": "<p>1</p>"}, "b": 2, "c": [3]}
    assert shared.add("n", 1, 30) and not shared.add("n", 5, 30)
    assert shared.incr("n") == 2
    shared.delete("a")
    assert shared.get("a") is None
    # A second instance (another web process) sees what this one wrote.
    assert ReusedClientRedisCache(REDIS_URL, {"KEY_PREFIX": "test-redis-cache"}).get("b") == 2


def test_every_call_uses_the_same_client(shared):
    """Django builds a redis.Redis per call (~0.25 ms of CPU each); this backend builds one per pool."""
    client = shared._cache.get_client("a")
    assert shared._cache.get_client("b") is client
    assert shared._cache.get_client("c", write=True) is client  # one server: reads and writes share its pool
