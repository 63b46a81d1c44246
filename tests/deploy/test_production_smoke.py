"""The production stack, run for real on loopback: what docker-compose.yml runs, without containers.

Caddy (Debian's package) terminates TLS with a certificate made here and proxies to gunicorn with
DJANGO_ENV=production; a Celery worker and beat run beside it; all of them start through deploy/entrypoint.sh
(the image's entrypoint) and deploy/Caddyfile (the proxy's configuration), as a non-root user, on free ports,
against a database and a redis-server of the test's own. Outside CI it skips only when caddy (or PostgreSQL,
redis-server) is missing; in CI it fails instead. See docs/production.md.
"""

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import requests

from tests.conftest import _unavailable
from tests.deploy.processes import app_dir, as_app_user
from tests.jobs.conftest import OwnRedis

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = str(ROOT / "deploy" / "entrypoint.sh")
PASSWORD = "smoke-test-Pass-2026"
pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


class Stack:
    """The processes and their logs; `env` is what compose's env_file + environment give the app."""

    def __init__(self, state: Path, database_url: str, redis_url: str):
        self.state, self.processes, self.logs = state, {}, {}
        self.https_port, self.http_port, self.health_port, self.gunicorn_port = (_free_port() for _ in range(4))
        self.base = f"https://localhost:{self.https_port}"
        self.cert, key = state / "cert.pem", state / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-addext",
                        "keyUsage=digitalSignature,keyEncipherment,keyCertSign", "-addext",
                        "extendedKeyUsage=serverAuth", "-keyout", str(key), "-out", str(self.cert)],
                       check=True, capture_output=True)
        self.env = {
            "PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(state), "PYTHONDONTWRITEBYTECODE": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": "production",
            "SECRET_KEY": "smoke-" + "k" * 60, "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": database_url, "REDIS_URL": redis_url, "MEDIA_ROOT": str(state / "media"),
            "STATIC_ROOT": str(state / "static"), "IEP_STATE_DIR": str(state / "beat"),
            "GUNICORN_BIND": f"127.0.0.1:{self.gunicorn_port}", "GUNICORN_WORKERS": "2",
            "FORWARDED_ALLOW_IPS": "127.0.0.1", "IEP_PYTHON": sys.executable, "CELERY_CONCURRENCY": "1",
            "OUTBOX_SWEEP_SECONDS": "2",
            # the proxy's
            "IEP_SITE_ADDRESS": self.base, "IEP_TLS": f"{self.cert} {key}",
            "IEP_UPSTREAM": f"127.0.0.1:{self.gunicorn_port}", "IEP_PROXY_HEALTH": f"127.0.0.1:{self.health_port}",
            "IEP_HTTP_PORT": str(self.http_port), "IEP_HTTPS_PORT": str(self.https_port),
            "IEP_CADDY_OPTIONS": "default_bind 127.0.0.1",
            "XDG_DATA_HOME": str(state / "caddy"), "XDG_CONFIG_HOME": str(state / "caddy"),
        }
        self.user = as_app_user()

    def start(self, name: str, *command: str) -> subprocess.Popen:
        log = open(self.state / f"{name}.log", "w")  # noqa: SIM115 (closed in stop)
        self.logs[name] = log
        process = subprocess.Popen([*self.user, *command], cwd=ROOT, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.processes[name] = process
        return process

    def run(self, *command: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([*self.user, *command], cwd=ROOT, env=self.env, input=stdin, capture_output=True,
                              text=True, timeout=300)

    def log(self, name: str) -> str:
        return (self.state / f"{name}.log").read_text()

    def alive(self, name: str) -> None:
        assert self.processes[name].poll() is None, f"{name} exited:\n{self.log(name)[-3000:]}"

    def stop(self) -> None:
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            self.logs[name].close()


@pytest.fixture(scope="module")
def database_url():
    """A database of this test's own on the configured PostgreSQL server, created empty and dropped after."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        _unavailable("needs PostgreSQL: set DATABASE_URL=postgres://...")
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'iep'}_smoke"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))

    def drop(conn):
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    with psycopg.connect(admin, autocommit=True) as conn:
        drop(conn)
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        drop(conn)


@pytest.fixture(scope="module")
def stack(database_url):
    for program, package in (("caddy", "caddy"), ("openssl", "openssl"), ("redis-server", "redis-server")):
        if shutil.which(program) is None:
            _unavailable(f"needs {program} (apt-get install {package}); .ci/run installs it")
    state = app_dir("media", "beat", "caddy")
    redis_server = OwnRedis(state)
    redis_server.start()
    stack = Stack(state, database_url, redis_server.url)
    if os.getuid() == 0:
        (state / "key.pem").chmod(0o644)  # a throwaway key, readable by the proxy's user
    try:
        # the image's build step, then the services in compose's order: web (migrates), proxy, worker, beat
        collected = subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT,
                                   env=stack.env, capture_output=True, text=True, timeout=300)
        assert collected.returncode == 0, collected.stderr
        stack.start("web", ENTRYPOINT, "web")
        stack.start("proxy", "caddy", "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter",
                    "caddyfile")

        def web_up():
            stack.alive("web")
            stack.alive("proxy")
            try:
                return requests.get(f"{stack.base}/healthz", verify=stack.cert, timeout=5).status_code == 200
            except requests.RequestException:
                return False

        _wait(web_up, 240, "web to migrate and answer /healthz through the proxy")
        stack.start("worker", ENTRYPOINT, "worker", "--without-gossip", "--without-mingle")
        stack.start("beat", ENTRYPOINT, "beat")
        yield stack
    finally:
        stack.stop()
        redis_server.stop()
        shutil.rmtree(state, ignore_errors=True)


def _json_lines(text: str) -> list[dict]:
    """Every line must be one JSON object: a plain-text line is a log format defect."""
    events = []
    for line in text.splitlines():
        if line.strip():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                raise AssertionError(f"not a JSON log line: {line!r}") from None
    return events


def test_healthz_passes_through_the_proxy_over_https(stack):
    response = requests.get(f"{stack.base}/healthz", verify=stack.cert, timeout=10)
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    # plain HTTP on the proxy is redirected to HTTPS
    plain = requests.get(f"http://localhost:{stack.http_port}/healthz", allow_redirects=False, timeout=10)
    assert plain.status_code in (301, 308) and plain.headers["Location"].startswith("https://localhost")


def test_sign_in_over_https_and_the_page_has_its_css_and_javascript(stack):
    created = stack.run(ENTRYPOINT, "manage", "create_district", "--name", "Smoke Test Public Schools",
                        "--org-code", "09876543", "--admin-username", "smoke.admin", "--admin-first-name", "Smoke",
                        "--admin-last-name", "Admin", "--admin-email", "smoke@example.org", "--password-stdin",
                        stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    session = requests.Session()
    session.verify, session.trust_env = stack.cert, False  # not REQUESTS_CA_BUNDLE from the environment
    login = session.get(f"{stack.base}/accounts/login/", timeout=10)
    assert login.status_code == 200
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', login.text)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets), assets
    for asset in assets:
        served = session.get(stack.base + asset, timeout=10, headers={"Accept-Encoding": "gzip"})
        assert served.status_code == 200 and len(served.content) > 100, asset
        assert ("css" if asset.endswith(".css") else "javascript") in served.headers["Content-Type"], asset
        assert "max-age=315360000" in served.headers.get("Cache-Control", ""), asset  # hashed name: cached
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    signed_in = session.post(f"{stack.base}/accounts/login/", timeout=10, allow_redirects=False,
                             data={"csrfmiddlewaretoken": token, "username": "smoke.admin", "password": PASSWORD},
                             headers={"Referer": f"{stack.base}/accounts/login/"})
    assert signed_in.status_code == 302, signed_in.text[:500]
    assert "Secure" in signed_in.headers["Set-Cookie"] and "HttpOnly" in signed_in.headers["Set-Cookie"]
    # a district administrator sets up two-factor sign-in first: that page, signed in, over HTTPS
    landing = session.get(stack.base + signed_in.headers["Location"], timeout=10)
    assert landing.status_code == 200 and landing.url.startswith(f"{stack.base}/account/2fa/"), landing.url
    assert "csrfmiddlewaretoken" in landing.text and "/accounts/logout/" in landing.text


def test_beat_runs_the_outbox_sweep_and_the_worker_does_the_job(stack):
    import psycopg

    with psycopg.connect(stack.env["DATABASE_URL"], autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO jobs_outboxmessage (task, args, status, send_attempts, last_error, created_at) "
            "VALUES ('jobs.tasks.outbox_purge_task', '[]', 'pending', 0, '', now()) RETURNING id").fetchone()[0]

        def swept():
            stack.alive("beat")
            stack.alive("worker")
            status = conn.execute("SELECT status FROM jobs_outboxmessage WHERE id = %s", [row]).fetchone()[0]
            return status != "pending"

        _wait(swept, 60, "beat's outbox sweep to send the pending row")
    _wait(lambda: "outbox_purge_task" in stack.log("worker") and "succeeded" in stack.log("worker"), 60,
          "the worker to run the job")
    schedule = [p for p in (stack.state / "beat").iterdir() if p.name.startswith("celerybeat-schedule")]
    assert schedule, "beat wrote no schedule file in its state folder"
    assert "jobs.tasks.outbox_dispatch_task" in stack.log("beat")


def test_the_compose_healthchecks_pass(stack):
    _wait(lambda: "outbox_dispatch_task" in stack.log("beat"), 60, "beat to send a task")
    for service in ("web", "worker", "beat"):
        result = stack.run(ENTRYPOINT, "healthcheck", service)
        assert result.returncode == 0, f"{service}: {result.stdout}{result.stderr}"
    with socket.create_connection(("127.0.0.1", stack.health_port), timeout=5) as probe:
        probe.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        assert probe.recv(100).startswith(b"HTTP/1.0 200")


def _slow_clients(port: int, tls: bool) -> list[socket.socket]:
    """Two clients that send half their headers and two that send half their body, then stall."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    stalled = []
    for partial in [b"GET /accounts/login/ HTTP/1.1\r\nHost: localhost\r\nX-Slow: "] * 2 + [
            b"POST /accounts/login/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nContent-Length: 5000\r\n\r\nusername=slo"] * 2:
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        client = context.wrap_socket(raw, server_hostname="localhost") if tls else raw
        client.sendall(partial)
        stalled.append(client)
    return stalled


def test_slow_clients_do_not_block_others(stack):
    # Straight at gunicorn (2 sync workers), four stalled clients do block a normal request: the test's clients
    # really are slow. Through the proxy, the same clients block nothing.
    stalled = _slow_clients(stack.gunicorn_port, tls=False)
    try:
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(f"http://127.0.0.1:{stack.gunicorn_port}/healthz", headers={"Host": "localhost"}, timeout=3)
    finally:
        for client in stalled:
            client.close()
    stalled = _slow_clients(stack.https_port, tls=True)
    try:
        started = time.monotonic()
        for _ in range(5):  # each answered (within 10 s even on a loaded machine), none waits for the stalled
            assert requests.get(f"{stack.base}/healthz", verify=stack.cert, timeout=10).status_code == 200
        assert time.monotonic() - started < 15
    finally:
        for client in stalled:
            client.close()


def test_gunicorn_trusts_forwarded_headers_only_from_the_proxy(stack):
    # From another loopback address, "X-Forwarded-Proto: https" is not believed: Django redirects to HTTPS.
    with socket.create_connection(("127.0.0.1", stack.gunicorn_port), timeout=5,
                                  source_address=("127.0.0.2", 0)) as direct:
        direct.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Proto: https\r\n"
                       b"Connection: close\r\n\r\n")
        status_line = direct.recv(200).split(b"\r\n", 1)[0]
    assert status_line.split()[1] == b"301", status_line
    # through the proxy the same page is served over HTTPS
    assert requests.get(f"{stack.base}/accounts/login/", verify=stack.cert, timeout=10).status_code == 200


def test_every_log_line_is_json_and_a_crafted_url_forges_nothing(stack):
    name = "Quillfeather"
    crafted = '/students/x","status":200,"forged":"yes\n{"level":"ERROR"}/2014-07-09'
    response = requests.get(f"{stack.base}{urllib.parse.quote(crafted)}?q={name}", verify=stack.cert, timeout=10)
    assert response.status_code == 404

    def logged():
        events = _json_lines(stack.log("web"))
        return [e for e in events if e.get("logger") == "gunicorn.access" and "forged" in e.get("path", "")]

    access = _wait(logged, 10, "the access-log line of the crafted request")
    assert len(access) == 1
    assert access[0]["path"] == crafted.replace("2014-07-09", "[date]") and access[0]["status"] == 404
    assert "forged" not in access[0] or access[0]["forged"] != "yes"
    for service in ("web", "worker", "beat"):
        text = stack.log(service)
        events = _json_lines(text)
        assert events, f"{service} logged nothing"
        assert name not in text and "2014-07-09" not in text, f"{service} logged a name or a date"
    assert {"gunicorn.error", "gunicorn.access", "django.request"} <= {e["logger"] for e in _json_lines(
        stack.log("web"))}
    assert any(e["logger"].startswith("celery") for e in _json_lines(stack.log("worker")))
    assert any(e["logger"].startswith("celery") for e in _json_lines(stack.log("beat")))


def test_gunicorn_is_the_process_that_stops_cleanly_on_sigterm(stack):
    web = stack.processes["web"]
    command = Path(f"/proc/{web.pid}/cmdline").read_bytes().replace(b"\0", b" ")
    assert b"gunicorn" in command, command  # the entrypoint exec'd: gunicorn is PID 1 of the container
    os.kill(web.pid, signal.SIGTERM)
    assert web.wait(timeout=40) == 0
    assert "Shutting down: Master" in stack.log("web")

