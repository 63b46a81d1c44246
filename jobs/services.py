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

from .models import OutboxMessage, TaskDelivery

logger = logging.getLogger(__name__)

MAX_DELIVERIES = 3


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
                sent += 1
                continue
            try:
                app.send_task(message.task, args=message.args, ignore_result=True)
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


def outbox_purge_sent(*, older_than_days: int = 7) -> int:
    """Delete sent rows (and finished delivery counters) older than `older_than_days`; returns how many rows."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT, sent_at__lt=cutoff).delete()
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
    `on_give_up(*args)` (e.g. mark the document failed). Eager runs (tests, no Redis) are not counted."""
    def decorate(run):
        @functools.wraps(run)
        def wrapper(self, *args, **kwargs):
            if self.request.is_eager or not self.request.id:
                return run(self, *args, **kwargs)
            key = f"{self.request.id}:{self.request.retries}"
            if not delivery_start(key=key, task=self.name):
                if on_give_up is not None:
                    on_give_up(*args, **kwargs)
                return None
            result = run(self, *args, **kwargs)
            delivery_done(key=key)
            return result
        return wrapper
    return decorate
