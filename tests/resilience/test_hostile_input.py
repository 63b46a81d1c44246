"""Hostile input at every form and API write, generated from the URL resolver and the OpenAPI schema: NUL characters,
lone surrogates, years 0001 and 9999, 2^63 integers, 100,000-deep JSON, top-level arrays, `.json` format suffixes.

No 5xx anywhere, nothing written (a refused section check-in keeps the user's text as their draft, which is the
point), and the refusal says what is wrong."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from tests.accounts import matrix
from tests.config.test_bad_input import SPEC, _body_schema, _fields, setup  # noqa: F401 (setup is a fixture)

pytestmark = pytest.mark.django_db
COUNTED_APPS = ("accounts", "students", "iep", "timelines", "jobs", "auth", "sessions")
NOT_DATA = {"accounts.AccessLogEntry", "sessions.Session", "axes.AccessLog"}
DRAFTS = {"iep.SectionDraft", "iep.SectionLock", "iep.LockEvent"}  # a refused check-in keeps a draft
DEEP = "[" * 100_000 + "]" * 100_000
NUL, SURROGATE = "a\x00b", "a\ud800b"


def _counts(skip=frozenset()) -> dict:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in COUNTED_APPS and model._meta.label not in NOT_DATA | skip}


def _json(body) -> bytes:  # lone surrogates travel as JSON escapes ("\ud800"), as a hostile client sends them
    return json.dumps(body, ensure_ascii=True).encode()


# -- API writes, from the OpenAPI schema -----------------------------------------------------------------------

def text_prop(prop):
    return prop.get("type") == "string" and "enum" not in prop and "format" not in prop


def date_prop(prop):
    return prop.get("type") == "string" and prop.get("format") in ("date", "date-time")


def int_prop(prop):
    return prop.get("type") == "integer"


def json_prop(prop):
    return "type" not in prop and "oneOf" not in prop and "allOf" not in prop and "enum" not in prop


def _hostile_bodies(schema: dict, anchors: dict) -> list[tuple[str, bytes]]:
    """(label, JSON body) cases: each hostile value in every writable field of its kind, plus whole-body cases."""
    base = {name: value for name, value in anchors.items() if name in schema.get("properties", {})}
    cases = [("100,000-deep JSON", DEEP.encode()), ("a top-level array", b"[1, 2]"),
             ("a top-level string", b'"text"'), ("2^63 in a number", b'{"x": 9223372036854775808}'),
             ("an unknown field", _json(base | {"no_such_field": "x"}))]
    for label, want, value in (("NUL", text_prop, NUL), ("lone surrogate", text_prop, SURROGATE),
                               ("year 0001", date_prop, "0001-01-01"), ("year 9999", date_prop, "9999-12-31"),
                               ("2^63", int_prop, 2**63), ("2^31", int_prop, 2**31),
                               ("NUL in JSON", json_prop, {"text": NUL}),
                               ("surrogate in JSON", json_prop, {"text": SURROGATE})):
        fields = _fields(schema, lambda prop, want=want: prop if want(prop) else None)
        if fields:
            body = {name: (f"{value}T12:00:00Z" if prop.get("format") == "date-time" else value)
                    for name, prop in fields.items()}
            cases.append((label, _json(base | body)))
    return cases


WRITES = [(method.upper(), path) for path, item in SPEC["paths"].items() for method, operation in item.items()
          if method in {"post", "put", "patch"} and _body_schema(operation) is not None]


def test_every_api_write_refuses_hostile_input_without_a_5xx_and_writes_nothing(setup):  # noqa: F811
    """One walk over every write operation (one set of objects: the refusals write nothing, so it stays valid)."""
    url, client, anchors = setup
    problems, sent = [], 0
    for method, path in WRITES:
        schema = _body_schema(SPEC["paths"][path][method.lower()])
        api, target = client(path), url(path)
        for label, payload in _hostile_bodies(schema, anchors):
            before = _counts(skip=DRAFTS)
            response = api.generic(method, target, payload, content_type="application/json")
            sent += 1
            if response.status_code >= 500 or response.status_code < 400:
                problems.append(f"{method} {path} with {label}: {response.status_code} {response.content[:200]!r}")
            elif _counts(skip=DRAFTS) != before:
                problems.append(f"{method} {path} with {label}: something was written")
    print(f"hostile API writes: {sent} requests over {len(WRITES)} operations")
    assert not problems, "\n".join(problems)


def test_the_hostile_walk_covers_every_api_write():
    assert len(WRITES) >= 25


OPERATIONS = [(method.upper(), path) for path, item in SPEC["paths"].items() for method in item
              if method in {"get", "post", "put", "patch", "delete"}]


def test_format_suffixes_answer_404_never_a_5xx(setup):  # noqa: F811
    url, client, _ = setup
    problems = []
    for method, path in OPERATIONS:
        for suffix in (".json", ".api", ".xml"):
            concrete = url(path).rstrip("/") + suffix
            response = client(path).generic(method, concrete, b"{}", content_type="application/json")
            if response.status_code >= 500 or response.status_code not in (400, 403, 404, 405):
                problems.append(f"{method} {concrete}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_query_parameters_are_validated_one_way_on_every_list(setup):  # noqa: F811
    url, client, _ = setup
    problems = []
    lists = [path for path, item in SPEC["paths"].items() if "get" in item and "{" not in path]
    for path in lists:
        for name in ("student", "school", "district", "status", "page", "grade", "q", "user", "iep"):
            for value in ("9" * 20, "-1", "²", "1\x00", "\ud800", "1e5"):
                query = urlencode({name: value}, encoding="utf-8", errors="surrogatepass")
                response = client(path).get(f"{url(path)}?{query}")
                if response.status_code >= 500:
                    problems.append(f"GET {path}?{name}={value!r}: {response.status_code}")
                elif response.status_code == 400 and name not in response.json() and "detail" not in response.json():
                    problems.append(f"GET {path}?{name}={value!r}: a 400 that does not name {name}")
    assert not problems, "\n".join(problems)


# -- forms, from the URL resolver ------------------------------------------------------------------------------

class _Forms(HTMLParser):
    """The POST forms of a page: action and fields (name, kind, current value)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                kind = f"unchecked-{kind}"
            self._form["fields"].append((attrs["name"], kind, attrs.get("value") or ""))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], "textarea", ""]
            self._form["fields"].append(self._textarea)
        elif tag == "select" and attrs.get("name"):
            self._select = [attrs["name"], "select", None]
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select[2] is None or "selected" in attrs:
                self._select[2] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


