"""The access log survives the app's own database role (PostgreSQL; docs/security.md, "Database roles").

A throwaway application role is created inside the test's transaction (so it disappears with the rollback),
given its rights by `manage.py grant_app_role`, and every statement below runs under it with SET LOCAL ROLE.
"""

import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from accounts.models import AccessLogEntry, StudentDeletion
from accounts.services import access_log_record, student_delete
from students.models import Student

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_role(require_postgres):
    role = f"iep_app_test_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')  # rolled back with the test's transaction
    call_command("grant_app_role", role)
    return role


def _as(role: str, sql: str, params=None):
    """Run `sql` as `role` in a savepoint: a refusal rolls the savepoint (and the SET ROLE) back."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(sql, params)
        cursor.execute("RESET ROLE")


def _refused(role: str, sql: str, params=None) -> str:
    with pytest.raises(DatabaseError) as refused:
        _as(role, sql, params)
    return refused.value.__cause__.sqlstate


def test_the_app_role_is_refused_truncate_update_and_delete_of_the_log(app_role, personas):
    entry = access_log_record(user=personas["team_teacher"], student=personas["student"], part="record")
    assert _refused(app_role, "TRUNCATE accounts_accesslogentry") == "42501"  # insufficient_privilege
    assert _refused(app_role, "TRUNCATE accounts_studentdeletion") == "42501"
    assert _refused(app_role, "UPDATE accounts_accesslogentry SET part = 'pdf' WHERE id = %s", [entry.pk]) == "42501"
    assert _refused(app_role, "DELETE FROM accounts_accesslogentry WHERE id = %s", [entry.pk]) == "42501"
    assert AccessLogEntry.objects.filter(pk=entry.pk, part="record").exists()
    # ...while it reads and appends as the app must, and writes other tables
    _as(app_role, "SELECT count(*) FROM accounts_accesslogentry")
    _as(app_role, "INSERT INTO accounts_accesslogentry (username, student_id, part, object_type, object_id, purpose,"
                  " path, method, at) VALUES ('x', %s, 'record', '', '', '', '', 'GET', now())",
        [personas["student"].pk])
    _as(app_role, "UPDATE students_student SET local_id = local_id WHERE id = %s", [personas["student"].pk])


def test_student_delete_works_under_the_app_role_without_delete_rights_on_the_log(app_role, personas):
    student, admin = personas["student"], personas["district_admin"]
    access_log_record(user=admin, student=student, part="record")
    access_log_record(user=admin, student=student, part="iep")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        deletion = student_delete(student=student, deleted_by=admin, reason="Duplicate record")
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == app_role
        cursor.execute("RESET ROLE")
    assert deletion.access_log_entries_removed == 2
    assert not Student.objects.filter(pk=deletion.student_id).exists()
    assert not AccessLogEntry.objects.filter(student_id=deletion.student_id).exists()
    assert StudentDeletion.objects.filter(pk=deletion.pk).exists()


def test_the_purge_function_refuses_a_student_whose_deletion_is_not_recorded(app_role, personas):
    access_log_record(user=personas["district_admin"], student=personas["student"], part="record")
    assert _refused(app_role, "SELECT accounts_purge_student_access_log(%s)", [personas["student"].pk]) == "42501"
    assert AccessLogEntry.objects.filter(student=personas["student"]).count() == 1


def test_grant_app_role_refuses_an_unknown_role(require_postgres):
    with pytest.raises(CommandError, match="No database role") as refused:
        call_command("grant_app_role", f"nobody_{secrets.token_hex(4)}")
    assert refused.value.returncode == 2
