"""PostgreSQL unreachable for a pooled app (gunicorn subprocess, DATABASE_POOL=true) behind a proxy the test controls:
pages answer 503 within about a second, /healthz says the database is down, and it recovers without a restart."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from tests.resilience.proxy import Proxy

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, cookie: str = "") -> tuple[int, bytes, float]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.perf_counter() - started


@pytest.fixture
def pooled_app(require_postgres, tmp_path):
    db = connection.settings_dict
    proxy = Proxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    proxy.start()
    port = _free_port()
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}{password}@127.0.0.1:{proxy.port}/{db['NAME']}",
           "DATABASE_POOL": "true", "DATABASE_POOL_MIN": "1", "DATABASE_POOL_MAX": "4", "DEBUG": "false",
           "SECRET_KEY": "test-only", "ALLOWED_HOSTS": "127.0.0.1", "REDIS_URL": "", "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "4",
         "--timeout", "60"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _get(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"the app did not start: {(tmp_path / 'gunicorn.log').read_text()[-2000:]}")
    yield base, proxy
    process.terminate()
    process.wait(timeout=10)
    log.close()
    proxy.stop()


def test_with_postgresql_unreachable_pages_answer_503_fast_and_recover_without_restart(pooled_app, personas):
    base, proxy = pooled_app
    client = Client()
    client.force_login(personas["team_chair"])
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    assert _get(f"{base}/students/", cookie)[0] == 200

    proxy.stop()  # PostgreSQL goes away: open connections cut, new ones refused
    status, body, seconds = _get(f"{base}/students/", cookie)
    print(f"PostgreSQL down: a page answered {status} in {seconds:.2f} s")
    assert status == 503 and seconds < 2.5, body[:300]
    assert b"database is unavailable" in body
    status, body, seconds = _get(f"{base}/api/students/", cookie)
    assert status == 503 and seconds < 2.5 and b"database is unavailable" in body
    status, body, seconds = _get(f"{base}/healthz")
    print(f"PostgreSQL down: /healthz answered {status} in {seconds:.2f} s: {body.decode()}")
    assert status == 503 and seconds < 2.5
    import json

    health = json.loads(body)
    assert health["database"]["ok"] is False and health["status"] == "unavailable"

    proxy.start()  # PostgreSQL is back: the same process serves again
    deadline = time.monotonic() + 20
    while _get(f"{base}/students/", cookie)[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    status, _, _ = _get(f"{base}/students/", cookie)
    assert status == 200
    assert json.loads(_get(f"{base}/healthz")[1])["database"]["ok"] is True
