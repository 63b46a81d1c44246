"""The plan of the visible-students query does not depend on the planner's row estimates (docs/scaling.md).

At statewide size the old `id IN (UNION ...)` form was planned as a (parallel) hash join over a sequential scan of
every student, even for a teacher who administers nothing. These tests seed 20,000 students in bulk, ANALYZE, and
read PostgreSQL's plan of what the student list runs: no sequential scan of the student table, no Gather.
"""

import re

import pytest
from django.db import connection

from accounts import access
from accounts.models import Role
from accounts.services import team_membership_add
from students.models import Student
from tests.factories import DistrictFactory, RoleAssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

STUDENTS = 20_000
SCHOOLS = 20


@pytest.fixture
def statewide_slice(require_postgres):
    """Two districts: 20,000 students over 20 schools in the first, a few in the second; ANALYZEd."""
    district, other = DistrictFactory(), DistrictFactory()
    schools = [SchoolFactory(district=district) for _ in range(SCHOOLS)]
    SchoolFactory(district=other)
    school_ids = "ARRAY[" + ",".join(str(school.pk) for school in schools) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Student._meta.db_table} (district_id, school_id, sasid, local_id, first_name, middle_name, "
            "last_name, date_of_birth, grade, primary_disability, secondary_disability, primary_language, active, "
            "special_education) "
            f"SELECT %s, ({school_ids})[1 + n %% {SCHOOLS}], lpad((4000000000 + n)::text, 10, '0'), '', "
            "'Pat' || n, '', 'Plancase' || n, DATE '2014-01-01' + (n %% 3000), '05', 'specific_learning', '', "
            "'English', true, true FROM generate_series(1, %s) AS n",
            [district.pk, STUDENTS])
        cursor.execute(f"ANALYZE {Student._meta.db_table}")
    teacher = UserFactory()
    RoleAssignmentFactory(user=teacher, role=Role.SPECIAL_EDUCATOR, school=schools[0])
    for student in Student.objects.filter(school=schools[0]).order_by("pk")[:30]:
        team_membership_add(student=student, user=teacher)
    building_admin = UserFactory()
    RoleAssignmentFactory(user=building_admin, role=Role.BUILDING_ADMIN, school=schools[1])
    district_admin = UserFactory()
    RoleAssignmentFactory(user=district_admin, role=Role.DISTRICT_ADMIN, school=None, district=district)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"teacher": teacher, "building_admin": building_admin, "district_admin": district_admin}


def _scans_students(plan: str) -> bool:
    return re.search(rf"Seq Scan on {Student._meta.db_table}\b(?!_)", plan) is not None


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _count_plan(queryset) -> str:
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN SELECT count(*) FROM ({sql}) AS visible", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("persona", ["teacher", "building_admin", "district_admin"])
def test_the_student_list_plan_never_scans_students_nor_goes_parallel(statewide_slice, persona):
    visible = access.visible_students(statewide_slice[persona])
    for plan in (_plan(visible.order_by("last_name", "first_name", "pk")[:25]), _count_plan(visible)):
        assert not _scans_students(plan), plan
        assert "Gather" not in plan, plan


def test_the_planned_query_still_answers_each_scope(statewide_slice):
    assert access.visible_students(statewide_slice["teacher"]).count() == 30
    assert access.visible_students(statewide_slice["building_admin"]).count() == STUDENTS // SCHOOLS
    assert access.visible_students(statewide_slice["district_admin"]).count() == STUDENTS


def test_the_old_shape_is_what_the_check_catches(statewide_slice):
    """The check can fail: the previous `id IN (UNION ...)` form is planned with a scan of every student."""
    from django.db.models.expressions import RawSQL

    user = statewide_slice["teacher"]
    params = (user.pk, access.view_student_permission_id(), user.pk, Role.BUILDING_ADMIN, user.pk,
              Role.DISTRICT_ADMIN)
    old = Student.objects.filter(pk__in=RawSQL(access._VISIBLE_IDS_SQL, params))
    plan = _plan(old.order_by("last_name", "first_name", "pk")[:25])
    assert _scans_students(plan) or "Gather" in plan, plan
