"""Celery jobs of the outbox."""

from celery import shared_task

from .services import outbox_purge_sent, outbox_sweep, records_run


@shared_task(acks_late=True)
def outbox_dispatch_task() -> int:
    """Send the outbox's pending rows, and re-send published ones no worker started within the bound (beat, every
    minute); returns how many were re-sent. Safe twice at once."""
    return outbox_sweep()


@shared_task(acks_late=True)
@records_run
def outbox_purge_task() -> int:
    """Delete done outbox rows and delivery counters older than a week (beat, nightly)."""
    return outbox_purge_sent()
