"""Celery jobs of the meetings app."""

from celery import shared_task
from django.db import OperationalError

from jobs.services import counted_deliveries

from .services import invitation_fail, invitation_render


def _give_up(invitation_id: int) -> None:
    invitation_fail(invitation_id=invitation_id, error="The render stopped its worker too many times.")


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, retry_backoff=True)
@counted_deliveries(on_give_up=_give_up)
def meeting_invitation_render_task(self, invitation_id: int) -> str:
    """Render one invitation to PDF. Safe twice, and twice at once (see invitation_render)."""
    try:
        invitation = invitation_render(invitation_id=invitation_id)
    except OperationalError as exc:  # lost connection, lock timeout: try later
        raise self.retry(exc=exc) from exc
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            invitation_fail(invitation_id=invitation_id, error=f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc) from exc
    return invitation.status if invitation else "missing"
