"""A real worker subprocess (prefork) on the test database, killed with SIGKILL in the middle of jobs."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from iep.models import RenderedDocument
from iep.models.documents import sha256_hex
from iep.pdf.sample import sample_iep
from jobs.models import TaskDelivery
from tests.factories import StudentFactory
from tests.timelines.factories import ma_year
from timelines.models import Deadline
from timelines.services import deadlines_recompute, timeline_event_record

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _wait(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


@pytest.fixture
def worker(require_postgres, own_redis, celery_on, tmp_path):
    """Start (and SIGKILL) `celery worker -P prefork -c 1` subprocesses on the test database and own Redis."""
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "REDIS_URL": own_redis.url, "MEDIA_ROOT": str(settings.MEDIA_ROOT), "CELERY_VISIBILITY_TIMEOUT": "8",
           "CELERY_UNACKED_RESTORE_INTERVAL": "1", "CELERY_UNACKED_RESTORE_THROTTLE": "1",
           "JOBS_MAX_DELIVERIES": "3", "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if db["PASSWORD"]:
        env["DATABASE_URL"] = env["DATABASE_URL"].replace("@", f":{db['PASSWORD']}@", 1)
    processes = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker{len(processes)}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "-c", "1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-I", "tests.jobs.worker_tasks",
             "--loglevel=INFO"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        processes.append(process)
        return process

    def kill(process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)  # the main process and its pool child, at once
        process.wait(timeout=10)

    own_redis.start()
    yield start, kill
    for process in processes:
        if process.poll() is None:
            kill(process)


def test_sigkill_mid_job_then_a_new_worker_does_every_job_exactly_once(worker, personas):
    start, kill = worker
    chair = personas["team_chair"]
    students = [personas["student"], *(StudentFactory(district=personas["district"]) for _ in range(2))]
    ma_year(personas["district"], timezone.localdate().year - 1)
    ma_year(personas["district"], timezone.localdate().year)
    ieps = [sample_iep(student=personas["student"], user=chair, goals=14, lines=12) for _ in range(3)]
    client = APIClient()
    client.force_authenticate(chair)
    Deadline.objects.all().delete()

    for student in students:  # each save sends a recompute through the outbox to Redis
        timeline_event_record(student=student, key="records_requested", on=timezone.localdate(), user=chair)
    documents = []
    for iep in ieps:
        response = client.post(f"/api/ieps/{iep.pk}/documents/", {"kind": "full"}, format="json")
        assert response.status_code == 202, response.content
        documents.append(response.json()["id"])
    assert Deadline.objects.count() == 0  # nothing ran yet: no worker

    first = start()
    rendering = RenderedDocument.objects.filter(pk__in=documents, status="rendering")
    assert _wait(rendering.exists, seconds=40), "no render started"
    kill(first)  # SIGKILL in the middle of a render
    killed = list(rendering.values_list("pk", flat=True))
    assert killed, "the render finished before the kill"

    start()
    done = RenderedDocument.objects.filter(pk__in=documents, status="ready")
    assert _wait(lambda: done.count() == len(documents), seconds=40)

    # Each job's effect, exactly once: one complete file per document, and no file left over.
    files = sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*.pdf"))
    assert len(files) == len(documents)
    for document in RenderedDocument.objects.filter(pk__in=documents):
        assert document.sha256 == sha256_hex(document.file.read())
    # The killed render was delivered twice (counted), each other job once.
    deliveries = dict(TaskDelivery.objects.filter(task="iep.tasks.iep_pdf_render_task")
                      .values_list("deliveries", "status").order_by("-deliveries")[:1])
    assert deliveries == {2: "done"}
    # Deadlines: one row per rule and student, equal to a fresh computation.
    assert _wait(lambda: Deadline.objects.filter(student__in=students).values("student").distinct().count() == 3,
                 seconds=20)
    stored = sorted(Deadline.objects.filter(student__in=students).values_list("student_id", "key", "due"))
    assert len(stored) == len(set((s, k) for s, k, _ in stored))
    deadlines_recompute(student_ids=[s.pk for s in students])
    assert sorted(Deadline.objects.filter(student__in=students).values_list("student_id", "key", "due")) == stored


def test_a_job_that_kills_its_worker_gives_up_after_three_deliveries(worker, celery_on):
    start, _ = worker
    process = start()
    celery_on.send_task("tests.jobs.worker_tasks.kill_my_worker_task", ignore_result=True)
    failed = TaskDelivery.objects.filter(task="tests.jobs.worker_tasks.kill_my_worker_task", status="failed")
    assert _wait(failed.exists, seconds=45)
    assert failed.get().deliveries == 4  # three deliveries died with their pool process; the fourth gave up
    assert process.poll() is None  # the worker itself is still up, and does the next job
    student = StudentFactory()
    celery_on.send_task("timelines.tasks.deadlines_recompute_task", args=[[student.pk]], ignore_result=True)
    assert _wait(TaskDelivery.objects.filter(task="timelines.tasks.deadlines_recompute_task", status="done").exists,
                 seconds=20)
