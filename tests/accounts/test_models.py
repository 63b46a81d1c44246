import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Role, RoleAssignment, TeamMembership
from tests.factories import DistrictFactory, SchoolFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_building_role_needs_a_school():
    district = DistrictFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=UserFactory(), role=Role.TEAM_CHAIR, district=district)


def test_district_admin_has_no_school():
    school = SchoolFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=UserFactory(), role=Role.DISTRICT_ADMIN, district=school.district,
                                      school=school)


def test_building_role_at_a_school_of_another_district_is_a_validation_error():
    assignment = RoleAssignment(user=UserFactory(), role=Role.BUILDING_ADMIN, district=DistrictFactory(),
                                school=SchoolFactory())
    with pytest.raises(ValidationError) as error:
        assignment.full_clean()
    assert "school" in error.value.message_dict


def test_a_provider_may_hold_roles_at_several_schools():
    user, district = UserFactory(), DistrictFactory()
    for school in SchoolFactory.create_batch(2, district=district):
        RoleAssignment.objects.create(user=user, role=Role.SPECIAL_EDUCATOR, district=district, school=school)
    assert user.role_assignments.count() == 2


def test_one_chair_per_student():
    student = StudentFactory()
    TeamMembership.objects.create(student=student, user=UserFactory(), team_role=TeamMembership.TeamRole.CHAIR)
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMembership.objects.create(student=student, user=UserFactory(), team_role=TeamMembership.TeamRole.CHAIR)
