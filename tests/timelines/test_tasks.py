import time
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import StudentFactory, UserFactory
from tests.timelines.factories import TimelineEventFactory, ma_year
from timelines import tasks
from timelines.models import Deadline
from timelines.services import calendar_save, student_facts_update, timeline_event_record


@pytest.mark.django_db
def test_saving_an_event_recomputes_the_student_after_commit(django_capture_on_commit_callbacks):
    student = StudentFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        timeline_event_record(student=student, key="records_requested", on=date(2025, 10, 6), user=UserFactory())
    assert len(callbacks) == 1
    assert Deadline.objects.get(student=student).due == date(2025, 10, 16)


@pytest.mark.django_db
def test_nothing_is_enqueued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        timeline_event_record(student=StudentFactory(), key="records_requested", on=date(2025, 10, 6),
                              user=UserFactory())
    assert len(callbacks) == 1  # registered for commit only; a rollback would drop it
    assert not Deadline.objects.exists()


@pytest.mark.django_db
def test_changing_facts_recomputes(django_capture_on_commit_callbacks):
    student = StudentFactory()
    TimelineEventFactory(student=student, key="team_meeting", date=date(2025, 10, 6))
    with django_capture_on_commit_callbacks(execute=True):
        student_facts_update(student=student, user=UserFactory(), eligibility="not_eligible")
    assert Deadline.objects.get(student=student).key == "ineligibility_notice"


@pytest.mark.django_db
def test_changing_a_calendar_recomputes_the_district_in_chunks(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(tasks, "CHUNK", 2)
    first = StudentFactory()
    students = [first] + [StudentFactory(school=first.school) for _ in range(4)]
    for student in students:
        TimelineEventFactory(student=student, key="referral_received", date=date(2025, 10, 6))
    year = ma_year(first.district, 2025)
    sent = []
    original = tasks.deadlines_recompute_task.delay
    monkeypatch.setattr(tasks.deadlines_recompute_task, "delay", lambda ids: sent.append(ids) or original(ids))
    with django_capture_on_commit_callbacks(execute=True):
        year.closed = [*year.closed, {"start": "2025-10-07", "end": "2025-10-07", "description": "Snow day"}]
        calendar_save(calendar=year)
    assert [len(chunk) for chunk in sent] == [2, 2, 1]
    assert set(Deadline.objects.values_list("due", flat=True)) == {date(2025, 10, 15)}  # one day later


@pytest.mark.django_db
def test_nightly_job_covers_every_active_student(monkeypatch):
    students = [StudentFactory() for _ in range(3)]
    students[2].active = False
    students[2].save()
    for student in students:
        TimelineEventFactory(student=student, key="records_requested", date=date(2025, 10, 6))
    assert tasks.deadlines_nightly_task.delay().get() == 1
    assert set(Deadline.objects.values_list("student_id", flat=True)) == {students[0].pk, students[1].pk}


def test_tasks_are_late_acknowledged_and_retry_a_limited_number_of_times():
    for task in (tasks.deadlines_recompute_task, tasks.deadlines_recompute_district_task,
                 tasks.deadlines_nightly_task):
        assert task.acks_late is True and task.max_retries == 5


def test_the_nightly_job_is_scheduled_at_two_in_the_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["timelines-nightly-deadlines"]
    assert entry["task"] == "timelines.tasks.deadlines_nightly_task"
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "America/New_York"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_recomputes_after_an_event_is_saved(redis_url):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    student = StudentFactory()
    ma_year(student.district, timezone.localdate().year - 1)
    ma_year(student.district, timezone.localdate().year)
    saved = {name: app.conf[name] for name in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
    try:
        with app.connection_for_write() as connection:
            app.control.purge(connection=connection)  # leftovers of earlier runs
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            timeline_event_record(student=student, key="records_requested", on=timezone.localdate(),
                                  user=UserFactory())
            deadline = time.monotonic() + 20
            while not Deadline.objects.filter(student=student).exists() and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        app.conf.update(saved)
    row = Deadline.objects.get(student=student)
    assert (row.key, row.due) == ("records_access", timezone.localdate() + timedelta(days=10))
