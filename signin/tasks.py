"""Celery jobs that send email. Thin: they take ids and call a service; each is safe to run twice."""

from celery import shared_task

from jobs.services import counted_deliveries, records_run

from .emails import email_retry_pending, email_send, emails_purge_sent


@shared_task(bind=True, acks_late=True)
@counted_deliveries()
def email_send_task(self, email_id: int) -> bool:
    """Send one stored email (see emails.email_send). A failure leaves it pending for the sweeper. It is sent
    through the outbox, so it reports its deliveries: the worker, not the publish, marks the outbox row done."""
    return email_send(email_id=email_id)


@shared_task(acks_late=True)
def email_retry_task() -> int:
    """Queue again the emails still pending (beat, every few minutes): a mail server that was down gets them.
    Also deletes sent emails older than a week."""
    emails_purge_sent()
    return email_retry_pending()


@shared_task(acks_late=True)
@records_run
def weekly_digest_task() -> int:
    """Queue this week's deadline digest to every Team chair and provider who has not opted out (beat, weekly).
    Idempotent: one digest per person and ISO week."""
    from .digest import weekly_digests_queue

    return weekly_digests_queue()
