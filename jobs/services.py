"""Write work to the outbox with the change that asks for it, and send pending work to Celery."""

import functools
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import JobRun, OutboxMessage, TaskDelivery

logger = logging.getLogger(__name__)

MAX_DELIVERIES = 3
TASK_ID_PREFIX = "outbox-"  # Celery task id of a job sent from the outbox: outbox-<row id>-<send number>
BACKOFF_MAX_SECONDS = 600


def outbox_enqueue(*, task: str, args: Iterable[Any] = ()) -> OutboxMessage:
    """Record `task(*args)` in the outbox inside the caller's transaction, and try to send it once the
    transaction commits. The row commits or rolls back with the change (decision 3); if Redis is down the
    post-commit attempt fails fast (broker timeouts in settings) and the row waits for `outbox_dispatch`."""
    message = OutboxMessage.objects.create(task=task, args=list(args))
    transaction.on_commit(functools.partial(_send_after_commit, message.pk), robust=True)
    return message


def _send_after_commit(message_id: int) -> None:
    outbox_dispatch(ids=[message_id])


def outbox_dispatch(*, ids: list[int] | None = None, limit: int = 500) -> int:
    """Send pending outbox rows (these `ids`, or the oldest `limit`) to Celery and mark them sent; returns
    how many were sent. Rows are claimed with FOR UPDATE SKIP LOCKED, so concurrent dispatchers share the
    work without sending a row twice. The first failure to reach the broker stops the round: the rows stay
    pending, with the error and attempt count noted."""
    from config.celery import app

    sent = 0
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        for message in list(rows.order_by("pk")[:limit]):
            if app.conf.task_always_eager:  # no Redis (SQLite embedded mode, tests): run it here, now
                _mark_sent(message.pk)
                app.tasks[message.task].apply(args=message.args, throw=True)
                OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.DONE,
                                                                   done_at=timezone.now())
                sent += 1
                continue
            try:
                app.send_task(message.task, args=message.args, ignore_result=True,
                              task_id=f"{TASK_ID_PREFIX}{message.pk}-{message.send_attempts + 1}")
            except Exception as exc:  # broker down: leave the row pending
                OutboxMessage.objects.filter(pk=message.pk).update(
                    send_attempts=F("send_attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:500])
                logger.warning("outbox: broker unavailable, %s stays pending", message.task,
                               extra={"outbox_id": message.pk})
                break
            _mark_sent(message.pk)
            sent += 1
    return sent


def _mark_sent(message_id: int) -> None:
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now(), send_attempts=F("send_attempts") + 1)


def outbox_sweep(*, now=None) -> int:
    """Put back to pending the rows published more than JOBS_RESEND_AFTER_SECONDS ago that no worker started (the
    message was lost between Redis and a worker), then dispatch; returns how many rows were put back. The
    conditional UPDATE claims each row once, so two sweeps at once re-send it once; a late original delivery
    and the re-sent one both run, which every idempotent task allows."""
    now = now or timezone.now()
    bound = timedelta(seconds=getattr(settings, "JOBS_RESEND_AFTER_SECONDS", 300))
    lost = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT, started_at__isnull=True,
                                        sent_at__lt=now - bound)
    back = lost.update(status=OutboxMessage.Status.PENDING, last_error="published but never started: re-sent")
    if back:
        logger.warning("outbox: %d published jobs never started, re-sending", back)
    outbox_dispatch()
    return back


def outbox_started(*, task_id: str | None) -> None:
    """The worker took the job sent from outbox row `task_id` names (no-op for other task ids)."""
    if message_id := _outbox_id(task_id):
        OutboxMessage.objects.filter(pk=message_id, started_at__isnull=True).update(started_at=timezone.now())
        OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.SENT).update(
            status=OutboxMessage.Status.STARTED)


def outbox_finished(*, task_id: str | None, failed: bool = False) -> None:
    """The worker finished (or gave up on) the job of this outbox row: the row is done (or failed)."""
    if message_id := _outbox_id(task_id):
        OutboxMessage.objects.filter(pk=message_id).update(
            status=OutboxMessage.Status.FAILED if failed else OutboxMessage.Status.DONE, done_at=timezone.now())


def _outbox_id(task_id: str | None) -> int | None:
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return None
    head = task_id[len(TASK_ID_PREFIX):].split("-", 1)[0]
    return int(head) if head.isascii() and head.isdigit() else None


def outbox_oldest_pending() -> dict:
    """For /healthz: how many jobs are not done yet (pending, published, started), and the oldest one's age."""
    open_rows = OutboxMessage.objects.filter(status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENT,
                                                         OutboxMessage.Status.STARTED])
    oldest = open_rows.order_by("created_at", "pk").values("task", "status", "created_at").first()
    age = round((timezone.now() - oldest["created_at"]).total_seconds()) if oldest else 0
    alert = getattr(settings, "JOBS_BACKLOG_ALERT_SECONDS", 900)
    return {"ok": age <= alert, "open": open_rows.count(), "oldest_age_seconds": age,
            "oldest_task": oldest["task"] if oldest else None, "oldest_status": oldest["status"] if oldest else None,
            "alert_after_seconds": alert}


