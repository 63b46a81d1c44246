"""Behind a trusted proxy the lockout keys on the forwarded client address (django-ipware, TRUSTED_PROXY_COUNT)."""

import importlib.util

import pytest

from accounts.models import AccessLogEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"  # every request reaches the app from the proxy


def _sign_in(client, username, password, forwarded):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=PROXY,
                       HTTP_X_FORWARDED_FOR=forwarded)


def test_ipware_is_installed_because_it_is_declared():
    assert importlib.util.find_spec("ipware") is not None


def test_a_lockout_behind_the_proxy_pauses_one_client_address_not_the_proxy(client, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0  # what TRUSTED_PROXY_COUNT=1 (one proxy, e.g. Caddy) sets
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    user = UserFactory()
    for _ in range(5):
        _sign_in(client, user.username, "wrong password", "93.184.216.34")
    assert _sign_in(client, user.username, "correct horse battery staple", "93.184.216.34").status_code == 429
    # the same username from another building behind the same proxy is not paused
    assert _sign_in(client, user.username, "correct horse battery staple", "151.101.1.69").status_code == 302


def test_the_access_log_records_the_forwarded_address(client, settings, personas):
    settings.AXES_IPWARE_PROXY_COUNT = 0  # what TRUSTED_PROXY_COUNT=1 (one proxy, e.g. Caddy) sets
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    client.force_login(personas["team_teacher"])
    client.get(f"/students/{personas['student'].pk}/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="93.184.216.34")
    assert AccessLogEntry.objects.filter(student=personas["student"]).latest("pk").ip == "93.184.216.34"


def test_one_trusted_proxy_in_the_environment_configures_ipware_and_drf():
    from tests.security.test_api_tokens import _production

    printed = _production("from django.conf import settings as s; print(s.AXES_IPWARE_PROXY_COUNT,"
                          " s.AXES_IPWARE_META_PRECEDENCE_ORDER[0], s.REST_FRAMEWORK['NUM_PROXIES'])",
                          TRUSTED_PROXY_COUNT="1")
    assert printed == "0 HTTP_X_FORWARDED_FOR 1"
