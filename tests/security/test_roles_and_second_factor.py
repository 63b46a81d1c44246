"""Superusers need a second factor; a role granted mid-session is re-checked; the last district administrator
stays (docs/security.md)."""

import pytest

from accounts.models import Role, RoleAssignment
from accounts.services import role_assignment_add
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _sign_in(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "password sign-in failed"


def test_a_superuser_is_asked_for_a_second_factor_before_the_admin(client):
    UserFactory(username="root", is_superuser=True, is_staff=True, district=None)
    _sign_in(client, "root")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/")
    api = client.get("/api/students/")
    assert api.status_code == 403 and "Two-factor" in api.json()["detail"]


def test_a_role_granted_during_a_session_requires_the_second_factor_at_once(client, personas):
    district = personas["district"]
    district.require_2fa_for_admins = True
    district.save()
    _sign_in(client, "team_teacher")
    assert client.get("/students/").status_code == 200
    role_assignment_add(user=personas["team_teacher"], role=Role.BUILDING_ADMIN, district=district,
                        school=personas["school_a"])
    response = client.get("/students/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/")


def test_a_district_admin_cannot_remove_their_own_role(client, personas):
    admin = personas["district_admin"]
    UserFactory(username="second_admin", district=personas["district"])
    role_assignment_add(user=personas["district"].users.get(username="second_admin"), role=Role.DISTRICT_ADMIN,
                        district=personas["district"])
    own = RoleAssignment.objects.get(user=admin, role=Role.DISTRICT_ADMIN)
    client.force_login(admin)
    page = client.post(f"/manage/roles/{own.pk}/remove/", follow=True)
    assert "cannot remove your own role" in page.content.decode()
    api = client.delete(f"/api/manage/role-assignments/{own.pk}/")
    assert api.status_code == 400 and "own role" in str(api.json())
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_the_last_district_administrator_of_a_district_stays(personas):
    from django.core.exceptions import ValidationError

    from accounts.services import role_assignment_remove

    only = RoleAssignment.objects.get(user=personas["district_admin"], role=Role.DISTRICT_ADMIN)
    other = UserFactory(district=personas["district"])
    role_assignment_add(user=other, role=Role.DISTRICT_ADMIN, district=personas["district"])
    role_assignment_remove(assignment=RoleAssignment.objects.get(user=other), by=personas["district_admin"])
    with pytest.raises(ValidationError, match="last district administrator"):
        role_assignment_remove(assignment=only, by=other)
    assert RoleAssignment.objects.filter(pk=only.pk).exists()
