"""Email through the outbox and a real Celery worker (its own Redis): a mail server that is down loses nothing,
and the page that asked for the email never waits for it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from signin.emails import email_retry_pending
from signin.models import OutgoingEmail
from tests.factories import DistrictFactory, UserFactory
from tests.jobs import conftest as jobs

from .conftest import Mailbox

ROOT = Path(__file__).resolve().parents[2]
own_redis, celery_on = jobs.own_redis, jobs.celery_on  # a throwaway redis-server and Celery pointed at it

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _wait(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def mail_worker(require_postgres, own_redis, celery_on, tmp_path):
    """A Celery worker on the test database and own Redis, sending to a loopback SMTP server that starts down."""
    box = Mailbox()
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "REDIS_URL": own_redis.url, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(box.port),
           "EMAIL_TIMEOUT": "3", "PYTHONPATH": str(ROOT), "SITE_URL": "https://iep.example.org"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("EMAIL_URL", None)
    if db["PASSWORD"]:
        env["DATABASE_URL"] = env["DATABASE_URL"].replace("@", f":{db['PASSWORD']}@", 1)
    own_redis.start()
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed after the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    yield box
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)
    log.close()
    box.stop()


def test_a_reset_email_waits_out_a_mail_server_outage_and_arrives(mail_worker, settings):
    settings.SITE_URL = "https://iep.example.org"
    UserFactory(username="mailer", email="mailer@example.org", district=DistrictFactory())
    client = Client()
    assert client.get("/accounts/password-reset/").status_code == 200  # warm: templates, URL resolver
    started = time.monotonic()
    response = client.post("/accounts/password-reset/", {"email": "mailer@example.org"})
    took = time.monotonic() - started
    assert response.status_code == 302 and took < 3, took  # the page never talks to the mail server
    email = OutgoingEmail.objects.get()
    assert _wait(lambda: OutgoingEmail.objects.get(pk=email.pk).attempts >= 1, 60), "the worker never tried"
    email.refresh_from_db()
    assert email.status == "pending" and email.last_error  # the server was down: kept, not lost
    mail_worker.start()
    assert email_retry_pending(older_than_seconds=0) == 1  # what the beat sweeper does every 5 minutes
    assert _wait(lambda: len(mail_worker.messages) == 1, 60), "the email never arrived"
    [mail] = mail_worker.messages
    assert mail["to"] == ["mailer@example.org"]
    assert "https://iep.example.org/accounts/reset/" in mail_worker.text(mail)
    assert _wait(lambda: OutgoingEmail.objects.get(pk=email.pk).status == "sent", 10)
