"""Celery queues by kind of work, so a statewide deployment can give each kind its own workers (docs/scaling.md).

With `CELERY_QUEUES_BY_KIND=true`, tasks are routed by the module that defines them: deadline recomputes to
`recompute`, printed documents to `pdf`, email to `email`, roster imports to `import`; the outbox's own
housekeeping stays on Celery's default queue. Workers then name the queues they serve (`celery -A config worker
-Q pdf`). Off by default, so one worker serving the default queue runs everything, as on one machine.
"""

DEFAULT_QUEUE = "celery"
QUEUES = ("recompute", "pdf", "email", "import", DEFAULT_QUEUE)

# (task name prefix, queue), first match wins: the longest prefixes first.
ROUTES: tuple[tuple[str, str], ...] = (
    ("timelines.tasks.", "recompute"),
    ("progress.tasks.progress_deadlines", "recompute"),
    ("iep.tasks.", "pdf"),
    ("progress.tasks.", "pdf"),
    ("meetings.tasks.", "pdf"),
    ("signin.tasks.", "email"),
    ("roster.tasks.", "import"),
    ("jobs.tasks.", DEFAULT_QUEUE),
)


def queue_for(name: str) -> str:
    """The queue of the task called `name` (its dotted path); the default queue when no route names it."""
    for prefix, queue in ROUTES:
        if name.startswith(prefix):
            return queue
    return DEFAULT_QUEUE


def route_by_kind(name, args, kwargs, options, task=None, **kw) -> dict:
    """Celery's task router (CELERY_TASK_ROUTES): the queue of each task by its kind."""
    return {"queue": queue_for(name)}
