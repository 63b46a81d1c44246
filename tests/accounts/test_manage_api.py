import pytest

from accounts.models import Role, RoleAssignment, TeamMembership, User
from students.models import StudentUserObjectPermission

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, personas):
    client.force_login(personas["district_admin"])
    return client


def test_staff_list_is_the_districts_and_create_validates(api, personas):
    names = {row["username"] for row in api.get("/api/manage/users/").json()["results"]}
    assert "team_teacher" in names and "other_district_teacher" not in names
    bad = api.post("/api/manage/users/", {"username": "x", "first_name": "A", "last_name": "B",
                                          "district": personas["other_district"].pk})
    assert bad.status_code == 400 and "district" in bad.json()
    made = api.post("/api/manage/users/", {"username": "api.new", "first_name": "A", "last_name": "B",
                                           "district": personas["district"].pk})
    assert made.status_code == 201 and User.objects.get(username="api.new").district == personas["district"]


def test_role_assignment_errors_are_field_errors(api, personas):
    target = personas["same_school_teacher"]
    bad = api.post("/api/manage/role-assignments/", {"user": target.pk, "role": Role.BUILDING_ADMIN})
    assert bad.status_code == 400 and "school" in bad.json()
    good = api.post("/api/manage/role-assignments/", {"user": target.pk, "role": Role.DISTRICT_ADMIN})
    assert good.status_code == 201
    assert api.delete(f"/api/manage/role-assignments/{good.json()['id']}/").status_code == 204
    assert not RoleAssignment.objects.filter(user=target, role=Role.DISTRICT_ADMIN).exists()


def test_team_membership_through_the_api_grants_and_revokes(api, personas):
    student, newcomer = personas["student"], personas["same_school_teacher"]
    made = api.post("/api/team-memberships/", {"student": student.pk, "user": newcomer.pk, "team_role": "chair"},
                    content_type="application/json")
    assert made.status_code == 201
    assert StudentUserObjectPermission.objects.filter(user=newcomer, content_object=student).exists()
    assert TeamMembership.objects.get(student=student, user=personas["team_chair"]).team_role == "member"
    assert api.delete(f"/api/team-memberships/{made.json()['id']}/").status_code == 204
    assert not StudentUserObjectPermission.objects.filter(user=newcomer, content_object=student).exists()


def test_team_membership_create_refuses_out_of_scope_and_other_districts(api, client, personas):
    outsider = personas["other_district_teacher"]
    response = api.post("/api/team-memberships/", {"student": personas["student"].pk, "user": outsider.pk})
    assert response.status_code == 400 and "user" in response.json()
    client.force_login(personas["other_district_admin"])
    response = client.post("/api/team-memberships/", {"student": personas["student"].pk, "user": outsider.pk})
    assert response.status_code == 400 and "student" in response.json()


def test_team_list_filters_by_student_and_stays_in_scope(client, personas):
    client.force_login(personas["team_teacher"])
    rows = client.get("/api/team-memberships/", {"student": personas["student"].pk}).json()["results"]
    assert len(rows) == 3
    client.force_login(personas["same_school_teacher"])
    assert client.get("/api/team-memberships/").json()["count"] == 0


def test_team_membership_create_does_not_reveal_ids_outside_scope(personas):
    """An id of another district's student or staff member is answered exactly like an id that does not exist."""
    from rest_framework.test import APIClient

    from tests.factories import StudentFactory, UserFactory

    client = APIClient()
    client.force_authenticate(personas["district_admin"])
    foreign_student = StudentFactory(school=personas["other_school"], district=personas["other_district"])
    foreign_staff = UserFactory(district=personas["other_district"])

    def error_of(student, user):
        response = client.post("/api/team-memberships/", {"student": student, "user": user}, format="json")
        assert response.status_code == 400
        return response.json()

    mine, staff = personas["student"].pk, personas["team_teacher"].pk
    assert error_of(foreign_student.pk, staff)["student"][0].replace(str(foreign_student.pk), "ID") == \
        error_of(999_999_999, staff)["student"][0].replace("999999999", "ID")
    assert error_of(mine, foreign_staff.pk)["user"][0].replace(str(foreign_staff.pk), "ID") == \
        error_of(mine, 999_999_998)["user"][0].replace("999999998", "ID")
