"""Celery jobs of the IEP app."""

from celery import shared_task
from celery.signals import worker_process_init
from django.db import OperationalError

from jobs.services import counted_deliveries, retry_countdown

from .pdf.services import document_fail, document_render


def _give_up(document_id: int) -> None:
    document_fail(document_id=document_id, error="The render stopped its worker too many times.")


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
@counted_deliveries(on_give_up=_give_up)
def iep_pdf_render_task(self, document_id: int) -> str:
    """Render one stored document request to PDF. Safe twice, and twice at once (see document_render)."""
    try:
        document = document_render(document_id=document_id)
    except OperationalError as exc:  # lost connection, lock timeout: try later
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            document_fail(document_id=document_id, error=f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    return document.status if document else "missing"


@worker_process_init.connect
def _warm_pdf_renderer(**kwargs) -> None:
    """Each worker process loads WeasyPrint and the fonts at start, not on its first document."""
    from .pdf.render import warm_up

    warm_up()
