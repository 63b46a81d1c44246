"""Every door that shows one student's data writes an access-log entry (603 CMR 23.07; docs/security.md).

The walk is generated, not listed: every route of the URL resolver whose kwargs lead to a student (a student, an
IEP, a section, an evaluation, an event, a deadline, a document...), every API list whose schema takes a
`student` filter, and the Django admin's pages of students, IEPs and evaluations. A new route that shows a
student without logging fails here.
"""

import re

import pytest
from django.test import Client

from accounts.models import AccessLogEntry
from tests.accounts import matrix
from tests.auth_helpers import force_login_verified
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# OBJECTS keys whose pk leads to one student (the others: staff, roles, districts, calendars, tokens).
STUDENT_OBJECTS = {"student", "membership", "iep", "proposed_iep", "vision", "goal", "grid", "line", "history",
                   "evaluation", "document", "event", "deadline"}


def _logged(student, client, url):
    """GET `url` with `client`; the response and how many entries were appended to `student`'s log."""
    before = AccessLogEntry.objects.filter(student=student).count()
    response = client.get(url)
    return response, AccessLogEntry.objects.filter(student=student).count() - before


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
        response, count = _logged(student, checker.clients[principal], url)
        walked += 1
        if response.status_code == 200 and count == 0:
            missing.append(f"GET {url} ({endpoint.name}) as {principal}: 200 without an access-log entry")
        elif response.status_code != 200:
            missing.append(f"GET {url} ({endpoint.name}) as {principal}: answered {response.status_code}")
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
        response, count = _logged(student, checker.clients["chair"], f"{path}?student={student.pk}")
        assert response.status_code == 200 and count >= 1, path
        # an id outside the scope logs nothing and answers as an unknown one would
        outside = world.students["other_district"]
        assert _logged(outside, checker.clients["chair"], f"{path}?student={outside.pk}")[1] == 0


def test_the_django_admin_logs_reads_of_students_ieps_and_evaluations():
    world = matrix.build_world()
    root = UserFactory(username="root", is_superuser=True, is_staff=True, district=None)
    client = force_login_verified(Client(), root)
    student = world.students["on_team"]
    objects = world.ieps["on_team"]
    for url in (f"/admin/students/student/{student.pk}/change/", f"/admin/iep/iep/{objects['iep'].pk}/change/",
                f"/admin/iep/evaluation/{objects['evaluation'].pk}/change/",
                f"/admin/students/student/{student.pk}/history/"):
        response, count = _logged(student, client, url)
        assert response.status_code == 200 and count == 1, url
        entry = AccessLogEntry.objects.filter(student=student).latest("pk")
        assert entry.user == root and re.match(r"admin:", entry.purpose), entry.purpose
