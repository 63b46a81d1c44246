"""The deployment files say what docs/production.md promises. Containers cannot run here, so what compose and the
Dockerfile would do is read from the files; what the processes do is run for real in test_production_smoke.py."""

import fnmatch
import json
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_restarts_and_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        assert service.get("restart") == "unless-stopped", name
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_the_app_services_get_the_whole_env_file_and_run_through_the_entrypoint(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["env_file"] == ".env", name
        assert service["command"] == [name], name
        assert service["healthcheck"]["test"] == ["CMD", "/app/deploy/entrypoint.sh", "healthcheck", name]
        assert service["environment"]["DJANGO_ENV"] == "production"


def test_only_the_proxy_is_published_and_gunicorn_trusts_only_its_address(compose):
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert "443:443" in services["proxy"]["ports"]
    proxy_address = services["proxy"]["networks"]["backend"]["ipv4_address"]
    for name in APP_SERVICES:
        assert services[name]["environment"]["FORWARDED_ALLOW_IPS"] == proxy_address
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    assert not set(services["proxy"]) & {"env_file"}, "the proxy must not receive the app's secrets"


def test_beat_keeps_its_schedule_in_a_writable_volume(compose):
    beat = compose["services"]["beat"]
    state = beat["environment"]["IEP_STATE_DIR"]
    assert any(volume.endswith(f":{state}") for volume in beat["volumes"])
    entrypoint = (ROOT / "deploy" / "entrypoint.sh").read_text()
    assert '--schedule="$STATE_DIR/celerybeat-schedule"' in entrypoint
    assert "/app/var/state" in (ROOT / "Dockerfile").read_text()


def test_the_entrypoint_execs_every_long_running_process():
    text = (ROOT / "deploy" / "entrypoint.sh").read_text()
    for command in ("-m gunicorn", "celery --quiet -A config worker", "celery --quiet -A config beat"):
        line = next(line for line in text.splitlines() if command in line)
        assert line.strip().startswith("exec "), line
    assert os.access(ROOT / "deploy" / "entrypoint.sh", os.X_OK)


def test_dockerignore_keeps_secrets_records_and_local_state_out_of_the_image():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, p.rstrip("/")) or path.startswith(p if p.endswith("/") else p + "/")
                   for p in patterns)

    for path in (".env", ".env.production", "backups/iep-20260101-000000.dump", "var/db.sqlite3",
                 "var/media/x.pdf", ".venv/bin/python", "node_modules/htmx.org/dist/htmx.js", ".git/config",
                 "staticfiles/css/app.css", "iep-copy.dump"):
        assert ignored(path), f"{path} would be copied into the image"
    for path in ("manage.py", "config/settings.py", "deploy/entrypoint.sh", "requirements/production.txt"):
        assert not ignored(path), f"{path} is needed in the image"


def test_the_image_installs_from_the_hashed_lock_and_runs_as_its_own_user():
    text = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes -r requirements/production.txt" in text
    assert "-e ." not in text and "pyproject.toml" not in text.split("COPY . .")[0]
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in text and 'CMD ["web"]' in text
    assert "\nUSER iep\n" in text


def test_the_lock_files_match_pyproject_and_pin_every_package_with_hashes():
    assert subprocess.run([sys.executable, "scripts/lock.py", "--check"], cwd=ROOT).returncode == 0, \
        "pyproject.toml changed: run `make lock` and commit requirements/"
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for lock, wanted in (("production.txt", project["dependencies"]),
                         ("dev.txt", project["dependencies"] + project["optional-dependencies"]["dev"])):
        text = (ROOT / "requirements" / lock).read_text()
        entries = [block for block in text.split("\n") if block and not block.startswith((" ", "#"))]
        assert entries and all("\\" in entry for entry in entries), f"{lock}: an entry without hashes"
        for requirement in wanted:
            name, version = requirement.split("==")
            name = name.split("[")[0].lower().replace("_", "-")
            assert f"\n{name}=={version} " in text.lower() or f"\n{name}=={version}\n" in text.lower(), \
                f"{lock} does not pin {requirement}"
    assert "\npytest==" not in (ROOT / "requirements" / "production.txt").read_text()


