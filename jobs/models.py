"""The outbox (decision 3) and the delivery counter that stops a job which kills its worker from looping."""

from django.db import models


class OutboxMessage(models.Model):
    """A Celery task to send, written in the same transaction as the change that asks for it.

    Pending rows are sent right after commit (one fast attempt) and by `outbox_dispatch` (beat, every
    minute, or the command), which claims them with SELECT ... FOR UPDATE SKIP LOCKED so two dispatchers
    never send the same row at once. A row may still be sent twice (a dispatcher dying between send and
    mark); every task behind it is idempotent.

    A publish is not trusted: "sent" only means Redis took the message. The worker marks the row started and
    then done (jobs.services.counted_deliveries); a row still "sent" and not started `JOBS_RESEND_AFTER_SECONDS`
    after its publish (a message lost between Redis and a worker) is sent again by the sweep (docs/resilience.md).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent (published)"
        STARTED = "started", "Started"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    send_attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "id"], name="jobs_outbox_status_id")]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} ({self.status})"


class TaskDelivery(models.Model):
    """How many times one attempt of one task (Celery id + retry number) was delivered to a worker.

    Counted in its own committed write before the work starts, so a delivery whose worker is killed still
    counts; after MAX_DELIVERIES the task gives up (status failed) instead of killing worker after worker.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        RETRIED = "retried", "Retried (a later attempt has its own row)"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=200, unique=True)
    task = models.CharField(max_length=200)
    deliveries = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.task} {self.key}: {self.deliveries} ({self.status})"


class JobRun(models.Model):
    """The last run of one scheduled (nightly) job, for /healthz: an operator's monitor sees a job that stopped
    running. One row per task name, overwritten at each start and finish."""

    name = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(null=True)
    error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.started_at:%Y-%m-%d %H:%M}"
