"""Every door that shows one student's data writes an access-log entry (603 CMR 23.07; docs/security.md).

The walk is generated, not listed: every route of the URL resolver whose kwargs lead to a student (a student, an
IEP, a section, an evaluation, an event, a deadline, a document...), every API list whose schema takes a
`student` filter, and the Django admin's pages of students, IEPs and evaluations. A new route that shows a
student without logging fails here.
"""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessLogEntry
from tests.accounts import matrix
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# OBJECTS keys whose pk leads to one student (the others: staff, roles, districts, calendars, tokens).
STUDENT_OBJECTS = {"student", "membership", "iep", "proposed_iep", "vision", "goal", "grid", "line", "history",
                   "evaluation", "document", "event", "deadline"}


@pytest.fixture(scope="module")
def world(django_db_blocker):
    with django_db_blocker.unblock():
        yield


def _logged(student, do) -> int:
    before = AccessLogEntry.objects.filter(student=student).count()
    do()
    return AccessLogEntry.objects.filter(student=student).count() - before


def _student_routes(checker):
    for endpoint, spec in checker.endpoints():
        if "GET" not in spec.methods or not endpoint.kwargs:
            continue
        keys = {spec.fillers.get(k) or matrix.FILLERS[k] for k in endpoint.kwargs}
        if keys <= STUDENT_OBJECTS:
            yield endpoint, spec


def test_every_route_that_takes_a_student_writes_an_access_log_entry():
    world = matrix.build_world()
    checker = matrix.Matrix(world)
    student = world.students["on_team"]
    missing, walked = [], 0
    for endpoint, spec in _student_routes(checker):
        principal = next(p for p in ("chair", "district_admin", "teacher")
                         if matrix.expected(matrix.Case(endpoint, spec, p, "on_team", "GET")) <= {matrix.OK,
                                                                                                   matrix.CONFLICT})
        url = checker.url(matrix.Case(endpoint, spec, principal, "on_team", "GET"))
        responses = []
        count = _logged(student, lambda: responses.append(checker.clients[principal].get(url)))
        walked += 1
        if responses[0].status_code == 200 and count == 0:
            missing.append(f"GET {url} ({endpoint.name}) as {principal}: 200 without an access-log entry")
        elif responses[0].status_code != 200:
            missing.append(f"GET {url} ({endpoint.name}) as {principal}: answered {responses[0].status_code}")
    assert walked > 30
    assert not missing, "\n".join(missing)


def test_every_api_list_filtered_by_student_writes_an_access_log_entry():
    world = matrix.build_world()
    checker = matrix.Matrix(world)
    student = world.students["on_team"]
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    filtered = [path for path, operations in schema["paths"].items() if "{" not in path and "get" in operations
                and any(p.get("name") == "student" and p.get("in") == "query"
                        for p in operations["get"].get("parameters", []))]
    assert {"/api/evaluations/", "/api/ieps/", "/api/deadlines/", "/api/timeline-events/",
            "/api/team-memberships/"} <= set(filtered)
    for path in filtered:
        responses = []
        count = _logged(student, lambda: responses.append(checker.clients["chair"].get(f"{path}?student={student.pk}")))
        assert responses[0].status_code == 200 and count >= 1, path
        # an id outside the scope logs nothing and answers as an unknown one would
        outside = world.students["other_district"]
        assert _logged(outside, lambda: checker.clients["chair"].get(f"{path}?student={outside.pk}")) == 0


def test_the_django_admin_logs_reads_of_students_ieps_and_evaluations():
    world = matrix.build_world()
    root = UserFactory(username="root", is_superuser=True, is_staff=True, district=None)
    device = TOTPDevice.objects.create(user=root, name="phone", confirmed=True)
    client = Client()
    client.force_login(root)
    session = client.session
    session["otp_device_id"] = device.persistent_id  # the second factor passed
    session.save()
    student = world.students["on_team"]
    objects = world.ieps["on_team"]
    for url in (f"/admin/students/student/{student.pk}/change/", f"/admin/iep/iep/{objects['iep'].pk}/change/",
                f"/admin/iep/evaluation/{objects['evaluation'].pk}/change/",
                f"/admin/students/student/{student.pk}/history/"):
        responses = []
        count = _logged(student, lambda url=url: responses.append(client.get(url)))
        assert responses[0].status_code == 200 and count == 1, url
        entry = AccessLogEntry.objects.filter(student=student).latest("pk")
        assert entry.user == root and re.match(r"admin:", entry.purpose), entry.purpose
