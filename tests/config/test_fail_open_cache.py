"""The cache fails open (config/cache.py): with Redis unreachable it behaves as empty, fast, and recovers."""

import socket
import time

import pytest
from django.core.cache.backends.redis import RedisCache

from config.cache import FailOpenRedisCache


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def dead_cache(monkeypatch):
    monkeypatch.setattr(FailOpenRedisCache, "_down_until", 0.0)
    return FailOpenRedisCache(f"redis://127.0.0.1:{_closed_port()}/0",
                              {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}})


def test_with_redis_down_reads_miss_writes_are_dropped_and_counters_start_fresh(dead_cache):
    assert dead_cache.get("k", "fallback") == "fallback"
    assert dead_cache.add("k", 1) is False
    assert dead_cache.set("k", 1) is None
    with pytest.raises(ValueError):  # callers treat it as a counter that expired: start again at 1
        dead_cache.incr("k")
    assert dead_cache.get_many(["a", "b"]) == {}


def test_after_a_failure_redis_is_not_asked_again_for_a_while(dead_cache, monkeypatch):
    calls = []
    original = RedisCache.get

    def counted(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "get", counted)
    started = time.monotonic()
    for _ in range(20):
        dead_cache.get("k")
    assert time.monotonic() - started < 2  # one refused connection, then the circuit is open
    assert FailOpenRedisCache._down_until > time.monotonic()


def test_with_redis_up_it_is_an_ordinary_cache(redis_url, monkeypatch):
    monkeypatch.setattr(FailOpenRedisCache, "_down_until", 0.0)
    cache = FailOpenRedisCache(redis_url, {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}})
    key = f"fail-open-test-{time.time_ns()}"
    try:
        assert cache.add(key, 1, timeout=30) is True
        assert cache.incr(key) == 2 and cache.get(key) == 2
    finally:
        cache.delete(key)
