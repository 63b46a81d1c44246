"""Celery tasks: thin doors over deadlines_recompute, taking ids; idempotent, so acks_late is safe."""

from celery import shared_task
from django.db import OperationalError

from jobs.services import counted_deliveries, records_run, retry_countdown

from .selectors import student_id_chunks
from .services import CHUNK, deadlines_recompute


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
@counted_deliveries()
def deadlines_recompute_task(self, student_ids: list[int]) -> int:
    """Recompute these students' deadlines (one chunk). Safe twice, and twice at once (row locks)."""
    try:
        return deadlines_recompute(student_ids=student_ids)
    except OperationalError as exc:  # lost connection, lock timeout: try later
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
@counted_deliveries()
def deadlines_recompute_district_task(self, district_id: int) -> int:
    """Fan out one recompute task per chunk of the district's active students; returns the number of chunks."""
    try:
        chunks = list(student_id_chunks(district_id=district_id, size=CHUNK))
    except OperationalError as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    for chunk in chunks:
        deadlines_recompute_task.delay(chunk)
    return len(chunks)


@shared_task(bind=True, acks_late=True, max_retries=5)
@records_run
def deadlines_nightly_task(self) -> int:
    """Nightly (02:00 America/New_York): recompute every active student, which also moves statuses on with
    the date (upcoming -> due within 7 days -> overdue). Fans out chunks; returns the number of chunks."""
    try:
        chunks = list(student_id_chunks(size=CHUNK))
    except OperationalError as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    for chunk in chunks:
        deadlines_recompute_task.delay(chunk)
    return len(chunks)


@shared_task(bind=True, acks_late=True, max_retries=5)
@records_run
def deadline_snapshots_task(self) -> int:
    """Nightly (04:00 America/New_York, after the 02:00 recompute has moved statuses on): store each school's
    overdue count for the dashboards' trend. Idempotent (one row per school and day, replaced on a rerun)."""
    from .dashboard_services import deadline_snapshots_take

    try:
        return deadline_snapshots_take()
    except OperationalError as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
