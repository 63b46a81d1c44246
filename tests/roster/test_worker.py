"""The import runs as a Celery job on a real worker (the test's own Redis), started from the page."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from roster.models import ImportRun
from roster.services import roster_mapping_default
from students.models import Student

from .builders import OneRosterSet


def _wait(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_dry_run_and_its_apply_run_on_a_real_worker(require_postgres, own_redis, celery_on, client, tmp_path):
    # PostgreSQL: on SQLite's shared in-memory test database the worker thread meets "database table is locked"
    from accounts.models import Role
    from tests.factories import DistrictFactory, RoleAssignmentFactory, UserFactory

    district = DistrictFactory()
    admin = UserFactory(username="worker_admin", district=district)
    RoleAssignmentFactory(user=admin, role=Role.DISTRICT_ADMIN, district=district, school=None)
    own_redis.start()
    client.force_login(admin)
    archive = OneRosterSet(district.org_code, sasid_base=4_300_000_000).zip(tmp_path / "r.zip")
    with start_worker(celery_on, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with open(archive, "rb") as handle:
            response = client.post(reverse("roster:district", args=[district.pk]),
                                   {"files": handle, "mapping": roster_mapping_default(district=district).pk})
        assert response.status_code == 302
        dry = ImportRun.objects.get()
        assert _wait(lambda: ImportRun.objects.get(pk=dry.pk).finished)
        dry.refresh_from_db()
        assert dry.status == "done" and dry.counts["students"]["created"] == 6
        assert not Student.objects.filter(district=district).exists()
        page = client.get(reverse("roster:run", args=[district.pk, dry.pk]))
        assert b"Apply this import" in page.content
        client.post(reverse("roster:run_apply", args=[district.pk, dry.pk]))
        applied = ImportRun.objects.get(applied_from=dry)
        assert _wait(lambda: ImportRun.objects.get(pk=applied.pk).finished)
    assert ImportRun.objects.get(pk=applied.pk).status == "done"
    assert Student.objects.filter(district=district).count() == 6
