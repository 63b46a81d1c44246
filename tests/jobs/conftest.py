"""A throwaway redis-server of the test's own, which the test may stop and start (never the shared one)."""

import shutil
import socket
import subprocess
import time

import pytest

from tests.conftest import _unavailable


class OwnRedis:
    def __init__(self, tmp_path):
        self.dir = tmp_path
        with socket.socket() as probe:  # a free loopback port
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        _unavailable("needs the redis-server program (apt-get install redis-server)")
    server = OwnRedis(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def celery_on(own_redis):
    """Point the Celery app at the test's own Redis, not eager, for the test's duration."""
    from config.celery import app

    names = ("task_always_eager", "broker_url", "result_backend")
    saved = {name: app.conf[name] for name in names}

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(task_always_eager=False, broker_url=own_redis.url, result_backend=own_redis.url)
    reset_pools()
    yield app
    app.conf.update(saved)
    reset_pools()
