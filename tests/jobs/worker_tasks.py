"""Test-only tasks, loaded into a worker subprocess with `celery worker -I tests.jobs.worker_tasks`."""

import os
import signal

from celery import shared_task

from jobs.services import counted_deliveries


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
@counted_deliveries()
def kill_my_worker_task(self) -> None:
    """A job that kills the process running it, every time it is delivered."""
    os.kill(os.getpid(), signal.SIGKILL)
