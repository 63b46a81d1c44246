"""Celery jobs of the roster import."""

from celery import shared_task
from django.db import OperationalError

from jobs.services import counted_deliveries

from .models import ImportRun


def _give_up(run_id: int) -> None:
    ImportRun.objects.filter(pk=run_id).exclude(status__in=["done", "invalid", "failed"]).update(
        status=ImportRun.Status.FAILED, message="The import stopped its worker too many times; nothing was written.")


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, retry_backoff=True)
@counted_deliveries(on_give_up=_give_up)
def roster_run_task(self, run_id: int) -> str:
    """Execute one roster run. Safe twice: a finished run is returned as it is, and the run is one transaction
    (a worker that dies mid-run leaves nothing written, and the redelivery starts it again)."""
    from .services import roster_run_execute

    try:
        return roster_run_execute(run_id=run_id).status
    except OperationalError as exc:  # lost connection, lock timeout: try later
        raise self.retry(exc=exc) from exc
