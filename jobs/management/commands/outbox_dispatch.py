"""`manage.py outbox_dispatch`: send pending outbox rows to Celery now (what the beat task does every minute)."""

from django.core.management.base import BaseCommand, CommandError

from jobs.models import OutboxMessage
from jobs.services import outbox_dispatch


class Command(BaseCommand):
    help = "Send the outbox's pending jobs to Celery; exits 1 if some could not be sent (broker down)."

    def handle(self, *args, **options) -> None:
        sent = outbox_dispatch()
        pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
        self.stdout.write(f"sent {sent}, pending {pending}")
        if pending:
            raise CommandError(f"{pending} jobs still pending: is Redis up?", returncode=1)
