"""The read-replica router (config/db_router.py): reports read from `replica` when it exists; writes never do."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.models import Role
from config.db_router import PRIMARY, REPLICA, PrimaryReplicaRouter, reporting_db
from students.models import Student


def test_reports_read_from_the_primary_without_a_replica(settings, monkeypatch):
    monkeypatch.delitem(settings.DATABASES, REPLICA, raising=False)
    assert reporting_db() == PRIMARY


def test_reports_read_from_the_replica_when_one_is_configured(settings, monkeypatch):
    monkeypatch.setitem(settings.DATABASES, REPLICA, dict(settings.DATABASES[PRIMARY]))
    assert reporting_db() == REPLICA


def test_writes_and_migrations_only_ever_reach_the_primary():
    router = PrimaryReplicaRouter()
    assert router.db_for_write(Student) == PRIMARY
    assert router.db_for_read(Student) is None  # the query's .using(), or the instance's database
    assert router.allow_migrate(PRIMARY, "students") is True
    assert router.allow_migrate(REPLICA, "students") is False


SCRIPT = """
import json
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from accounts.models import User
setup_test_environment()
client = Client()
client.force_login(User.objects.get(pk={user_pk}))
with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
    status = client.get("/dashboard/districts/{district_pk}/").status_code
print(json.dumps({{"status": status, "primary": [q["sql"] for q in primary.captured_queries],
                  "replica": [q["sql"] for q in replica.captured_queries]}}))
"""


@pytest.mark.django_db(transaction=True)
def test_the_district_dashboard_reads_its_counts_from_a_second_alias(require_postgres):
    """A real second database alias (a separate connection to the same database, as a replica would be): the
    dashboard's deadline and school reads go there, the session and permission reads stay on the primary."""
    from django.db import connection

    from tests.factories import DistrictFactory, RoleAssignmentFactory, SchoolFactory, StudentFactory, UserFactory
    from timelines.models import Deadline

    district = DistrictFactory()
    school = SchoolFactory(district=district)
    student = StudentFactory(school=school)
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    Deadline.objects.create(student=student, school=school, key="annual_review", cycle=today, trigger="iep_start",
                            due=today - datetime.timedelta(days=3), citation="603 CMR 28.04", basis="test",
                            status="overdue", computed_at=timezone.now())
    admin = UserFactory(district=district)
    RoleAssignmentFactory(user=admin, role=Role.DISTRICT_ADMIN, school=None, district=district)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT.format(user_pk=admin.pk, district_pk=district.pk)],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120,
        env={**os.environ, "DATABASE_URL": url, "DATABASE_REPLICA_URL": url, "DATABASE_POOL": "false"})
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 200
    assert any("timelines_deadline" in sql for sql in result["replica"]), result["replica"]
    assert not any("timelines_deadline" in sql for sql in result["primary"]), result["primary"]
    assert any("django_session" in sql for sql in result["primary"])
    assert not any(sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for sql in result["replica"])
