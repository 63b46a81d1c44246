"""Redis stopped, and Redis hung (a server that accepts and never answers): a signed-in user signs in, reads, saves a
section and requests a PDF, each at normal speed plus at most the broker timeout; when Redis returns, the queued
work is delivered exactly once. The cache and the broker point at the test's own redis-server; the shared one is
never touched."""

import socket
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client
from django.utils import timezone

from iep.models import RenderedDocument
from iep.pdf.sample import sample_iep
from jobs.models import OutboxMessage
from jobs.services import outbox_dispatch
from tests.timelines.factories import ma_year

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def _cache_at(url: str) -> dict:
    """The configured Redis cache (its options: short timeouts), at another address."""
    return {"default": {"BACKEND": "config.cache.FailOpenRedisCache", "LOCATION": url,
                        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}


def _point_celery(app, url: str) -> None:
    app.conf.update(broker_url=url, result_backend=url)
    app._pool, app.amqp._producer_pool = None, None


def _timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def _work_as_a_signed_in_user(user, iep) -> dict[str, float]:
    """Sign in, read the IEP, save its vision section (check out, check in), request the summary PDF. Returns the
    seconds of each step; each step must succeed."""
    client = Client()
    seconds = {}
    response, seconds["sign in"] = _timed(lambda: client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}))
    assert response.status_code == 302 and "sessionid" in client.cookies, response.content[:300]
    response, seconds["read"] = _timed(lambda: client.get(f"/ieps/{iep.pk}/"))
    assert response.status_code == 200
    section = iep.sections.get(kind="vision")
    response, seconds["check out"] = _timed(lambda: client.post(f"/api/sections/{section.pk}/check-out/"))
    assert response.status_code == 200, response.content[:300]
    body = {"content": {"learn_this_year": f"saved at {time.time()}"}, "version": section.version,
            "generation": response.json()["lock"]["generation"]}
    response, seconds["save"] = _timed(lambda: client.post(f"/api/sections/{section.pk}/check-in/", body,
                                                           content_type="application/json"))
    assert response.status_code == 200, response.content[:300]
    response, seconds["PDF request"] = _timed(lambda: client.post(f"/api/ieps/{iep.pk}/documents/",
                                                                  {"kind": "summary"},
                                                                  content_type="application/json"))
    assert response.status_code == 202, response.content[:300]
    seconds["document"] = response.json()["id"]
    return seconds


@pytest.fixture
def hung_redis():
    """Accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.fixture
def iep_and_chair(personas, require_postgres):
    # PostgreSQL: the in-process worker below and the test share the database (SQLite's in-memory one would lock)
    student, chair = personas["student"], personas["team_chair"]
    ma_year(student.district, timezone.localdate().year - 1)
    ma_year(student.district, timezone.localdate().year)
    return sample_iep(student=student, user=chair, goals=1, lines=1), chair


def test_with_redis_stopped_staff_sign_in_save_and_request_a_pdf_rendered_once_redis_is_back(
        iep_and_chair, own_redis, celery_on, settings):
    iep, chair = iep_and_chair
    settings.CACHES = _cache_at(own_redis.url)  # own_redis is not started: connection refused
    OutboxMessage.objects.all().delete()
    seconds = _work_as_a_signed_in_user(chair, iep)
    document = seconds.pop("document")
    print("Redis stopped:", {step: round(value, 3) for step, value in seconds.items()})
    assert all(value < 1.5 for value in seconds.values()), seconds
    assert OutboxMessage.objects.filter(status="pending", task="iep.tasks.iep_pdf_render_task").count() == 1

    own_redis.start()  # Redis returns: the queued render is delivered, exactly once
    with start_worker(celery_on, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert outbox_dispatch() >= 1
        deadline = time.monotonic() + 60
        while RenderedDocument.objects.get(pk=document).status != "ready" and time.monotonic() < deadline:
            time.sleep(0.1)
    rendered = RenderedDocument.objects.get(pk=document)
    assert rendered.status == "ready" and rendered.attempts == 1
    assert OutboxMessage.objects.get(task="iep.tasks.iep_pdf_render_task").status == "done"


def test_with_redis_hung_each_step_costs_at_most_the_broker_timeout(iep_and_chair, celery_on, hung_redis, settings):
    iep, chair = iep_and_chair
    settings.CACHES = _cache_at(hung_redis)
    _point_celery(celery_on, hung_redis)
    seconds = _work_as_a_signed_in_user(chair, iep)
    seconds.pop("document")
    print("Redis hung:", {step: round(value, 3) for step, value in seconds.items()})
    assert all(value < 3.5 for value in seconds.values()), seconds  # the broker's socket timeout is 2 s
    assert OutboxMessage.objects.filter(status="pending", task="iep.tasks.iep_pdf_render_task").count() == 1