def retry_countdown(retries: int) -> int:
    """Seconds before retry number `retries` + 1: 1, 2, 4, 8, ... capped at BACKOFF_MAX_SECONDS (10 minutes).
    Celery's `retry_backoff` applies only to `autoretry_for`; an explicit `self.retry()` must pass this."""
    return min(BACKOFF_MAX_SECONDS, 2 ** max(0, retries))


def job_run_started(*, name: str) -> None:
    """Note that scheduled job `name` started now (for /healthz)."""
    JobRun.objects.update_or_create(name=name, defaults={"started_at": timezone.now(), "finished_at": None,
                                                         "succeeded": None, "error": ""})


def job_run_finished(*, name: str, error: str = "") -> None:
    """Note that scheduled job `name` finished now, and whether it failed."""
    JobRun.objects.filter(name=name).update(finished_at=timezone.now(), succeeded=not error, error=error[:500])


def records_run(run):
    """Decorate a scheduled task: its last start, finish and outcome are stored (JobRun) for /healthz. A retry
    (celery.exceptions.Retry) is not a failure; the retried run records its own finish."""
    from celery.exceptions import Retry

    @functools.wraps(run)
    def wrapper(*args, **kwargs):
        name = run.__module__ + "." + run.__name__
        job_run_started(name=name)
        try:
            result = run(*args, **kwargs)
        except Retry:
            raise
        except Exception as exc:
            job_run_finished(name=name, error=f"{type(exc).__name__}: {exc}")
            raise
        job_run_finished(name=name)
        return result
    return wrapper


def job_runs() -> dict:
    """For /healthz: the last run of each job the beat schedule runs on a crontab (the nightly ones)."""
    from celery.schedules import crontab

    names = sorted(entry["task"] for entry in getattr(settings, "CELERY_BEAT_SCHEDULE", {}).values()
                   if isinstance(entry["schedule"], crontab))
    runs = {run.name: run for run in JobRun.objects.filter(name__in=names)}
    return {name: ({"started_at": runs[name].started_at.isoformat(),
                    "finished_at": runs[name].finished_at.isoformat() if runs[name].finished_at else None,
                    "succeeded": runs[name].succeeded} if name in runs else None) for name in names}


def outbox_purge_sent(*, older_than_days: int = 7) -> int:
    """Delete done rows (and finished delivery counters) older than `older_than_days`; returns how many rows."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = OutboxMessage.objects.filter(status=OutboxMessage.Status.DONE, done_at__lt=cutoff).delete()
    TaskDelivery.objects.filter(updated_at__lt=cutoff).exclude(status=TaskDelivery.Status.RUNNING).delete()
    return deleted


def delivery_start(*, key: str, task: str) -> bool:
    """Count one delivery of this task attempt, committed before the work starts; False when it was
    delivered more than MAX_DELIVERIES times (each earlier delivery died with its worker), and it is then
    marked failed so it is acknowledged and never run again."""
    limit = getattr(settings, "JOBS_MAX_DELIVERIES", MAX_DELIVERIES)
    with transaction.atomic():
        row, _ = TaskDelivery.objects.select_for_update().get_or_create(key=key, defaults={"task": task})
        row.deliveries += 1
        if row.deliveries > limit:
            row.status = TaskDelivery.Status.FAILED
        row.save(update_fields=["deliveries", "status", "updated_at"])
    if row.status == TaskDelivery.Status.FAILED:
        logger.error("task %s delivered %d times, giving up", task, row.deliveries, extra={"delivery": key})
        return False
    return True


def delivery_done(*, key: str) -> None:
    """Mark this task attempt done."""
    TaskDelivery.objects.filter(key=key).update(status=TaskDelivery.Status.DONE, updated_at=timezone.now())


def counted_deliveries(on_give_up: Callable[..., Any] | None = None):
    """Decorate a bound task: count each delivery (see delivery_start) and give up after the limit, calling
    `on_give_up(*args)` (e.g. mark the document failed). Eager runs (tests, no Redis) are not counted.

    The worker is what says a job is done: the outbox row behind it is marked started at each delivery and
    done when the work returns (failed when given up or out of retries). A retried attempt's counter is marked
    "retried" (the next attempt counts under its own key), never left "running"."""
    from celery.exceptions import Retry

    def decorate(run):
        @functools.wraps(run)
        def wrapper(self, *args, **kwargs):
            if self.request.is_eager or not self.request.id:
                return run(self, *args, **kwargs)
            key = f"{self.request.id}:{self.request.retries}"
            outbox_started(task_id=self.request.id)
            if not delivery_start(key=key, task=self.name):
                if on_give_up is not None:
                    on_give_up(*args, **kwargs)
                outbox_finished(task_id=self.request.id, failed=True)
                return None
            try:
                result = run(self, *args, **kwargs)
            except Retry:
                _delivery_mark(key, TaskDelivery.Status.RETRIED)
                raise
            except Exception:
                _delivery_mark(key, TaskDelivery.Status.FAILED)
                outbox_finished(task_id=self.request.id, failed=True)
                raise
            delivery_done(key=key)
            outbox_finished(task_id=self.request.id)
            return result
        return wrapper
    return decorate


def _delivery_mark(key: str, status: str) -> None:
    TaskDelivery.objects.filter(key=key).update(status=status, updated_at=timezone.now())