TEXT_KINDS = {"text", "textarea", "email", "search", "tel", "url", "password"}


def _hostile_form_data(fields) -> list[tuple[str, dict, bool]]:
    """(label, data, must_refuse) variants: each hostile value in every field of its kind, the rest as the page had.
    A lone surrogate cannot survive in a form body: its UTF-8 bytes decode to U+FFFD (Django decodes with
    "replace"), which is valid text, so that post only must not crash."""
    base = {}
    for name, kind, value in fields:
        if kind.startswith("unchecked") or kind in ("submit", "button"):
            continue
        if kind in ("checkbox", "radio") and name in base:
            continue
        base[name] = value or ""
    variants = []
    kinds = {name: kind for name, kind, _ in fields}
    for label, wanted, value in (("NUL", TEXT_KINDS, NUL), ("lone surrogate", TEXT_KINDS, SURROGATE),
                                 ("year 0001", {"date"}, "0001-01-01"), ("year 9999", {"date"}, "9999-12-31"),
                                 ("2^63", {"number"}, str(2**63)), ("2^31", {"number"}, str(2**31)),
                                 ("100,000-deep JSON", {"textarea"}, DEEP)):
        names = [name for name in base if kinds.get(name) in wanted and name != "csrfmiddlewaretoken"]
        if names:
            variants.append((label, base | dict.fromkeys(names, value), label != "lone surrogate"))
    return variants


