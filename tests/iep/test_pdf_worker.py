import time

import pytest
from celery.contrib.testing.worker import start_worker
from rest_framework.test import APIClient

from config.celery import app as celery_app
from iep.pdf.sample import sample_iep
from tests.iep.pdf_helpers import pages_text


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_a_summary_end_to_end(redis_url, personas):
    """Through Redis and a real worker thread: POST, poll the status until ready, download, read it back."""
    iep = sample_iep(student=personas["student"], user=personas["team_chair"], goals=3, lines=4)
    client = APIClient()
    client.force_authenticate(personas["team_chair"])
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            started = client.post(f"/api/ieps/{iep.pk}/documents/", {"kind": "summary"}, format="json")
            assert started.status_code == 202
            deadline, status = time.monotonic() + 60, started.json()
            while status["status"] != "ready" and time.monotonic() < deadline:
                time.sleep(0.2)
                status = client.get(f"/api/documents/{status['id']}/").json()
            assert status["status"] == "ready"
    finally:
        celery_app.conf.task_always_eager = True
    download = client.get(status["download_url"])
    text = " ".join(pages_text(b"".join(download.streaming_content)))
    assert "Team meeting summary" in text and "Reading fluency" in text and "DRAFT" in text
