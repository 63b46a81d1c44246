"""Shared fixtures: personas (one per role, plus outsiders) made through the real services, and service guards.

Outside CI a test that needs PostgreSQL or Redis skips with a reason; in CI (CI=true) it fails instead
(decision 6), so CI can never pass by skipping.
"""

import os
import random

import pytest
from django.db import connection

from config.celery import app as celery_app

IN_CI = os.environ.get("CI") == "true"
# The API fuzz test's random seed, drawn once per run and shown in the report header (tests/config/test_api_fuzz.py)
os.environ.setdefault("FUZZ_RANDOM_SEED", str(random.SystemRandom().randrange(2**32)))


def pytest_report_header(config):
    return (f"API fuzz seeds: fixed {os.environ.get('FUZZ_SEED', '0')}, random {os.environ['FUZZ_RANDOM_SEED']} "
            f"(replay a failure with FUZZ_SEED=<seed>)")


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test, not skip it)")
    pytest.skip(reason)


@pytest.fixture
def require_postgres():
    if connection.vendor != "postgresql":
        _unavailable("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def redis_url():
    from django.conf import settings

    url = settings.REDIS_URL
    if not url:
        _unavailable("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        _unavailable(f"needs Redis at {url}, which does not answer")
    return url


@pytest.fixture(autouse=True, scope="session")
def _celery_eager_by_default():
    """Tasks run in-process in tests unless a test starts a real worker (see the celery_worker fixtures)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _test_settings(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
    settings.IEP_API_WRITE_RATE = "100000/minute"  # fuzzing writes fast; tests/security/test_api_tokens.py lowers it
    settings.SIGNIN_RATE_LIMITS = False  # counters live in the cache, shared by tests; tests/signin turns them on


@pytest.fixture(autouse=True)
def _access_log_flushable_on_sqlite(request):
    """On SQLite a transactional test ends with a flush made of DELETEs, which the access log's append-only
    trigger refuses. Open the purge flag just before that flush; the flush's post_migrate closes it again."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction"))
    if not transactional or connection.vendor != "sqlite":
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so torn down (flushed) after this fixture
    yield
    with connection.cursor() as cursor:
        cursor.execute("INSERT OR IGNORE INTO accounts_logpurgeflag (id) VALUES (1)")


@pytest.fixture
def district():
    from tests.factories import DistrictFactory

    return DistrictFactory()


@pytest.fixture
def personas(db):
    """One user per role around two schools of one district, plus outsiders, and a student on the Team.

    student: at school_a, Team = chair + special educator + teacher. Relations tested elsewhere:
    same_school_teacher (school_a, not on the Team), other_school_admin (school_b), other_district_admin.
    """
    from accounts.models import Role, TeamMembership
    from accounts.services import team_membership_add
    from tests.factories import DistrictFactory, RoleAssignmentFactory, SchoolFactory, StudentFactory, UserFactory

    district = DistrictFactory()
    school_a, school_b = SchoolFactory(district=district), SchoolFactory(district=district)
    other_district = DistrictFactory()
    other_school = SchoolFactory(district=other_district)

    def staff(name, role, school, of=district):
        user = UserFactory(username=name, district=of)
        RoleAssignmentFactory(user=user, role=role, district=of, school=None if role == Role.DISTRICT_ADMIN else school)
        return user

    people = {
        "team_teacher": staff("team_teacher", Role.GENERAL_EDUCATOR, school_a),
        "team_sped": staff("team_sped", Role.SPECIAL_EDUCATOR, school_a),
        "team_chair": staff("team_chair", Role.TEAM_CHAIR, school_a),
        "same_school_teacher": staff("same_school_teacher", Role.GENERAL_EDUCATOR, school_a),
        "building_admin": staff("building_admin", Role.BUILDING_ADMIN, school_a),
        "other_school_admin": staff("other_school_admin", Role.BUILDING_ADMIN, school_b),
        "district_admin": staff("district_admin", Role.DISTRICT_ADMIN, None),
        "other_district_admin": staff("other_district_admin", Role.DISTRICT_ADMIN, None, of=other_district),
        "other_district_teacher": staff("other_district_teacher", Role.GENERAL_EDUCATOR, other_school,
                                        of=other_district),
    }
    student = StudentFactory(district=district, school=school_a)
    team_membership_add(student=student, user=people["team_chair"], team_role=TeamMembership.TeamRole.CHAIR)
    team_membership_add(student=student, user=people["team_sped"])
    team_membership_add(student=student, user=people["team_teacher"])
    people.update(student=student, district=district, school_a=school_a, school_b=school_b,
                  other_district=other_district, other_school=other_school)
    return people


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's superuser client, past the second factor that superusers must use."""
    from tests.auth_helpers import force_login_verified

    return force_login_verified(client, admin_user)
