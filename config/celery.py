"""The Celery application. Without REDIS_URL, tasks run eagerly in-process (see settings)."""

import os

from celery import Celery
from celery.signals import beat_init, celeryd_after_setup, setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("iep", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _use_the_apps_logging(**kwargs):
    """Workers and beat log exactly like the web app: settings.LOGGING (one JSON object per line, the redaction
    filter). Answering this signal stops Celery from installing its own plain-text handlers on the root logger;
    the level comes from LOG_LEVEL, not from --loglevel."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@celeryd_after_setup.connect
@beat_init.connect
def _stdout_through_logging(**kwargs):
    """In a worker or beat process, a stray print() or warning is logged (JSON, redacted) instead of written
    raw to stdout. Only there: the in-process test workers keep the test runner's streams."""
    import logging

    logging.captureWarnings(True)
    app.log.redirect_stdouts(app.conf.worker_redirect_stdouts_level)
