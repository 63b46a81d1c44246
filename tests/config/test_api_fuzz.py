"""schemathesis against the OpenAPI schema, through the WSGI app, signed in as each role.

A few generated examples per operation (SCHEMATHESIS_EXAMPLES, default 5) keep the suite fast; raise it for a
deeper run. Every response must not be a 5xx and must conform to the schema (status code documented, body
matching its schema, content type declared).

Every role runs with the fixed seed (FUZZ_SEED, default 0), so a failure repeats run after run; one more run, as a
role drawn by it, uses a fresh random seed (FUZZ_RANDOM_SEED, drawn per run and shown in pytest's header and in a
failure), so new inputs are tried every run; replay its failure with FUZZ_SEED=<that seed> (same role).
"""

import functools
import os
import random

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import given as hypothesis_given
from hypothesis import seed as hypothesis_seed
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.config.api_objects import real_ids as _real_ids

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
# one persona per role (general educator, special educator, Team chair, building and district admin) and an outsider
ROLES = ["team_chair", "team_sped", "team_teacher", "building_admin", "district_admin", "other_district_teacher"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CSRF = "a" * 32
FIXED_SEED = int(os.environ.get("FUZZ_SEED", "0"))
RANDOM_SEED = int(os.environ.get("FUZZ_RANDOM_SEED") or random.SystemRandom().randrange(2**32))  # see conftest


@pytest.fixture
def same_connection():
    """The WSGI handler closes the database connection after each request; in a test that would end the test's
    transaction (Django's test client disconnects the same handler)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _auth(user) -> tuple[dict, dict]:
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}, {"X-CSRFToken": CSRF}


@functools.cache
def _schema():
    return schemathesis.openapi.from_wsgi("/api/schema/", application)


RANDOM_ROLE = ROLES[RANDOM_SEED % len(ROLES)]
RUNS = [(role, FIXED_SEED) for role in ROLES] + [(RANDOM_ROLE, RANDOM_SEED)]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "seed"), RUNS, ids=[f"{role}-{'random' if i == len(ROLES) else 'fixed'}"
                                                     for i, (role, _) in enumerate(RUNS)])
def test_every_operation_answers_within_its_schema(role, seed, personas, same_connection):
    print(f"API fuzz as {role}: seed {seed} (replay with FUZZ_SEED={seed})")
    district = personas["district"]
    district.require_2fa_for_admins = False  # session sign-in without a second factor, for the fuzzing only
    district.save(update_fields=["require_2fa_for_admins"])
    schema = _schema()
    cookies, headers = _auth(personas[role])
    real_ids = _real_ids(personas)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @hypothesis_seed(seed)
        @hypothesis_given(case=operation.as_strategy())
        def run(case):
            prefix = next((p for p in real_ids if case.path.startswith(p)), None)
            if prefix and "id" in (case.path_parameters or {}) and len(repr(case.body)) % 2:
                case.path_parameters["id"] = real_ids[prefix]
            response = case.call(cookies=cookies, headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # collect all operations' failures, then fail once
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert not failures, f"seed {seed} (replay: FUZZ_SEED={seed}):\n\n" + "\n\n".join(failures)
