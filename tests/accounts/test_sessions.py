"""Sessions end after 30 idle minutes, 12 hours after sign-in, and when the user is deactivated."""

import time

import pytest
from django.urls import path

from accounts import security
from config.urls import urlpatterns as base_urlpatterns
from config.views import healthz

pytestmark = pytest.mark.django_db

urlpatterns = [*base_urlpatterns, path("test/lock-heartbeat/", healthz, name="lock_heartbeat")]


def _age(client, *, started: float = 0, idle: float = 0) -> None:
    """Move the session's clocks into the past, as if that many seconds had gone by."""
    session = client.session
    session[security.STARTED] -= started
    session[security.LAST_ACTIVE] -= idle
    session.save()


def _signed_in(client) -> bool:
    return client.get("/students/").status_code == 200


@pytest.fixture
def teacher_client(client, personas):
    client.force_login(personas["team_teacher"])
    return client


def test_sign_in_starts_both_clocks(teacher_client):
    session = teacher_client.session
    assert abs(session[security.STARTED] - time.time()) < 5
    assert session[security.LAST_ACTIVE] == session[security.STARTED]


def test_29_idle_minutes_keep_the_session(teacher_client):
    _age(teacher_client, idle=29 * 60)
    assert _signed_in(teacher_client)


def test_31_idle_minutes_end_the_session_with_a_message(teacher_client):
    _age(teacher_client, idle=31 * 60)
    response = teacher_client.get("/students/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/?next=/students/")
    assert "period without activity" in response.content.decode()
    assert not _signed_in(teacher_client)


def test_activity_moves_the_idle_clock(teacher_client):
    _age(teacher_client, started=20 * 60, idle=20 * 60)
    assert _signed_in(teacher_client)
    _age(teacher_client, idle=20 * 60)  # 40 minutes since sign-in, 20 since the last page
    assert _signed_in(teacher_client)


def test_twelve_hours_end_the_session_even_when_busy(teacher_client):
    _age(teacher_client, started=12 * 3600 + 60)
    assert not _signed_in(teacher_client)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("url", "headers"), [("/students/", {"X-IEP-Heartbeat": "1"}),
                                              ("/test/lock-heartbeat/", {})])
def test_heartbeats_are_not_activity(teacher_client, url, headers):
    _age(teacher_client, idle=20 * 60)
    before = teacher_client.session[security.LAST_ACTIVE]
    assert teacher_client.get(url, headers=headers).status_code == 200
    assert teacher_client.session[security.LAST_ACTIVE] == before
    _age(teacher_client, idle=11 * 60)  # 31 minutes since the user last did anything
    ended = teacher_client.get(url, headers=headers)
    assert ended.status_code == 401 and ended.json() == {"detail": "Your session has ended."}
    assert not _signed_in(teacher_client)


def test_an_htmx_request_after_the_limit_sends_the_whole_page_to_sign_in(teacher_client):
    _age(teacher_client, idle=31 * 60)
    response = teacher_client.get("/students/", headers={"HX-Request": "true", "HX-Current-URL": "/students/?q=a"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fstudents%2F%3Fq%3Da"


def test_deactivating_a_user_ends_their_open_session(teacher_client, personas):
    assert _signed_in(teacher_client)
    session_key = teacher_client.session.session_key
    user = personas["team_teacher"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = teacher_client.get("/students/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert teacher_client.post("/accounts/login/", {"username": user.username,
                                                    "password": "correct horse battery staple"}).status_code == 200


def test_a_deactivated_user_loses_api_access_too(teacher_client, personas):
    personas["team_teacher"].is_active = False
    personas["team_teacher"].save(update_fields=["is_active"])
    assert teacher_client.get("/api/students/").status_code == 401
