import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import access
from accounts.models import Role
from tests.factories import RoleAssignmentFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["team_teacher", "building_admin", "district_admin", "same_school_teacher"])
def test_the_visible_list_and_its_count_take_one_query_each(personas, persona):
    user = personas[persona]
    access.view_student_permission_id()  # cached per process
    StudentFactory.create_batch(3, school=personas["school_a"])
    with CaptureQueriesContext(connection) as queries:
        list(access.visible_students(user).order_by("last_name")[:25])
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        access.visible_students(user).count()
    assert len(queries) == 1


def test_a_user_with_several_roles_sees_the_union(personas):
    user = personas["same_school_teacher"]
    RoleAssignmentFactory(user=user, role=Role.BUILDING_ADMIN, school=personas["school_b"])
    at_b = StudentFactory(school=personas["school_b"])
    at_a = StudentFactory(school=personas["school_a"])
    seen = set(access.visible_students(user).values_list("pk", flat=True))
    assert at_b.pk in seen and at_a.pk not in seen and personas["student"].pk not in seen


def test_the_visible_queryset_composes_with_filters_and_never_duplicates(personas):
    user = personas["district_admin"]
    from accounts.services import team_membership_add
    team_membership_add(student=personas["student"], user=user)  # on the Team AND district admin
    visible = access.visible_students(user)
    assert visible.filter(pk=personas["student"].pk).count() == 1
    assert visible.filter(school=personas["school_a"]).count() == 1


def test_no_roles_and_no_teams_means_nothing():
    StudentFactory()
    assert not access.visible_students(UserFactory()).exists()


def test_the_team_lookup_uses_guardians_unique_index(personas, require_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'students_studentuserobjectpermission'")
        definitions = " ".join(row[0] for row in cursor.fetchall())
    assert "(user_id, permission_id, content_object_id)" in definitions
