"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` around the pool on
every cache call, and building one registers its ~170 response callbacks: about 0.25 ms of
CPU per call on this machine, a fifth of a feed's 304 (measured with
``benchmarks/profile_requests.py``, docs/performance.md). A ``redis.Redis`` is safe to share:
it holds no connection of its own, each command borrows one from the pool. Cache instances
are per thread already (``django.core.cache.caches``), so are these clients.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            # The pool of this index (Django picks a random replica per read), made as Django makes it.
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
