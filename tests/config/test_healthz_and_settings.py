import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": connection.vendor, "ms": body["database"]["ms"]}


@pytest.mark.django_db
def test_healthz_reports_redis_when_configured(client, redis_url):
    body = client.get("/healthz").json()
    assert body["redis"]["ok"] is True


@pytest.mark.django_db
def test_healthz_answers_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"]["ok"] is False


def test_ci_runs_on_postgresql():
    if os.environ.get("CI") != "true":
        pytest.skip("only meaningful in CI, where DATABASE_URL points at PostgreSQL")
    assert connection.vendor == "postgresql"
    assert os.environ.get("REDIS_URL", "").startswith("redis://")


def _manage(*args, **env):
    environment = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DJANGO_ENV")}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_ENV="production",
                     SECRET_KEY="x" * 20 + "production-secret-key-for-the-check-0123456789abcdef",
                     ALLOWED_HOSTS="iep.example.org")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="iep.example.org", SECRET_KEY="")
    assert result.returncode != 0


def test_unset_secret_key_in_production_is_an_error_not_a_default():
    environment = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    environment.update(DJANGO_ENV="production", ALLOWED_HOSTS="iep.example.org")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
