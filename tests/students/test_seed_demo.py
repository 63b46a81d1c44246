import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Role, RoleAssignment, TeamMembership
from students.demo import DEMO_DISTRICT_CODE, _make_student
from students.models import District, Guardian, Student, StudentUserObjectPermission
from tests.factories import DistrictFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def _seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_creates_every_role_a_team_for_every_student_and_prints_the_accounts():
    output = _seed("--students", "120")
    demo = District.objects.get(org_code=DEMO_DISTRICT_CODE)
    assert Student.objects.filter(district=demo).count() == 120
    assert set(RoleAssignment.objects.filter(district=demo).values_list("role", flat=True)) == set(Role.values)
    chaired = TeamMembership.objects.filter(student__district=demo, team_role="chair").values("student").distinct()
    assert chaired.count() == 120
    # Team membership grants guardian object permissions, row for row.
    assert StudentUserObjectPermission.objects.filter(content_object__district=demo).count() == \
        TeamMembership.objects.filter(student__district=demo).count()
    assert Guardian.objects.filter(student__district=demo).count() >= 120
    assert "district.admin" in output and "teacher.lincoln" in output and "password" in output


def test_seed_has_realistic_variety():
    _seed("--students", "400")
    students = Student.objects.filter(district__org_code=DEMO_DISTRICT_CODE)
    ages = {student.age() for student in students}
    assert min(ages) <= 4 and max(ages) >= 18
    assert students.values("primary_disability").distinct().count() >= 8
    assert students.filter(grade="SP").exists() and students.filter(grade="PK").exists()
    assert students.exclude(secondary_disability="").exists()


def test_same_seed_same_student_and_other_seed_other_student():
    district, school = DistrictFactory.build(org_code=DEMO_DISTRICT_CODE), SchoolFactory.build()
    today = datetime.date(2026, 11, 23)
    first, _ = _make_student(7, 2026, district, school, 5, 10, today)
    again, _ = _make_student(7, 2026, district, school, 5, 10, today)
    other, _ = _make_student(7, 99, district, school, 5, 10, today)
    fields = ("first_name", "last_name", "date_of_birth", "primary_disability", "sasid")
    assert [getattr(first, f) for f in fields] == [getattr(again, f) for f in fields]
    assert [getattr(first, f) for f in fields] != [getattr(other, f) for f in fields]


def test_running_again_tops_up_and_keeps_existing_students():
    _seed("--students", "50", "--quiet")
    before = dict(Student.objects.values_list("sasid", "last_name"))
    _seed("--students", "80", "--quiet")
    after = dict(Student.objects.filter(district__org_code=DEMO_DISTRICT_CODE).values_list("sasid", "last_name"))
    assert len(after) == 80
    assert all(after[sasid] == name for sasid, name in before.items() if sasid in after)


def test_refuses_a_database_with_real_data_unless_forced():
    DistrictFactory(name="Springfield Public Schools")
    with pytest.raises(CommandError) as refused:
        _seed("--students", "5")
    assert refused.value.returncode == 2
    assert "--force" in str(refused.value)
    assert not Student.objects.exists()
    _seed("--students", "5", "--force", "--quiet")
    assert Student.objects.count() == 5


def test_if_empty_does_not_seed_twice():
    _seed("--students", "10", "--quiet")
    output = _seed("--if-empty")
    assert "not seeding" in output
    assert Student.objects.count() == 10


def test_bad_student_count_is_refused():
    with pytest.raises(CommandError) as refused:
        _seed("--students", "0")
    assert refused.value.returncode == 2
