"""The outbox does not trust a publish: a job is done when its worker says so, a published message that never
reaches a worker is re-sent by the sweep, a document stuck in "queued" is requeued when asked again, retries back
off and their counters end, and /healthz shows the backlog and the nightly jobs' last runs."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError
from django.utils import timezone
from rest_framework.test import APIClient

from iep.models import RenderedDocument
from iep.pdf.sample import sample_iep
from jobs.models import JobRun, OutboxMessage, TaskDelivery
from jobs.services import outbox_sweep, retry_countdown
from tests.timelines.factories import ma_year


def _wait(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


@pytest.fixture
def iep(personas):
    student = personas["student"]
    ma_year(student.district, timezone.localdate().year - 1)
    ma_year(student.district, timezone.localdate().year)
    return sample_iep(student=student, user=personas["team_chair"], goals=1, lines=1)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_published_message_that_is_dropped_is_resent_by_the_sweep_and_done_once(
        require_postgres, own_redis, celery_on, iep, personas):
    import redis

    OutboxMessage.objects.all().delete()
    own_redis.start()
    response = _api(personas["team_chair"]).post(f"/api/ieps/{iep.pk}/documents/", {"kind": "summary"},
                                                 format="json")
    assert response.status_code == 202
    row = OutboxMessage.objects.get(task="iep.tasks.iep_pdf_render_task")
    assert row.status == "sent"  # published: Redis took it
    assert redis.Redis.from_url(own_redis.url).delete("celery") == 1  # ... and lost it before any worker came

    with start_worker(celery_on, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        time.sleep(1.5)
        row.refresh_from_db()
        assert row.status == "sent" and row.started_at is None  # not done: nobody said so
        assert outbox_sweep() == 0  # within the bound: nothing re-sent yet
        assert outbox_sweep(now=timezone.now() + timedelta(minutes=6)) == 1  # past it: re-sent
        assert _wait(lambda: OutboxMessage.objects.get(pk=row.pk).status == "done")
    row.refresh_from_db()
    document = RenderedDocument.objects.get(pk=response.json()["id"])
    assert document.status == "ready" and document.attempts == 1
    assert row.send_attempts == 2 and row.started_at and row.done_at  # delivery counted as every send is


@pytest.mark.django_db
def test_asking_again_for_a_document_stuck_in_queued_requeues_it(iep, personas, settings,
                                                                 django_capture_on_commit_callbacks):
    client = _api(personas["team_chair"])
    first = client.post(f"/api/ieps/{iep.pk}/documents/", {"kind": "summary"}, format="json").json()
    # its message was lost: the document sits in "queued" (Celery runs eagerly here, so put it back by hand)
    RenderedDocument.objects.filter(pk=first["id"]).update(status="queued", file="", sha256="")
    RenderedDocument.objects.filter(pk=first["id"]).update(updated_at=timezone.now() - timedelta(seconds=5))
    settings.IEP_PDF_REQUEUE_AFTER_SECONDS = 60
    again = client.post(f"/api/ieps/{iep.pk}/documents/", {"kind": "summary"}, format="json")
    assert again.json()["id"] == first["id"] and again.json()["status"] == "queued"  # too recent: same job
    sends = OutboxMessage.objects.filter(task="iep.tasks.iep_pdf_render_task").count()
    RenderedDocument.objects.filter(pk=first["id"]).update(updated_at=timezone.now() - timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit (eagerly here)
        again = client.post(f"/api/ieps/{iep.pk}/documents/", {"kind": "summary"}, format="json")
    assert again.json()["id"] == first["id"]
    assert OutboxMessage.objects.filter(task="iep.tasks.iep_pdf_render_task").count() == sends + 1
    assert RenderedDocument.objects.get(pk=first["id"]).status == "ready"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_retries_back_off_as_documented_and_each_attempt_counter_ends(
        require_postgres, own_redis, celery_on, iep, personas, monkeypatch):
    from iep import tasks

    real_render, calls = tasks.document_render, []

    def flaky_render(*, document_id):  # the database drops the connection on the first two attempts
        calls.append(time.monotonic())
        if len(calls) <= 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real_render(document_id=document_id)

    monkeypatch.setattr(tasks, "document_render", flaky_render)
    own_redis.start()
    with start_worker(celery_on, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = _api(personas["team_chair"]).post(f"/api/ieps/{iep.pk}/documents/", {"kind": "full"},
                                                     format="json")
        document = response.json()["id"]
        assert _wait(lambda: RenderedDocument.objects.get(pk=document).status == "ready", seconds=30)
    gaps = [round(later - earlier, 2) for earlier, later in zip(calls, calls[1:], strict=False)]
    print(f"attempts {len(calls)}, gaps {gaps} s")
    assert len(calls) == 3
    assert gaps[0] >= retry_countdown(0) and gaps[1] >= retry_countdown(1)  # 1 s, then 2 s
    counters = dict(TaskDelivery.objects.filter(task="iep.tasks.iep_pdf_render_task")
                    .values_list("key", "status"))
    assert sorted(counters.values()) == ["done", "retried", "retried"], counters  # none left "running"
    assert OutboxMessage.objects.get(task="iep.tasks.iep_pdf_render_task").status == "done"


def test_backoff_doubles_and_is_capped():
    assert [retry_countdown(n) for n in range(5)] == [1, 2, 4, 8, 16]
    assert retry_countdown(20) == 600


@pytest.mark.django_db
def test_healthz_reports_the_oldest_open_job_and_each_nightly_jobs_last_run(client, settings):
    from timelines.tasks import deadlines_nightly_task

    body = client.get("/healthz").json()
    assert body["outbox"]["open"] == 0 and body["outbox"]["ok"] is True
    assert set(body["nightly_jobs"]) == {"timelines.tasks.deadlines_nightly_task",
                                         "timelines.tasks.deadline_snapshots_task", "jobs.tasks.outbox_purge_task",
                                         "progress.tasks.progress_deadlines_nightly_task",
                                         "signin.tasks.weekly_digest_task"}
    assert all(run is None for run in body["nightly_jobs"].values())  # never ran

    row = OutboxMessage.objects.create(task="iep.tasks.iep_pdf_render_task", args=[1], status="sent")
    OutboxMessage.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(hours=1))
    deadlines_nightly_task.apply()
    body = client.get("/healthz").json()
    assert body["outbox"]["open"] == 1 and body["outbox"]["oldest_age_seconds"] >= 3600
    assert body["outbox"]["ok"] is False and body["outbox"]["oldest_task"] == "iep.tasks.iep_pdf_render_task"
    assert any("oldest open job" in warning for warning in body["warnings"])
    nightly = body["nightly_jobs"]["timelines.tasks.deadlines_nightly_task"]
    assert nightly["succeeded"] is True and nightly["finished_at"] >= nightly["started_at"]
    assert JobRun.objects.count() == 1
    assert body["status"] == "ok"  # a backlog warns; the web app still serves


def test_a_worker_killed_as_a_whole_is_redelivered_within_minutes_by_default():
    from django.conf import settings

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    # redelivery happens visibility_timeout after the kill, found by a sweep every interval x throttle seconds
    assert options["visibility_timeout"] + options["unacked_restore_interval"] * options[
        "unacked_restore_throttle"] <= 10 * 60
