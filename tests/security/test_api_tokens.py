"""Personal access tokens for the API: hashed, expiring, revocable, named, shown once (docs/security.md)."""

import hashlib
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_create

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def refused(response) -> bool:
    """Authentication failed (403: the session scheme comes first and sends no challenge) and said why."""
    return response.status_code == 403 and "expired or was revoked" in response.json()["detail"]


def _bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_token_is_created_on_the_account_page_shown_once_used_and_revoked(client, personas):
    user = personas["team_teacher"]
    client.force_login(user)
    created = client.post("/account/tokens/", {"name": "roster script", "days": "30"})
    assert created.status_code == 201
    token = re.search(r'id="new-token"[^>]*value="(iep_[^"]+)"', created.content.decode()).group(1)
    row = ApiToken.objects.get(user=user)
    assert row.name == "roster script" and row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiToken.objects.filter(pk=row.pk).values().first())  # only the hash is stored
    assert timedelta(days=29) < row.expires_at - timezone.now() <= timedelta(days=30)
    listing = client.get("/account/tokens/").content.decode()
    assert "roster script" in listing and f"iep_{row.prefix}_" in listing and token not in listing

    api = _bearer(token)
    response = api.get(f"/api/students/{personas['student'].pk}/")
    assert response.status_code == 200 and response.json()["id"] == personas["student"].pk
    row.refresh_from_db()
    assert row.last_used_at is not None
    assert api.get(f"/api/students/{personas['student'].pk}/")["Cache-Control"].startswith("max-age=0")

    assert client.post(f"/account/tokens/{row.pk}/revoke/").status_code == 302
    assert refused(_bearer(token).get("/api/students/"))


def test_an_expired_token_or_a_forged_one_is_refused(personas):
    row, token = api_token_create(user=personas["team_teacher"], name="old", days=1,
                                  now=timezone.now() - timedelta(days=2))
    assert refused(_bearer(token).get("/api/students/"))
    assert refused(_bearer(token[:-2] + "xx").get("/api/students/"))
    _row, fresh = api_token_create(user=personas["team_teacher"], name="new", days=1)
    assert _bearer(fresh).get("/api/students/").status_code == 200


def test_a_token_of_a_deactivated_user_stops_working(personas):
    user = personas["team_teacher"]
    _row, token = api_token_create(user=user, name="x", days=30)
    user.is_active = False
    user.save()
    assert refused(_bearer(token).get("/api/students/"))


def test_someone_elses_token_cannot_be_revoked_or_seen(client, personas):
    row, _token = api_token_create(user=personas["team_teacher"], name="mine", days=30)
    client.force_login(personas["district_admin"])
    assert client.post(f"/account/tokens/{row.pk}/revoke/").status_code == 404
    assert "mine" not in client.get("/account/tokens/").content.decode()
    row.refresh_from_db()
    assert row.revoked_at is None


@pytest.mark.parametrize("data", [{"name": "", "days": "30"}, {"name": "x", "days": "9999"}, {"name": "x" * 101}])
def test_bad_token_requests_are_refused_with_messages(client, personas, data):
    client.force_login(personas["team_teacher"])
    response = client.post("/account/tokens/", data)
    assert response.status_code == 400 and "usa-error-message" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_writes_are_throttled(client, personas, settings):
    settings.IEP_API_WRITE_RATE = "2/minute"
    from django.core.cache import cache

    cache.clear()
    _row, token = api_token_create(user=personas["team_teacher"], name="t", days=1)
    api = _bearer(token)
    statuses = [api.post("/api/timeline-events/", {}, format="json").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    assert api.get("/api/students/").status_code == 200  # reads are not throttled


def _production(code: str, **extra: str) -> str:
    environment = {**os.environ, **extra, "DJANGO_ENV": "production", "SECRET_KEY": "x" * 50,
                   "ALLOWED_HOSTS": "iep.example.org", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_has_no_basic_auth_no_browsable_api_and_private_docs():
    printed = _production("from rest_framework.settings import api_settings as a;"
                          " from django.conf import settings as s;"
                          " print([c.__name__ for c in a.DEFAULT_AUTHENTICATION_CLASSES],"
                          " [c.__name__ for c in a.DEFAULT_RENDERER_CLASSES], s.IEP_API_DOCS_PUBLIC)")
    assert printed == "['SessionAuthentication', 'ApiTokenAuthentication'] ['JSONRenderer'] False"


def test_docs_and_schema_need_sign_in_when_not_public(client, personas, settings):
    settings.IEP_API_DOCS_PUBLIC = False
    assert client.get("/api/schema/").status_code == 403
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    client.force_login(personas["team_teacher"])
    assert client.get("/api/schema/").status_code == 200 and client.get("/api/docs/").status_code == 200


def test_basic_auth_is_refused_where_the_district_turned_passwords_off_tokens_keep_working(personas):
    from signin.models import DistrictSignIn

    user = personas["team_teacher"]
    basic = APIClient()
    basic.credentials(HTTP_AUTHORIZATION="Basic " + __import__("base64").b64encode(
        f"{user.username}:correct horse battery staple".encode()).decode())
    assert basic.get("/api/students/").status_code == 200  # passwords allowed (the default): Basic works
    DistrictSignIn.objects.create(district=user.district, passwords_allowed=False)
    response = basic.get("/api/students/")
    assert response.status_code in (401, 403) and "single sign-on" in response.json()["detail"]
    _row, token = api_token_create(user=user, name="script", days=30)
    assert _bearer(token).get("/api/students/").status_code == 200
