"""Django's Redis cache, failing open: while Redis is down or hung, the cache behaves as empty.

Nothing the application must keep lives in the cache (sessions are in PostgreSQL, jobs in the outbox): it holds
counters (API write throttling, sign-in rate limits), a provider's discovery document and a roster run's progress.
A Redis outage therefore degrades those to "no limit counted, nothing cached" for its duration instead of failing
the request (docs/resilience.md). A failed call costs at most the socket timeout set in settings (1 s) and is
logged as a warning, without the key (keys can carry user ids, never names); after a failure the process does not
ask Redis again for RETRY_AFTER seconds (a circuit breaker), so a hung Redis costs a request at most one timeout.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_MISSING = object()
RETRY_AFTER = 5.0  # seconds without asking Redis after a failure


class _Skipped(RedisError):
    """Not sent: Redis failed a moment ago (the circuit is open)."""


class FailOpenRedisCache(RedisCache):
    _down_until = 0.0  # per process: shared by every request of this worker

    def _fail(self, operation: str, exc: Exception, fallback):
        if not isinstance(exc, _Skipped):
            FailOpenRedisCache._down_until = time.monotonic() + RETRY_AFTER
            logger.warning("cache unavailable operation=%s error=%s", operation, type(exc).__name__)
        return fallback

    @property
    def _cache(self):  # Django's is a cached_property; this one first checks the circuit, then reuses the client
        if time.monotonic() < FailOpenRedisCache._down_until:
            raise _Skipped("Redis failed a moment ago; not asked again yet.")
        client = self.__dict__.get("_client")
        if client is None:
            client = self.__dict__["_client"] = self._class(self._servers, **self._options)
        return client

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            return self._fail("get", exc, default)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            return self._fail("get_many", exc, {})

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as exc:
            return self._fail("has_key", exc, False)

    def set(self, key, value, timeout=_MISSING, version=None):
        kwargs = {} if timeout is _MISSING else {"timeout": timeout}
        try:
            return super().set(key, value, version=version, **kwargs)
        except RedisError as exc:
            return self._fail("set", exc, None)

    def add(self, key, value, timeout=_MISSING, version=None):
        kwargs = {} if timeout is _MISSING else {"timeout": timeout}
        try:
            return super().add(key, value, version=version, **kwargs)
        except RedisError as exc:
            return self._fail("add", exc, False)

    def set_many(self, data, timeout=_MISSING, version=None):
        kwargs = {} if timeout is _MISSING else {"timeout": timeout}
        try:
            return super().set_many(data, version=version, **kwargs)
        except RedisError as exc:
            return self._fail("set_many", exc, list(data))

    def touch(self, key, timeout=_MISSING, version=None):
        kwargs = {} if timeout is _MISSING else {"timeout": timeout}
        try:
            return super().touch(key, version=version, **kwargs)
        except RedisError as exc:
            return self._fail("touch", exc, False)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as exc:
            return self._fail("delete", exc, False)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except RedisError as exc:
            return self._fail("delete_many", exc, None)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:  # counted as absent: callers treat a missing counter as a fresh one
            self._fail("incr", exc, None)
            raise ValueError("Key not found (the cache is unavailable).") from exc

    def clear(self):
        try:
            return super().clear()
        except RedisError as exc:
            return self._fail("clear", exc, False)
