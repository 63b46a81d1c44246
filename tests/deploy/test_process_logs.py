"""gunicorn, the Celery worker and beat, started as in production (deploy/entrypoint.sh), write only JSON lines,
keep the app's redaction, and a crafted URL or text cannot forge a field or a line. See docs/production.md."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.deploy.processes import app_dir, as_app_user
from tests.jobs.conftest import OwnRedis

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = str(ROOT / "deploy" / "entrypoint.sh")
NAME, DOB = "Quillfeather", "2014-07-09"
CRAFTED = '/api/x","status":200,"forged":"yes\n{"level":"ERROR"}/' + DOB


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def state():
    import shutil

    path = app_dir("state", "media")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _env(tmp_path, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_ENV="production", SECRET_KEY="logs-" + "k" * 60, ALLOWED_HOSTS="localhost",
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", IEP_PYTHON=sys.executable,
               IEP_STATE_DIR=str(tmp_path / "state"), MEDIA_ROOT=str(tmp_path / "media"),
               STATIC_ROOT=str(tmp_path / "static"), PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def _json_lines(text: str) -> list[dict]:
    events = []
    for line in text.splitlines():
        if line.strip():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                raise AssertionError(f"not a JSON log line: {line!r}\n--- whole log ---\n{text}") from None
    return events


def _wait_for(path: Path, needle: str, seconds: float, process: subprocess.Popen) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = path.read_text()
        if needle in text:
            return text
        assert process.poll() is None, f"exited early:\n{text}"
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared in:\n{path.read_text()}")


def _start(tmp_path, name, env, *args) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"{name}.log"
    with open(log, "w") as out:
        process = subprocess.Popen([*as_app_user(), ENTRYPOINT, *args], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return process, log


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_gunicorn_logs_a_crafted_url_as_one_json_line_without_name_or_date(state):
    tmp_path = state
    port = _free_port()
    env = _env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1", IEP_MIGRATE="false")
    process, log = _start(tmp_path, "web", env, "web")
    try:
        _wait_for(log, "Booting worker", 60, process)
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
                    client.sendall(f"GET {urllib.parse.quote(CRAFTED)}?q={NAME} HTTP/1.1\r\nHost: localhost\r\n"
                                   "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n".encode())
                    assert client.recv(100).startswith(b"HTTP/1.1 404"), "the crafted URL should be a 404"
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        text = _wait_for(log, '"gunicorn.access"', 30, process)
    finally:
        _stop(process)
    events = _json_lines(text)
    access = [e for e in events if e["logger"] == "gunicorn.access"]
    assert len(access) == 1 and access[0]["path"] == CRAFTED.replace(DOB, "[date]")
    assert set(access[0]) == {"ts", "level", "logger", "method", "path", "status", "bytes", "ms", "request_id",
                              "remote"}
    assert access[0]["status"] == 404 and access[0]["method"] == "GET"
    assert "forged" not in {key for event in events for key in event}
    assert NAME not in text and DOB not in text
    assert {"gunicorn.error", "django.request"} <= {e["logger"] for e in events}


@pytest.mark.redis
def test_celery_worker_and_beat_keep_the_apps_json_logging_and_redaction(state):
    tmp_path = state
    import shutil

    from tests.conftest import _unavailable

    if shutil.which("redis-server") is None:
        _unavailable("needs the redis-server program (apt-get install redis-server)")
    redis_server = OwnRedis(tmp_path)
    redis_server.start()
    env = _env(tmp_path, REDIS_URL=redis_server.url, OUTBOX_SWEEP_SECONDS="1")
    migrated = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    if os.getuid() == 0:
        subprocess.run(["chown", "nobody:nogroup", str(tmp_path), str(tmp_path / "db.sqlite3")], check=True)
    worker, worker_log = _start(tmp_path, "worker", env, "worker", "-P", "solo", "--without-gossip",
                                "--without-mingle", "-I", "tests.deploy.log_tasks")
    beat, beat_log = _start(tmp_path, "beat", env, "beat")
    try:
        _wait_for(worker_log, "ready", 60, worker)
        from celery import Celery

        client = Celery(broker=redis_server.url)
        client.send_task("tests.deploy.log_tasks.log_a_student_task", args=[CRAFTED + f"?q={NAME}"])
        worker_text = _wait_for(worker_log, "log_a_student_task", 60, worker)
        worker_text = _wait_for(worker_log, "succeeded", 60, worker)
        beat_text = _wait_for(beat_log, "jobs.tasks.outbox_dispatch_task", 60, beat)
    finally:
        _stop(worker)
        _stop(beat)
        redis_server.stop()
    for text in (worker_text, beat_text):
        assert NAME not in text and "Zephyrine" not in text and DOB not in text, text
    worker_events = _json_lines(worker_text)
    opened = next(e for e in worker_events if e["logger"] == "students.careless" and e["level"] == "INFO")
    crafted = CRAFTED.replace(DOB, "[date]") + "?[query removed]"
    assert opened["message"] == f"opened <Student id=4242> born [date] from {crafted}"
    assert "\n" in opened["message"]  # the crafted newline stays inside the JSON string
    typed = next(e for e in worker_events if e.get("message") == "search typed")
    assert typed["student_name"] == "[redacted]" and typed["student_id"] == 4242
    assert any("tests.deploy.log_tasks.log_a_student_task" in e["message"] and "succeeded" in e["message"]
               for e in worker_events)  # Celery's own lines: JSON, task name kept
    beat_events = _json_lines(beat_text)
    assert any(e["logger"].startswith("celery.beat") for e in beat_events)
    stray = next(e for e in worker_events if "a stray print" in e["message"])  # stdout goes through logging
    assert stray["message"] == "a stray print on [date]"
