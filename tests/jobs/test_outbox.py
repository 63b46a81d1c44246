import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from iep.models import RenderedDocument
from iep.pdf.sample import sample_iep
from jobs.models import OutboxMessage
from jobs.services import outbox_dispatch
from tests.factories import StudentFactory, UserFactory
from tests.timelines.factories import ma_year
from timelines.models import Deadline, TimelineEvent
from timelines.services import timeline_event_record

FAST = 1.5  # seconds: a save while Redis is down takes no longer than this


def _wait(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


@pytest.mark.django_db
def test_the_outbox_row_rolls_back_with_the_change():
    student, user = StudentFactory(), UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        timeline_event_record(student=student, key="records_requested", on=timezone.localdate(), user=user)
        assert OutboxMessage.objects.filter(task="timelines.tasks.deadlines_recompute_task").count() == 1
        raise RuntimeError("the save fails after the event was written")
    assert not TimelineEvent.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_outbox_row_is_written_in_the_same_transaction_as_the_event():
    student = StudentFactory()
    event = timeline_event_record(student=student, key="records_requested", on=timezone.localdate(),
                                  user=UserFactory())
    row = OutboxMessage.objects.get()  # not committed yet: the test's transaction holds both
    assert (row.task, row.args, row.status) == ("timelines.tasks.deadlines_recompute_task", [[student.pk]], "pending")
    assert event.pk


@pytest.mark.django_db(transaction=True)
def test_without_redis_eager_mode_sends_and_runs_the_outbox_row_at_commit():
    student = StudentFactory()
    ma_year(student.district, timezone.localdate().year - 1)
    ma_year(student.district, timezone.localdate().year)
    timeline_event_record(student=student, key="records_requested", on=timezone.localdate(), user=UserFactory())
    assert OutboxMessage.objects.filter(task="timelines.tasks.deadlines_recompute_task").get().status == "done"
    assert Deadline.objects.filter(student=student, key="records_access").exists()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_while_redis_is_down_saving_is_fast_and_the_work_is_done_when_redis_returns(require_postgres, own_redis,
                                                                                      celery_on, personas):
    # PostgreSQL: on SQLite's shared in-memory test database the worker thread meets "database table is locked"
    student, chair = personas["student"], personas["team_chair"]
    ma_year(student.district, timezone.localdate().year - 1)
    ma_year(student.district, timezone.localdate().year)
    iep = sample_iep(student=student, user=chair, goals=1, lines=1)
    OutboxMessage.objects.all().delete()  # what the fixtures asked for while Celery was eager
    client = APIClient()
    client.force_authenticate(chair)

    # Redis is down (own_redis not started): an event and a PDF request each save at normal speed.
    started = time.perf_counter()
    timeline_event_record(student=student, key="records_requested", on=timezone.localdate(), user=chair)
    event_seconds = time.perf_counter() - started
    started = time.perf_counter()
    response = client.post(f"/api/ieps/{iep.pk}/documents/", {"kind": "summary"}, format="json")
    pdf_seconds = time.perf_counter() - started
    print(f"Redis down: event saved in {event_seconds:.3f} s, PDF requested in {pdf_seconds:.3f} s")
    assert response.status_code == 202, response.content
    assert event_seconds < FAST and pdf_seconds < FAST
    pending = OutboxMessage.objects.filter(status="pending")
    assert sorted(pending.values_list("task", flat=True)) == ["iep.tasks.iep_pdf_render_task",
                                                              "timelines.tasks.deadlines_recompute_task"]
    assert all(row.send_attempts == 1 and row.last_error for row in pending)
    assert not Deadline.objects.filter(student=student, key="records_access").exists()
    started = time.perf_counter()
    assert outbox_dispatch() == 0  # still down: the dispatcher fails fast too, rows stay pending
    assert time.perf_counter() - started < FAST and pending.count() == 2

    # Redis comes back: the dispatcher sends both, and a real worker does the work.
    own_redis.start()
    with start_worker(celery_on, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert outbox_dispatch() == 2
        assert _wait(lambda: Deadline.objects.filter(student=student, key="records_access").exists())
        document = RenderedDocument.objects.get(pk=response.json()["id"])
        assert _wait(lambda: RenderedDocument.objects.get(pk=document.pk).status == "ready", seconds=60)
        # the worker, not the publish, says a job is done
        assert _wait(lambda: set(OutboxMessage.objects.values_list("status", flat=True)) == {"done"}, seconds=10)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_dispatch_command_reports_pending_rows_while_redis_is_down(own_redis, celery_on):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    timeline_event_record(student=StudentFactory(), key="records_requested", on=timezone.localdate(),
                          user=UserFactory())
    with pytest.raises(CommandError, match="1 jobs still pending"):
        call_command("outbox_dispatch")
    own_redis.start()
    call_command("outbox_dispatch")
    assert OutboxMessage.objects.get().status == "sent"  # published; no worker has started it yet


@pytest.fixture
def hung_broker():
    """A TCP server that accepts connections and never answers: a Redis that hangs instead of refusing."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.mark.django_db(transaction=True)
def test_a_hung_broker_costs_a_save_at_most_the_socket_timeout(hung_broker):
    from config.celery import app

    saved = {name: app.conf[name] for name in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=hung_broker)
    app._pool, app.amqp._producer_pool = None, None
    try:
        started = time.perf_counter()
        timeline_event_record(student=StudentFactory(), key="records_requested", on=timezone.localdate(),
                              user=UserFactory())
        seconds = time.perf_counter() - started
    finally:
        app.conf.update(saved)
        app._pool, app.amqp._producer_pool = None, None
    print(f"hung broker: event saved in {seconds:.3f} s")
    assert seconds < 3.5  # socket_timeout 2 s + connect; never the default wait-forever
    assert OutboxMessage.objects.get().status == "pending"
