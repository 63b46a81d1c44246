"""Synthetic demo district: schools, staff in every role, students. Deterministic for a given seed.

Nothing here describes a real person: names are drawn from short lists of common given and family names.
Student i is generated from its own random stream (seed, i), so `--students 200000` after `--students 12000`
adds students 12000..199999 and leaves the first 12000 exactly as they were.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Role, RoleAssignment, TeamMembership, User
from accounts.services import team_memberships_bulk_add

from .disabilities import Disability, Grade
from .models import District, Guardian, School, Student

DEMO_DISTRICT_CODE = "09990000"
OTHER_DISTRICT_CODE = "09980000"
DEMO_PASSWORD = "demo-iep-2026"
BATCH = 2000

FIRST_NAMES = ("Aaliyah Aarav Abigail Adrian Aisha Alejandro Amara Amir Ana Andre Aria Ava Benjamin Bianca "
               "Caleb Camila Carlos Chloe Daniel Darius Delia Diego Elena Eli Emily Emma Ethan Fatima Felix "
               "Gabriel Grace Hana Henry Hugo Ibrahim Isabella Isaiah Jack Jade Jasmine Javier Jayden Julia "
               "Kai Keisha Kevin Layla Leo Liam Lily Lucas Luis Maya Mateo Mei Mia Miguel Mohamed Naomi Nathan "
               "Nia Noah Olivia Omar Owen Priya Rafael Riley Rosa Ryan Samuel Sara Sofia Thiago Tyler Valentina "
               "Victor William Yara Yusuf Zara Zoe").split()
LAST_NAMES = ("Abreu Adams Ahmed Alves Baker Barros Bennett Brooks Cabral Carvalho Chen Clark Costa Cruz Diaz "
              "Dubois Evans Fernandes Flores Garcia Gomes Gonzalez Green Hall Hernandez Hill Ibrahim Jean "
              "Johnson Kelly Kim Lee Lima Lopez Martin Medeiros Mendes Miller Moreno Murphy Nguyen Okafor "
              "Oliveira Ortiz Patel Pereira Perez Phillips Pierre Ramirez Reyes Rivera Rodrigues Rossi Santos "
              "Silva Singh Smith Sousa Sullivan Tavares Thomas Torres Tran Walsh Wang Williams Wong Young").split()
LANGUAGES = [("English", 78), ("Spanish", 11), ("Portuguese", 3), ("Haitian Creole", 2), ("Chinese", 2),
             ("Vietnamese", 1), ("Arabic", 1), ("Cape Verdean Creole", 1), ("Khmer", 1)]
# Roughly the Massachusetts mix of primary disabilities among students with IEPs.
DISABILITY_MIX = [
    (Disability.SPECIFIC_LEARNING, 26), (Disability.COMMUNICATION, 15), (Disability.AUTISM, 13),
    (Disability.HEALTH, 12), (Disability.DEVELOPMENTAL_DELAY, 9), (Disability.EMOTIONAL, 8),
    (Disability.NEUROLOGICAL, 6), (Disability.INTELLECTUAL, 5), (Disability.PHYSICAL, 2),
    (Disability.SENSORY_HEARING, 2), (Disability.SENSORY_VISION, 1), (Disability.SENSORY_DEAFBLIND, 1),
]
SCHOOL_KINDS = [  # name, youngest and oldest age
    ("Lincoln Elementary School", 4, 10),
    ("Adams Middle School", 11, 13),
    ("Commonwealth High School", 14, 22),
    ("Maple Street Early Learning Center", 3, 5),
]
PROVIDER_TITLES = ["Special Education Teacher", "Speech-Language Pathologist", "Occupational Therapist",
                   "School Psychologist", "Physical Therapist", "Special Education Teacher", "Reading Specialist"]


@dataclass
class DemoAccount:
    username: str
    role: str
    where: str


@dataclass
class SeedResult:
    district: District
    students_created: int = 0
    student_ids: list[int] = field(default_factory=list)
    accounts: list[DemoAccount] = field(default_factory=list)


def _weighted(rng: random.Random, table):
    return rng.choices([value for value, _ in table], weights=[weight for _, weight in table])[0]


def _sasid(index: int, district_offset: int = 0) -> str:
    # A bijection of the index onto 10-digit numbers (48271 is coprime with 9e9), so SASIDs look varied.
    return str(1_000_000_000 + ((index + district_offset) * 48271) % 9_000_000_000)


def _grade_for_age(age: int) -> str:
    if age <= 4:
        return Grade.PK
    if age == 5:
        return Grade.K
    if age >= 18:
        return Grade.POST12
    return f"{age - 5:02d}"


def schools_needed(students: int) -> int:
    return max(len(SCHOOL_KINDS), math.ceil(students / 600))


def _ensure_district(code: str, name: str) -> District:
    # The demo turns off the two-factor requirement for administrators so that its accounts sign in with the
    # documented password alone; a real district keeps the default (required).
    district, _ = District.objects.get_or_create(org_code=code, defaults={"name": name,
                                                                         "require_2fa_for_admins": False})
    return district


def _ensure_schools(district: District, count: int) -> list[School]:
    existing = {school.code: school for school in district.schools.all()}
    for index in range(count):
        code = f"{district.org_code[:4]}{index + 1:04d}"
        if code not in existing:
            base, _, _ = SCHOOL_KINDS[index % len(SCHOOL_KINDS)]
            name = base if index < len(SCHOOL_KINDS) else f"{base.replace(' School', '')} {index // 4 + 1} School"
            existing[code] = School.objects.create(district=district, code=code, name=name)
    return [existing[f"{district.org_code[:4]}{index + 1:04d}"] for index in range(count)]


def _school_slug(school: School) -> str:
    return school.name.split()[0].lower() + ("" if school.code.endswith(("0001", "0002", "0003", "0004"))
                                             else school.code[-4:])


def _ensure_staff(district: District, schools: list[School], students_per_school: int, password_hash: str,
                  rng: random.Random, prefix: str = "") -> tuple[dict[int, dict[str, list[User]]], list[DemoAccount]]:
    """Staff for every school, sized to its students. Returns {school_id: {role: [users]}} and the named demo
    accounts (the first of each role at each of the four named schools, plus the district administrator)."""
    accounts: list[DemoAccount] = []
    users = {user.username: user for user in User.objects.filter(district=district)}
    wanted: list[tuple[str, str, str, str, School | None]] = [  # username, first, last, role, school
        (f"{prefix}district.admin", "Dana", "Whitfield", Role.DISTRICT_ADMIN, None)]
    sizes = {Role.BUILDING_ADMIN: 1, Role.TEAM_CHAIR: max(1, math.ceil(students_per_school / 150)),
             Role.SPECIAL_EDUCATOR: max(2, math.ceil(students_per_school / 40)),
             Role.GENERAL_EDUCATOR: max(2, math.ceil(students_per_school / 25))}
    prefixes = {Role.BUILDING_ADMIN: "principal", Role.TEAM_CHAIR: "chair", Role.SPECIAL_EDUCATOR: "sped",
                Role.GENERAL_EDUCATOR: "teacher"}
    for school in schools:
        slug = _school_slug(school)
        for role, size in sizes.items():
            for n in range(size):
                username = f"{prefix}{prefixes[role]}.{slug}" + (f".{n + 1}" if n else "")
                wanted.append((username, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), role, school))
    new_users = [User(username=username, first_name=first, last_name=last, district=district, password=password_hash,
                      email=f"{username}@demo.invalid",
                      job_title=(PROVIDER_TITLES[index % len(PROVIDER_TITLES)] if role == Role.SPECIAL_EDUCATOR
                                 else Role(role).label))
                 for index, (username, first, last, role, _school) in enumerate(wanted) if username not in users]
    User.objects.bulk_create(new_users, batch_size=BATCH)
    users = {user.username: user for user in User.objects.filter(district=district)}
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=users[username], role=role, district=district, school=school)
         for username, _f, _l, role, school in wanted], batch_size=BATCH, ignore_conflicts=True)
    by_school: dict[int, dict[str, list[User]]] = {school.pk: {role: [] for role in sizes} for school in schools}
    for username, _f, _l, role, school in wanted:
        if school is not None:
            by_school[school.pk][role].append(users[username])
        if username.count(".") == 1 and (school is None or school in schools[:4]):
            accounts.append(DemoAccount(username, Role(role).label, school.name if school else district.name))
    return by_school, accounts


def _make_student(index: int, seed: int, district: District, school: School, youngest: int, oldest: int,
                  today: date, sasid_offset: int | None = None) -> tuple[Student, list[Guardian]]:
    rng = random.Random(seed * 1_000_003 + index)
    offset = int(district.org_code[:4]) * 7 if sasid_offset is None else sasid_offset
    age = rng.randint(youngest, oldest) if oldest < 18 else min(oldest, rng.choices(
        range(youngest, oldest + 1), weights=[30, 30, 28, 26, 6, 3, 2, 1, 1][: oldest - youngest + 1])[0])
    born = today - timedelta(days=age * 365 + rng.randint(15, 350))
    primary = _weighted(rng, DISABILITY_MIX)
    while primary == Disability.DEVELOPMENTAL_DELAY and age > 9:
        primary = _weighted(rng, DISABILITY_MIX)
    secondary = ""
    if rng.random() < 0.3:
        secondary = _weighted(rng, DISABILITY_MIX)
        if secondary == primary or (secondary == Disability.DEVELOPMENTAL_DELAY and age > 9):
            secondary = ""
    last = rng.choice(LAST_NAMES)
    language = _weighted(rng, LANGUAGES)
    student = Student(district=district, school=school, sasid=_sasid(index, offset),
                      local_id=f"{district.org_code[2:4]}-{index + 1:06d}", first_name=rng.choice(FIRST_NAMES),
                      last_name=last, date_of_birth=born, grade=_grade_for_age(age), primary_disability=primary,
                      secondary_disability=secondary, primary_language=language)
    guardians = []
    for n in range(1 if rng.random() < 0.4 else 2):
        relationship = Guardian.Relationship.PARENT if rng.random() < 0.92 else Guardian.Relationship.GUARDIAN
        name = f"{rng.choice(FIRST_NAMES)} {last}"
        guardians.append(Guardian(name=name, relationship=relationship, preferred_language=language,
                                  phone=f"617-555-{rng.randint(100, 199):04d}", is_primary_contact=n == 0,
                                  email=f"{name.split()[0].lower()}.{last.lower()}.{index}@example.invalid"))
    if age >= 18 and rng.random() < 0.5:
        guardians.insert(0, Guardian(name=student.first_name + " " + last, relationship=Guardian.Relationship.SELF,
                                     preferred_language=language, is_primary_contact=True))
        for guardian in guardians[1:]:
            guardian.is_primary_contact = False
    return student, guardians


def seed_people(*, students: int, seed: int, today: date | None = None, progress=None,
                district_code: str = DEMO_DISTRICT_CODE, district_name: str = "Commonwealth Demo Public Schools",
                sasid_offset: int | None = None) -> SeedResult:
    """Create (or top up to `students`) the demo district, its schools, staff and students.

    Bulk inserts in batches of 2,000, so memory stays flat at 200,000 students. Each batch is its own
    transaction: an interrupted run leaves whole batches, and running again tops up from where it stopped.
    `district_code`, `district_name` and `sasid_offset` (where the district's SASIDs start) make further
    synthetic districts for statewide benches; staff usernames are then prefixed with the district code.
    """
    today = today or date.today()
    rng = random.Random(seed)
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 per user would take minutes
    with transaction.atomic():
        district = _ensure_district(district_code, district_name)
        other = _ensure_district(OTHER_DISTRICT_CODE, "Neighboring Demo Regional School District")
        school_count = schools_needed(students)
        schools = _ensure_schools(district, school_count)
        other_schools = _ensure_schools(other, len(SCHOOL_KINDS))
        staff, accounts = _ensure_staff(district, schools, math.ceil(students / school_count), password_hash, rng,
                                        prefix="" if district_code == DEMO_DISTRICT_CODE else f"d{district_code}.")
        _ensure_staff(other, other_schools, 10, password_hash, random.Random(seed + 1), prefix="other.")
    accounts.append(DemoAccount("other.district.admin", Role.DISTRICT_ADMIN.label, f"{other.name} (an outsider)"))
    result = SeedResult(district=district, accounts=accounts)
    have = Student.objects.filter(district=district).count()
    for start in range(have, students, BATCH):
        stop = min(students, start + BATCH)
        with transaction.atomic():
            made = [_place(index, seed, district, schools, today, sasid_offset) for index in range(start, stop)]
            created = Student.objects.bulk_create([student for student, _g in made], batch_size=BATCH)
            guardians = []
            for student, (_s, student_guardians) in zip(created, made, strict=True):
                for guardian in student_guardians:
                    guardian.student_id = student.pk
                    guardians.append(guardian)
            Guardian.objects.bulk_create(guardians, batch_size=BATCH)
            team_memberships_bulk_add(memberships=_teams(created, staff, start))
        result.students_created += len(created)
        result.student_ids.extend(student.pk for student in created)
        if progress:
            progress(stop, students)
    return result


def _place(index: int, seed: int, district: District, schools: list[School], today: date,
           sasid_offset: int | None = None):
    school_index = index % len(schools)
    _name, youngest, oldest = SCHOOL_KINDS[school_index % len(SCHOOL_KINDS)]
    return _make_student(index, seed, district, schools[school_index], youngest, oldest, today, sasid_offset)


def _teams(students: list[Student], staff: dict[int, dict[str, list[User]]], start: int) -> list[TeamMembership]:
    """Each student gets a chair, a special educator or provider and a general education teacher of their school;
    every third student a second provider. Deterministic by position."""
    memberships = []
    for offset, student in enumerate(students):
        index = start + offset
        at_school = staff[student.school_id]
        local = index // len(staff)  # the student's position within the school
        chair = at_school[Role.TEAM_CHAIR][local % len(at_school[Role.TEAM_CHAIR])]
        providers = at_school[Role.SPECIAL_EDUCATOR]
        teachers = at_school[Role.GENERAL_EDUCATOR]
        memberships.append(TeamMembership(student_id=student.pk, user_id=chair.pk,
                                          team_role=TeamMembership.TeamRole.CHAIR))
        first = providers[local % len(providers)]
        memberships.append(TeamMembership(student_id=student.pk, user_id=first.pk, responsibility=first.job_title))
        if local % 3 == 0 and len(providers) > 1:
            second = providers[(local + 1) % len(providers)]
            memberships.append(TeamMembership(student_id=student.pk, user_id=second.pk,
                                              responsibility=second.job_title))
        teacher = teachers[local % len(teachers)]
        memberships.append(TeamMembership(student_id=student.pk, user_id=teacher.pk,
                                          responsibility="Classroom teacher"))
    return memberships


def demo_accounts() -> list[DemoAccount]:
    """The named demo accounts as they are in the database (for `make run` on an already seeded database)."""
    accounts = []
    users = User.objects.filter(district__org_code=DEMO_DISTRICT_CODE, username__regex=r"^[a-z]+\.[a-z]+$")
    for user in users.prefetch_related("role_assignments__school"):
        for assignment in user.role_assignments.all():
            if assignment.school is None or assignment.school.code.endswith(("0001", "0002", "0003", "0004")):
                accounts.append(DemoAccount(user.username, assignment.get_role_display(),
                                            assignment.school.name if assignment.school else "the district"))
    order = {"district.admin": 0}
    accounts.sort(key=lambda account: (order.get(account.username, 1), account.where, account.username))
    accounts.append(DemoAccount("other.district.admin", "District administrator", "another district (an outsider)"))
    return accounts
