import pytest

from accounts import access

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("persona", "sees"), [
    ("team_teacher", True), ("team_sped", True), ("team_chair", True), ("same_school_teacher", False),
    ("building_admin", True), ("other_school_admin", False), ("district_admin", True),
    ("other_district_admin", False), ("other_district_teacher", False),
])
def test_who_sees_the_student(personas, persona, sees):
    user, student = personas[persona], personas["student"]
    assert access.visible_students(user).filter(pk=student.pk).exists() is sees
    assert access.can(user, "view", student) is sees


@pytest.mark.parametrize(("persona", "verb", "allowed"), [
    ("team_teacher", "record_event", True), ("building_admin", "record_event", False),
    ("team_chair", "manage_iep", True), ("team_sped", "manage_iep", False), ("district_admin", "manage_iep", True),
    ("building_admin", "break_lock", True), ("team_teacher", "break_lock", False),
    ("district_admin", "edit_student", True), ("team_chair", "edit_student", False),
    ("other_district_admin", "edit_student", False),
])
def test_what_each_role_may_do_to_the_student(personas, persona, verb, allowed):
    assert access.can(personas[persona], verb, personas["student"]) is allowed


def test_inactive_user_sees_nothing(personas):
    user = personas["district_admin"]
    user.is_active = False
    assert not access.visible_students(user).exists()
    assert not access.can(user, "view", personas["student"])