def test_the_lock_check_notices_a_changed_pyproject(tmp_path, monkeypatch):
    lock = runpy.run_path(str(ROOT / "scripts" / "lock.py"))
    changed = tmp_path / "pyproject.toml"
    changed.write_text((ROOT / "pyproject.toml").read_text().replace(
        'dependencies = [\n', 'dependencies = [\n    "some-new-package==1.0",\n', 1))
    before = lock["dependencies_digest"]()
    lock["main"].__globals__["PYPROJECT"] = changed
    try:
        assert lock["dependencies_digest"]() != before
        assert lock["stale"]() == [lock["DEV"], lock["PRODUCTION"]]
    finally:
        lock["main"].__globals__["PYPROJECT"] = ROOT / "pyproject.toml"


def _make_n(*args: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEMO", "MAKEFLAGS")}
    environment.update(env)
    result = subprocess.run(["make", "-n", "--no-print-directory", "db", *args], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_seeds_the_demo_only_into_the_default_sqlite_file_unless_demo_1():
    assert "seed_demo --if-empty" in _make_n()
    named = _make_n(DATABASE_URL="postgres://postgres@127.0.0.1:5432/iep_district")
    assert "seed_demo" not in named and "not seeding the demo district" in named
    assert "seed_demo --if-empty" in _make_n(DATABASE_URL="postgres://postgres@127.0.0.1:5432/iep_x", DEMO="1")


def test_make_and_ci_install_from_the_lock_and_ci_installs_the_proxy():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile and "LOCK := requirements/dev.txt" in makefile
    assert "-e '.[dev]'" not in makefile and "\nlock: " in makefile
    ci = (ROOT / ".ci" / "run").read_text()
    assert "need+=(caddy)" in ci and "make test" in ci


def _production_settings() -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
            "'middleware': s.MIDDLEWARE, 'exempt': s.SECURE_REDIRECT_EXEMPT, 'storage': s.STORAGES['staticfiles'],"
            "'proxy_header': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
            "'hijack': s.CELERY_WORKER_HIJACK_ROOT_LOGGER}))")
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(DJANGO_ENV="production", SECRET_KEY="s" * 60, ALLOWED_HOSTS="iep.example.org",
               DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_serves_static_files_and_lets_the_health_probe_in_over_http():
    production = _production_settings()
    middleware = production["middleware"]
    assert middleware[middleware.index("django.middleware.security.SecurityMiddleware") + 1] == \
        "whitenoise.middleware.WhiteNoiseMiddleware"
    assert production["storage"]["BACKEND"] == "config.storage.StaticFilesStorage"
    assert production["exempt"] == [r"^healthz$"]
    assert production["proxy_header"] is None  # gunicorn decides, from the proxy's address only
    assert production["hijack"] is False


@pytest.mark.django_db
def test_the_health_probe_is_answered_over_plain_http_while_pages_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = _production_settings()["exempt"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


@pytest.mark.skipif(shutil.which("caddy") is None, reason="needs caddy to parse the Caddyfile")
def test_the_caddyfile_buffers_requests_for_the_web_service_as_compose_configures_it():
    env = {**os.environ, "IEP_SITE_ADDRESS": "iep.example.org", "IEP_TLS": "it@example.org",
           "IEP_UPSTREAM": "web:8000", "IEP_PROXY_HEALTH": ":2080"}
    result = subprocess.run(["caddy", "adapt", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter",
                             "caddyfile"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    text = json.dumps(config)
    assert '"buffer_requests": true' in text and '"dial": "web:8000"' in text and "iep.example.org" in text
    assert config["admin"]["disabled"] is True
    servers = config["apps"]["http"]["servers"]
    assert all(server.get("read_header_timeout") for server in servers.values())