def _forms_to_attack(world):
    """(route name, principal, url) for every non-API route that takes POST and shows its form on GET."""
    checker = matrix.Matrix(world)
    for endpoint, spec in checker.endpoints():
        if endpoint.is_api or "POST" not in spec.methods or "GET" not in spec.methods:
            continue
        relation = "on_team" if endpoint.kwargs else None
        for principal in ("chair", "district_admin", "sped", "building_admin"):
            rules = [matrix.RULES[spec.methods[m]](principal, relation) for m in ("GET", "POST")]
            if all(rule == matrix.OK for rule in rules):
                case = matrix.Case(endpoint, spec, principal, relation, "GET")
                yield endpoint.name, principal, checker.url(case)
                break


def test_every_form_refuses_hostile_input_without_a_5xx_and_writes_nothing():
    world = matrix.build_world()
    clients = {}
    attacked, problems = [], []
    for name, principal, page in _forms_to_attack(world):
        if principal not in clients:
            clients[principal] = Client(raise_request_exception=False)
            clients[principal].force_login(world.users[principal])
        client = clients[principal]
        response = client.get(page)
        if response.status_code in (301, 302):
            continue  # no form for this person here (e.g. backup codes before a second factor is set up)
        if response.status_code != 200:
            problems.append(f"GET {name} {page}: {response.status_code}")
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = form["action"] or page
            if not action.startswith("/") or action.startswith("/accounts/logout"):
                continue
            for label, data, must_refuse in _hostile_form_data(form["fields"]):
                body = urlencode(data, encoding="utf-8", errors="surrogatepass")
                before = _counts(skip=DRAFTS)
                answer = client.post(action, body, content_type="application/x-www-form-urlencoded")
                attacked.append((name, action, label))
                if answer.status_code >= 500:
                    problems.append(f"POST {name} {action} with {label}: {answer.status_code}")
                elif must_refuse and _counts(skip=DRAFTS) != before:
                    problems.append(f"POST {name} {action} with {label}: written ({answer.status_code})")
    print(f"hostile form posts: {len(attacked)} over {len({a[0] for a in attacked})} routes")
    assert not problems, "\n".join(problems)
    assert len({a[0] for a in attacked}) >= 10


# -- the draft is kept ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "lone surrogate"])
def test_a_check_in_refused_for_bad_characters_keeps_the_text_as_a_draft(bad, personas):
    from rest_framework.test import APIClient

    from iep.models import SectionDraft
    from iep.pdf.sample import sample_iep

    iep = sample_iep(student=personas["student"], user=personas["team_chair"], goals=1, lines=1)
    section = iep.sections.get(kind="vision")
    api = APIClient()
    api.force_authenticate(personas["team_teacher"])
    generation = api.post(f"/api/sections/{section.pk}/check-out/").json()["lock"]["generation"]
    text = f"The student will read {bad} fluently"
    for action in ("check-in", "draft"):
        response = api.post(f"/api/sections/{section.pk}/{action}/", _json(
            {"content": {"learn_this_year": text}, "version": section.version, "generation": generation}),
            content_type="application/json")
        assert response.status_code == 400, response.content
        assert "learn_this_year" in response.json()
        assert re.search("NUL|surrogate", json.dumps(response.json()))
    draft = SectionDraft.objects.get(section=section, user=personas["team_teacher"])
    assert draft.content["learn_this_year"].startswith("The student will read a")
    assert draft.content["learn_this_year"].endswith("b fluently")
    section.refresh_from_db()
    assert "fluently" not in json.dumps(section.content)


def test_a_school_year_name_with_a_nul_is_refused_with_a_message(personas):
    client = Client()
    client.force_login(personas["district_admin"])
    district = personas["district"]
    before = _counts()
    response = client.post(reverse("timelines:calendar_new", kwargs={"district_pk": district.pk}),
                           {"label": "2025\x00-26", "first_day": "2025-08-27", "last_day": "2026-06-16"})
    assert response.status_code in (200, 400)
    assert b"NUL" in response.content or b"null characters" in response.content.lower()
    assert _counts() == before
