"""Rows only: side effects (permission rows, history, tasks) come from services, never from factories."""

import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, RoleAssignment, User
from students.disabilities import Disability, Grade
from students.models import District, Guardian, School, Student


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"Test District {n}")
    org_code = factory.Sequence(lambda n: f"{10_000_000 + n:08d}")
    require_2fa_for_admins = False  # the model defaults to True; tests of two-factor sign-in turn it on


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Test School {n}")
    code = factory.Sequence(lambda n: f"{20_000_000 + n:08d}")


class StudentFactory(DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    district = factory.SelfAttribute("school.district")
    sasid = factory.Sequence(lambda n: f"{3_000_000_000 + n:010d}")
    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = factory.Sequence(lambda n: f"Testcase{n}")
    date_of_birth = datetime.date(2015, 3, 14)
    grade = Grade.G5
    primary_disability = Disability.SPECIFIC_LEARNING


class GuardianFactory(DjangoModelFactory):
    class Meta:
        model = Guardian

    student = factory.SubFactory(StudentFactory)
    name = factory.Sequence(lambda n: f"Parent {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password("correct horse battery staple")


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.GENERAL_EDUCATOR
    school = factory.SubFactory(SchoolFactory)
    district = factory.SelfAttribute("school.district")


# --- IEPs (issue 4) ---
from iep.models import IEP, Evaluation, Section  # noqa: E402
from iep.models.sections import KIND_ORDER  # noqa: E402


class IEPFactory(DjangoModelFactory):
    class Meta:
        model = IEP

    student = factory.SubFactory(StudentFactory)
    start_date = datetime.date(2026, 9, 1)
    end_date = datetime.date(2027, 8, 31)
    meeting_date = datetime.date(2026, 8, 25)


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    iep = factory.SubFactory(IEPFactory)
    kind = Section.Kind.VISION
    order = factory.LazyAttribute(lambda s: KIND_ORDER[s.kind])


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = Evaluation

    student = factory.SubFactory(StudentFactory)
    area = Evaluation.Area.EDUCATIONAL
    evaluator_name = "Test Evaluator"
    evaluator_role = "Special Education Teacher"
