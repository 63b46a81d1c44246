"""Celery jobs of progress reporting."""

from celery import shared_task
from django.db import OperationalError

from jobs.services import counted_deliveries, records_run

from .services import document_fail, document_render, progress_deadlines_refresh_all


def _give_up(document_id: int) -> None:
    document_fail(document_id=document_id, error="The render stopped its worker too many times.")


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, retry_backoff=True)
@counted_deliveries(on_give_up=_give_up)
def progress_document_render_task(self, document_id: int) -> str:
    """Render one finalised progress report to PDF. Safe twice, and twice at once (see document_render)."""
    try:
        document = document_render(document_id=document_id)
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            document_fail(document_id=document_id, error=f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc) from exc
    return document.status if document else "missing"


@shared_task
@records_run
def progress_deadlines_nightly_task() -> int:
    """Move the progress_report rows' statuses with the date (idempotent)."""
    return progress_deadlines_refresh_all()
