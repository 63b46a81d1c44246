"""Compose and queue emails. Every email is stored (OutgoingEmail) and sent by a Celery job through the
outbox, so a page never waits for the mail server and a mail server that is down loses nothing.

Subjects never name a student; bodies name students only when their district allows it (otherwise local ID).
"""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from jobs.services import outbox_enqueue

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

SEND_TASK = "signin.tasks.email_send_task"


def site_url(path: str = "") -> str:
    return settings.SITE_URL.rstrip("/") + path


def email_queue(*, to: str, subject: str, template: str, context: dict, kind: str,
                key: str | None = None, attachment: tuple[str, str] | None = None) -> OutgoingEmail | None:
    """Store one email (text from `template`.txt, HTML from `template`.html) and queue its sending through the
    outbox in the caller's transaction. With `key`, a second call with the same key queues nothing (None).
    `attachment`: (stored file name in the default storage, file name shown): a PDF read from storage when the
    email is sent, so the email row holds a reference, never a copy of the document."""
    attached = {"attachment": attachment[0], "attachment_name": attachment[1]} if attachment else {}
    context = {"site_url": site_url(), **context}
    text = render_to_string(f"{template}.txt", context).strip() + "\n"
    html = render_to_string(f"{template}.html", context)
    subject = " ".join(subject.split())[:200]
    with transaction.atomic():
        if key is not None:
            email, created = OutgoingEmail.objects.get_or_create(
                key=key, defaults={"kind": kind, "to": to, "subject": subject, "text": text, "html": html,
                                   **attached})
            if not created:
                return None
        else:
            email = OutgoingEmail.objects.create(kind=kind, to=to, subject=subject, text=text, html=html, **attached)
        outbox_enqueue(task=SEND_TASK, args=[email.pk])
    return email


def email_send(*, email_id: int) -> bool:
    """Send one stored email unless already sent; True when sent now.

    The row is locked while sending so two deliveries of the same job never both send it; a delivery after a
    successful send finds it sent and does nothing. A failure (server down, refused) is recorded on the row,
    which stays pending for the sweeper (`email_retry_pending`) until SIGNIN_EMAIL_MAX_ATTEMPTS.
    """
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutgoingEmail.Status.PENDING:
            return False
        message = EmailMultiAlternatives(email.subject, email.text, settings.DEFAULT_FROM_EMAIL, [email.to])
        if email.html:
            message.attach_alternative(email.html, "text/html")
        if email.attachment:
            with default_storage.open(email.attachment, "rb") as handle:
                message.attach(email.attachment_name or "document.pdf", handle.read(), "application/pdf")
        email.attempts += 1
        try:
            message.send()
        except (OSError, smtplib.SMTPException) as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:300]
            if email.attempts >= settings.SIGNIN_EMAIL_MAX_ATTEMPTS:
                email.status = OutgoingEmail.Status.FAILED
            email.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("email %s not sent (attempt %d): %s", email.pk, email.attempts, type(exc).__name__)
            return False
        email.status, email.sent_at, email.last_error = OutgoingEmail.Status.SENT, timezone.now(), ""
        email.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    return True


def email_retry_pending(*, older_than_seconds: int = 60) -> int:
    """Queue again every pending email older than `older_than_seconds` (beat); returns how many."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING, created_at__lt=cutoff)
               .values_list("pk", flat=True)[:500])
    with transaction.atomic():
        for email_id in ids:
            outbox_enqueue(task=SEND_TASK, args=[email_id])
    return len(ids)


def password_reset_email_queue(*, user, request=None) -> bool:
    """Queue a one-time password reset link for `user` (Django's token: valid until used, the password changes,
    or PASSWORD_RESET_TIMEOUT). False when the account has no email address."""
    if not user.email:
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = site_url(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    email_queue(to=user.email, subject=_("Reset your Massachusetts IEP password"), template="signin/email/reset",
                context={"user": user, "link": link, "hours": hours}, kind="password_reset")
    return True


def emails_purge_sent(*, older_than_days: int = 7) -> int:
    """Delete sent emails older than `older_than_days` (their bodies hold reset links and may name students);
    returns how many. A digest's week key is then free again, but that week is over."""
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    deleted, _ = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT, sent_at__lt=cutoff).delete()
    return deleted
