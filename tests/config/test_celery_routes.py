"""Queues by kind (config/celery_routes.py): every task of the application has a named queue."""

from config.celery import app
from config.celery_routes import DEFAULT_QUEUE, QUEUES, queue_for, route_by_kind


def test_each_kind_of_work_has_its_queue():
    assert queue_for("timelines.tasks.deadlines_recompute_task") == "recompute"
    assert queue_for("timelines.tasks.deadlines_nightly_task") == "recompute"
    assert queue_for("iep.tasks.iep_pdf_render_task") == "pdf"
    assert queue_for("roster.tasks.roster_run_task") == "import"
    assert queue_for("signin.tasks.email_send_task") == "email"
    assert queue_for("progress.tasks.progress_document_render_task") == "pdf"
    assert queue_for("progress.tasks.progress_deadlines_nightly_task") == "recompute"
    assert queue_for("meetings.tasks.meeting_invitation_render_task") == "pdf"
    assert queue_for("jobs.tasks.outbox_dispatch_task") == DEFAULT_QUEUE
    assert route_by_kind("iep.tasks.iep_pdf_render_task", (), {}, {}) == {"queue": "pdf"}


def test_every_registered_task_lands_on_a_known_queue():
    app.loader.import_default_modules()
    names = [name for name in app.tasks if not name.startswith("celery.")]
    assert "iep.tasks.iep_pdf_render_task" in names
    assert {queue_for(name) for name in names} <= set(QUEUES)
    application_tasks = [name for name in names if not name.startswith("tests.")]
    unrouted = [name for name in application_tasks if queue_for(name) == DEFAULT_QUEUE
                and not name.startswith("jobs.tasks.outbox")]
    assert not unrouted, f"tasks without a kind (add them to config.celery_routes.ROUTES): {unrouted}"


def test_with_queues_by_kind_a_message_lands_in_its_kinds_queue_on_redis(redis_url):
    """A real broker: with the router on, a printed-document task is published to Redis's `pdf` list."""
    import uuid

    import redis
    from celery import Celery

    queue = f"pdf-{uuid.uuid4().hex[:8]}"  # a queue of this test's own, so no running worker takes the message
    probe = Celery("probe", broker=redis_url)
    probe.conf.task_routes = (lambda name, *args, **kwargs: {"queue": queue} if queue_for(name) == "pdf" else None,)
    client = redis.Redis.from_url(redis_url)
    try:
        probe.send_task("iep.tasks.iep_pdf_render_task", args=[0])
        assert client.llen(queue) == 1
        probe.send_task("timelines.tasks.deadlines_recompute_task", args=[[0]], queue=f"{queue}-other")
        assert client.llen(queue) == 1
    finally:
        client.delete(queue, f"{queue}-other")
