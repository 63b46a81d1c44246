"""Every API write endpoint, walked from the OpenAPI schema, refuses bad input with 400 and writes nothing.

Bad input: malformed JSON, text over its documented limit (maxLength + 1), impossible dates, unknown choices. A
403/404/405/409 is also accepted where access or state decides before the input is read. A 400 must name the
offending field (or say the JSON is malformed), so a refusal for another reason does not count.
"""

import json
import re

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.config.api_objects import real_ids

REFUSED = {400, 403, 404, 405, 409}
COUNTED_APPS = ("accounts", "students", "iep", "timelines", "jobs", "auth", "meetings", "progress")
NOT_DATA = {"accounts.AccessLogEntry"}  # reads are logged; the log is not the data written


def _spec() -> dict:
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


SPEC = _spec()
SCHEMAS = SPEC["components"]["schemas"]


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0])
    return schema


def _body_schema(operation: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return _resolve(content["schema"]) if content else None


WRITES = [(method.upper(), path) for path, item in SPEC["paths"].items() for method, operation in item.items()
          if method in {"post", "put", "patch"} and _body_schema(operation) is not None]


def _fields(schema: dict, want) -> dict:
    """Writable top-level properties for which `want(property)` gives a bad value."""
    bad = {}
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(prop) if "$ref" in prop else prop
        if prop.get("readOnly"):
            continue
        value = want(prop)
        if value is not None:
            bad[name] = value
    return bad


def oversize(prop):
    if prop.get("type") == "string" and "enum" not in prop and "format" not in prop:
        return "x" * (prop.get("maxLength", 100_000) + 1)
    return None


def bad_date(prop):
    return {"date": "2025-02-30", "date-time": "2025-13-01T25:00:00Z"}.get(prop.get("format", "")) \
        if prop.get("type") == "string" else None


def bad_choice(prop):
    if "enum" in prop or any("enum" in _resolve(option) for option in prop.get("oneOf", []) + prop.get("allOf", [])):
        return "not-a-choice"
    return None


def _counts() -> dict:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in COUNTED_APPS and model._meta.label not in NOT_DATA}


@pytest.fixture
def setup(personas):
    ids = real_ids(personas)

    def url(path: str) -> str:
        prefix = next((p for p in ids if path.startswith(p)), None)
        path = path.replace("{id}", str(ids[prefix]) if prefix else "1")
        return re.sub(r"\{[a-z_]+\}", "1", path)

    def client(path: str) -> APIClient:
        api = APIClient()
        admin = path.startswith(("/api/manage/", "/api/team-memberships/"))
        api.force_authenticate(personas["district_admin" if admin else "team_chair"])
        return api

    # scope anchors, so that a create reaches its input checks instead of stopping at "which student?"
    anchors = {"student": ids["/api/students/"], "iep": ids["/api/ieps/"], "user": personas["team_teacher"].pk,
               "meeting": ids["/api/meetings/"]}
    return url, client, anchors


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_every_write_endpoint_refuses_bad_input_and_writes_nothing(method, path, setup):
    url, client, anchors = setup
    schema = _body_schema(SPEC["paths"][path][method.lower()])
    api = client(path)
    cases = [("malformed JSON", b'{"student": 1, "note": "unterminated', None)]
    for label, want in (("oversize text", oversize), ("invalid date", bad_date), ("unknown choice", bad_choice)):
        bad = _fields(schema, want)
        if bad:
            body = {name: value for name, value in anchors.items() if name in schema.get("properties", {})}
            cases.append((label, json.dumps(body | bad).encode(), set(bad)))
    for label, payload, fields in cases:
        before = _counts()
        response = api.generic(method, url(path), payload, content_type="application/json")
        assert response.status_code in REFUSED, f"{label}: {response.status_code} {response.content[:300]!r}"
        assert _counts() == before, f"{label}: something was written"
        if response.status_code == 400:
            answer = response.json()
            if fields is None:
                assert "JSON parse error" in answer["detail"]
            else:
                assert set(answer) & fields, f"{label}: the 400 does not name {sorted(fields)}: {answer}"


def test_the_walk_covers_the_write_endpoints():
    assert len(WRITES) >= 20
