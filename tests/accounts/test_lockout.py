"""django-axes: five wrong passwords pause one username at one address for 15 minutes, nothing wider."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
SCHOOL = "203.0.113.10"  # the whole building signs in from this address


def _sign_in(client, username, password, address=SCHOOL):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail_five_times(client, username, address=SCHOOL):
    for _ in range(4):
        assert _sign_in(client, username, "wrong password", address).status_code == 200  # the form, with its error
    assert _sign_in(client, username, "wrong password", address).status_code == 429  # the fifth locks


def test_four_failures_then_the_right_password_signs_in(client):
    user = UserFactory()
    for _ in range(4):
        _sign_in(client, user.username, "wrong password")
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


def test_five_failures_lock_that_user_at_that_address_with_an_explained_page(client):
    user = UserFactory()
    _fail_five_times(client, user.username)
    locked = _sign_in(client, user.username, PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in paused for this account" in page and 'role="alert"' in page
    assert "for 15 minutes" in page and "Other accounts can still sign in" in page
    assert "_auth_user_id" not in client.session


def test_a_colleague_in_the_same_building_can_still_sign_in(client):
    locked, colleague = UserFactory(), UserFactory()
    _fail_five_times(client, locked.username)
    assert _sign_in(client, colleague.username, PASSWORD).status_code == 302


def test_the_same_user_from_another_address_is_not_locked(client):
    user = UserFactory()
    _fail_five_times(client, user.username)
    assert _sign_in(client, user.username, PASSWORD, address="198.51.100.7").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client):
    user = UserFactory()
    _fail_five_times(client, user.username)
    assert _sign_in(client, user.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=14))
    assert _sign_in(client, user.username, PASSWORD).status_code == 429  # 14 minutes: still paused
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=2))
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


def test_basic_authentication_on_the_api_is_locked_too(client):
    user = UserFactory()
    _fail_five_times(client, user.username)
    import base64

    token = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    response = client.get("/api/students/", HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR=SCHOOL)
    assert response.status_code in (401, 403, 429)
    assert client.get("/api/students/", HTTP_AUTHORIZATION=f"Basic {token}",
                      REMOTE_ADDR="198.51.100.7").status_code == 200
