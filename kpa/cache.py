"""A Redis cache that a Redis outage cannot turn into errors.

A cache is an optimisation, never a dependency of a page: when Redis cannot be reached, every cache call
goes to a second cache instead (settings.py makes it a database table, created by a kpa migration), and
Redis is tried again after RETRY_AFTER seconds. So pages keep working and login rate limits keep
counting during an outage, in the database. Counts made in Redis before the outage are not seen in the
database (a fresh count starts there), and what the database cache counted is forgotten when Redis is
back: a limit may reset once around an outage, never fail open for its whole length.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# Per server, when to try Redis again (monotonic seconds), shared by the threads of a process.
_down_until: dict[str, float] = {}
_lock = threading.Lock()


def _redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, OSError)


class FallbackRedisCache(RedisCache):
    """Django's RedisCache; if Redis is unreachable, the cache named OPTIONS["FALLBACK"] ("fallback")
    answers instead. OPTIONS["RETRY_AFTER"] (30 seconds) is how long a process leaves Redis alone after a
    failed call, so an outage costs one connection timeout per process and half minute, not one per call.
    Socket timeouts default to one second (a host that does not answer at all)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.fallback_alias = options.pop("FALLBACK", "fallback")
        self.retry_after = float(options.pop("RETRY_AFTER", 30))
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, {**params, "OPTIONS": options})
        self._server_key = ",".join(self._servers)

    @property
    def fallback(self):
        return caches[self.fallback_alias]

    def _call(self, name: str, *args, **kwargs):
        if _down_until.get(self._server_key, 0.0) <= time.monotonic():
            try:
                return getattr(super(), name)(*args, **kwargs)
            except _redis_errors() as error:
                with _lock:
                    first = _down_until.get(self._server_key, 0.0) <= time.monotonic()
                    _down_until[self._server_key] = time.monotonic() + self.retry_after
                if first:
                    logger.warning(
                        "Redis cache %s unreachable (%s); using the %r cache for %d seconds.",
                        self._server_key,
                        error,
                        self.fallback_alias,
                        self.retry_after,
                    )
        return getattr(self.fallback, name)(*args, **kwargs)

    # Every public operation of RedisCache; BaseCache builds the rest (get_or_set, decr, the async
    # variants, ...) from these.
    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
