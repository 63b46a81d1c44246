"""The permission matrix (see tests/accounts/matrix.py for how routes are classified and filled).

MATRIX_SAMPLE=N runs a random sample of N cases (seeded); by default every case runs.
"""

import os
import sys
import types

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from students.models import Student

from . import matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return matrix.build_world()


SAMPLE = int(os.environ.get("MATRIX_SAMPLE") or 0) or None


def test_every_endpoint_answers_every_principal_as_the_access_rules_say(world):
    checker = matrix.Matrix(world, sample=SAMPLE)
    problems = checker.check()
    assert not problems, f"{len(problems)} of {checker.cases_run} cases wrong:\n" + "\n".join(problems)
    if SAMPLE is None:
        assert checker.cases_run > 2000  # the matrix really ran (every route x principal x relation x method)


def test_the_matrix_covers_the_schema_and_every_non_exempt_route(world):
    checker = matrix.Matrix(world)
    covered = {endpoint.name for endpoint, _spec in checker.endpoints()}
    assert not checker.problems
    assert {"students:detail", "student-detail", "student-access-log", "manage:team_remove"} <= covered
    assert {method for _path, method in matrix.schema_operations()} >= {"GET"}


def test_non_staff_principals_are_turned_away_from_the_admin(world):
    admin_pages = [e for e in matrix.walk() if e.name and e.name.startswith("admin:") and "<" not in e.route
                   and "(" not in e.route and e.name not in ("admin:login", "admin:logout", "admin:jsi18n")]
    assert len(admin_pages) > 10
    checker = matrix.Matrix(world)
    for endpoint in admin_pages:
        url = matrix.reverse(endpoint.name)
        for principal in matrix.PRINCIPALS:
            response = checker.clients[principal].get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], (endpoint.name, principal)


def _leaky(request, pk):
    return HttpResponse(Student.objects.get(pk=pk).sasid)  # no access check at all


def _urlconf_with(extra):
    from config import urls

    module = types.ModuleType("matrix_leaky_urls")
    module.urlpatterns = [*urls.urlpatterns, extra]
    sys.modules[module.__name__] = module
    return module.__name__


def test_an_unclassified_new_endpoint_fails_the_matrix(world):
    with override_settings(ROOT_URLCONF=_urlconf_with(path("leak/<int:pk>/", _leaky, name="leak"))):
        problems = matrix.Matrix(world, only={"leak"}).check()
    assert any("route 'leak'" in problem and "not classified" in problem for problem in problems)


def test_an_unprotected_endpoint_fails_the_matrix(world):
    routes = {**matrix.ROUTES, "leak": matrix.Route({"GET": "student_view"}, {"pk": "student"})}
    with override_settings(ROOT_URLCONF=_urlconf_with(path("leak/<int:pk>/", _leaky, name="leak"))):
        problems = matrix.Matrix(world, routes=routes, only={"leak"}).check()
    assert "GET leak [same_school] as teacher: got ok, expected 404" in problems
    assert "GET leak [other_district] as anonymous: got ok, expected login" in problems
    assert "POST leak [on_team] as teacher: got ok, expected 403 or 404 or login or refused" in problems


def test_an_unknown_kwarg_asks_for_a_filler(world):
    with override_settings(ROOT_URLCONF=_urlconf_with(path("thing/<int:widget_pk>/", _leaky, name="leak"))):
        routes = {**matrix.ROUTES, "leak": matrix.Route({"GET": "student_view"})}
        problems = matrix.Matrix(world, routes=routes, only={"leak"}).check()
    assert problems == ["add a filler for widget_pk in tests/accounts/matrix.py (FILLERS, or Route(fillers=...) "
                        "of 'leak')"]
