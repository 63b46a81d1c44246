"""`manage.py outbox_dispatch`: send pending outbox rows to Celery now (what the beat task does every minute)."""

from django.core.management.base import BaseCommand, CommandError

from jobs.models import OutboxMessage
from jobs.services import outbox_sweep


class Command(BaseCommand):
    help = ("Send the outbox's pending jobs to Celery (and re-send published ones no worker started within "
            "JOBS_RESEND_AFTER_SECONDS); exits 1 if some could not be sent (broker down).")

    def handle(self, *args, **options) -> None:
        resent = outbox_sweep()
        pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
        self.stdout.write(f"re-sent {resent}, pending {pending}")
        if pending:
            raise CommandError(f"{pending} jobs still pending: is Redis up?", returncode=1)
