"""Celery jobs of the outbox."""

from celery import shared_task

from .services import outbox_dispatch, outbox_purge_sent


@shared_task(acks_late=True)
def outbox_dispatch_task() -> int:
    """Send the outbox's pending rows (beat, every minute); returns how many were sent. Safe twice at once."""
    return outbox_dispatch()


@shared_task(acks_late=True)
def outbox_purge_task() -> int:
    """Delete sent outbox rows and delivery counters older than a week (beat, nightly)."""
    return outbox_purge_sent()
