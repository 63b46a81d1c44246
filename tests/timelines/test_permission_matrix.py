"""The project's permission matrix (tests/accounts/matrix.py) restricted to the timelines routes."""

import pytest

from tests.accounts import matrix

pytestmark = pytest.mark.django_db

ROUTES = {name for name in matrix.ROUTES if name.startswith("timelines:")} | {
    "deadline-list", "deadline-detail", "timeline-event-list", "timeline-event-detail"}


def test_every_timelines_endpoint_answers_every_principal_as_the_access_rules_say():
    checker = matrix.Matrix(matrix.build_world(), only=ROUTES)
    problems = checker.check()
    assert not [p for p in problems if "is not classified" not in p or any(r in p for r in ROUTES)], problems
    assert len({case.endpoint.name for case in checker.cases()}) == len(ROUTES) == 12
    assert checker.cases_run == 12 * 4 * 7 * 5 - 2 * 7 * 5 * 3  # list routes take no object: one relation
