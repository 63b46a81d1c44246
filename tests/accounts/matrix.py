"""The permission matrix: every route of the URL resolver and every operation of the OpenAPI schema, for seven
principals against four object relations, for every HTTP method.

How a route gets covered
------------------------
1. Every named route of `get_resolver()` (walked recursively) must be in ROUTES or EXEMPT, otherwise the
   checker reports "route X is not classified". Every operation of drf-spectacular's schema must resolve to a
   route whose ROUTES entry declares that method.
2. ROUTES says, per method, which access RULE applies (see `expected`); methods a route does not declare must be
   refused (405, 403, 404 or the login page) for everyone, so an endpoint that quietly accepts POST is caught.
3. URL kwargs are filled per relation by FILLERS (by kwarg name) or by the route's own `fillers` (when a kwarg
   such as `pk` means different objects on different routes). An unknown kwarg is a failure that names it.

Extending it (e.g. the IEP branch): add the object's factory to OBJECTS, route entries to ROUTES, and kwargs to
FILLERS. The expected outcome comes from RULES below, written from the access table in the issue; it never asks
the view's own access code.

Principals: the five roles (teacher, special educator and chair are on the Team of the "on_team" student),
`outsider` (district administrator of ANOTHER district) and anonymous. Relations: the student on the Team;
a student of the same school not on the Team; one of the other school of the district; one of another district
(the outsider's).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

PRINCIPALS = ["teacher", "sped", "chair", "building_admin", "district_admin", "outsider", "anonymous"]
RELATIONS = ["on_team", "same_school", "other_school", "other_district"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

# Who sees a student of each relation (the issue's table: Teams, the building admin's school, the district).
SEES = {
    "teacher": {"on_team"}, "sped": {"on_team"}, "chair": {"on_team"},
    "building_admin": {"on_team", "same_school"},
    "district_admin": {"on_team", "same_school", "other_school"},
    "outsider": {"other_district"},
    "anonymous": set(),
}
DISTRICT_ADMIN_OF = {"district_admin": {"on_team", "same_school", "other_school"}, "outsider": {"other_district"}}
IN_DISTRICT_OF = {p: ({"other_district"} if p == "outsider" else {"on_team", "same_school", "other_school"})
                  for p in PRINCIPALS if p != "anonymous"}
TEAM_MEMBER_OF = {"teacher": {"on_team"}, "sped": {"on_team"}, "chair": {"on_team"}}
CHAIR_OF = {"chair": {"on_team"}}
BUILDING_ADMIN_OF = {"building_admin": {"on_team", "same_school"}}
CHAIR_OR_DISTRICT_ADMIN = {p: CHAIR_OF.get(p, set()) | DISTRICT_ADMIN_OF.get(p, set()) for p in PRINCIPALS}

OK, LOGIN, DENY, HIDE, REFUSE = "ok", "login", "403", "404", "refused"
# 409: the principal got past the access check, but the object's state (an IEP that is not a draft, a section
# without the caller's lock, a stale version) refuses the write. Neither a leak nor a grant: it is accepted only
# where the rule says OK and the rule is in REFUSABLE; anyone who should get 404/403 still must.
CONFLICT = "409"


def _scoped(visible: dict, allowed: dict) -> Callable[[str, str | None], str]:
    def rule(principal, relation):
        if relation not in visible.get(principal, set()):
            return HIDE
        return OK if relation in allowed.get(principal, set()) else DENY
    return rule


# Expected outcome per rule, for an authenticated principal (anonymous always gets LOGIN).
RULES: dict[str, Callable[[str, str | None], str]] = {
    "signed_in": lambda p, r: OK,
    "own_only": lambda p, r: HIDE,
    "district_admin_any": lambda p, r: OK if p in DISTRICT_ADMIN_OF else DENY,
    "student_view": _scoped(SEES, SEES),
    "student_district_admin": _scoped(SEES, DISTRICT_ADMIN_OF),      # access log, Team management
    "student_team_member": _scoped(SEES, TEAM_MEMBER_OF),            # edit sections, record events
    "student_chair_or_district_admin": _scoped(SEES, {p: CHAIR_OF.get(p, set()) | DISTRICT_ADMIN_OF.get(p, set())
                                                      for p in PRINCIPALS}),
    "staff_district_admin": _scoped(IN_DISTRICT_OF, DISTRICT_ADMIN_OF),  # users and roles of a district
    # IEPs. Every IEP object of the matrix is a DRAFT, except `proposed_iep` (used by the respond routes only).
    "iep_edit": _scoped(SEES, TEAM_MEMBER_OF),                        # edit: Team members and chair, draft only
    "section_write": _scoped(SEES, TEAM_MEMBER_OF),                   # edit a section (needs the lock: 409)
    "iep_manage": _scoped(SEES, CHAIR_OR_DISTRICT_ADMIN),             # manage_iep: header, create, amend, copy
    "iep_propose": _scoped(SEES, CHAIR_OR_DISTRICT_ADMIN),            # propose: chair / district admin, draft
    "iep_respond": _scoped(SEES, CHAIR_OR_DISTRICT_ADMIN),            # respond: same, on a PROPOSED IEP
    "record_event": _scoped(SEES, TEAM_MEMBER_OF),                    # evaluations, timeline events (decision 2)
    "break_lock": _scoped(SEES, {p: CHAIR_OR_DISTRICT_ADMIN.get(p, set()) | BUILDING_ADMIN_OF.get(p, set())
                                 for p in PRINCIPALS}),
    "district_manage": _scoped(SEES, DISTRICT_ADMIN_OF),             # manage_district on the student's district
}
# Rules whose OK may come back as 409 (allowed, but refused for the object's state; see CONFLICT).
REFUSABLE = {"iep_edit", "section_write", "iep_manage", "iep_propose", "iep_respond", "break_lock"}


@dataclass
class Route:
    methods: dict[str, str]                                   # HTTP method -> RULES key
    fillers: dict[str, str] = field(default_factory=dict)    # kwarg -> OBJECTS key, overriding FILLERS


S = {"pk": "student"}
IEP_PK, PI, EV = {"pk": "iep"}, {"pk": "proposed_iep"}, {"pk": "evaluation"}
SEC, G, GRID = {"pk": "vision"}, {"pk": "goal"}, {"pk": "grid"}
ROUTES: dict[str, Route] = {
    "home": Route({"GET": "signed_in"}),
    "account:2fa-setup": Route({"GET": "signed_in", "POST": "signed_in"}),
    "account:2fa-verify": Route({"GET": "signed_in", "POST": "signed_in"}),
    "account:api-tokens": Route({"GET": "signed_in", "POST": "signed_in"}),
    # a token is its owner's alone: revoking another person's answers 404 (the matrix's tokens belong to staff
    # who are not principals)
    "account:api-token-revoke": Route({"POST": "own_only"}, {"token_pk": "token"}),
    "students:list": Route({"GET": "signed_in"}),
    "students:detail": Route({"GET": "student_view"}, S),
    "students:access_log": Route({"GET": "student_district_admin"}, S),
    "manage:index": Route({"GET": "district_admin_any"}),
    "manage:users": Route({"GET": "district_admin_any"}),
    "manage:user_create": Route({"GET": "district_admin_any", "POST": "district_admin_any"}),
    "manage:user_detail": Route({"GET": "staff_district_admin"}),
    "manage:user_deactivate": Route({"POST": "staff_district_admin"}),
    "manage:role_add": Route({"POST": "staff_district_admin"}),
    "manage:role_remove": Route({"POST": "staff_district_admin"}),
    "manage:team": Route({"GET": "student_district_admin", "POST": "student_district_admin"}, S),
    "manage:team_chair": Route({"POST": "student_district_admin"}, S),
    "manage:team_remove": Route({"POST": "student_district_admin"}, S),
    "api-root": Route({"GET": "signed_in"}),
    "student-list": Route({"GET": "signed_in"}),
    "student-detail": Route({"GET": "student_view"}, S),
    "student-access-log": Route({"GET": "student_district_admin"}, S),
    "manage-user-list": Route({"GET": "district_admin_any", "POST": "district_admin_any"}),
    "manage-user-detail": Route({"GET": "staff_district_admin"}, {"pk": "staff"}),
    "manage-user-deactivate": Route({"POST": "staff_district_admin"}, {"pk": "staff"}),
    "manage-role-list": Route({"GET": "district_admin_any", "POST": "district_admin_any"}),
    "manage-role-detail": Route({"GET": "staff_district_admin", "DELETE": "staff_district_admin"}, {"pk": "role"}),
    "team-membership-list": Route({"GET": "signed_in", "POST": "district_admin_any"}),
    "team-membership-detail": Route({"GET": "student_view", "DELETE": "student_district_admin"},
                                    {"pk": "membership"}),
    # IEP pages (iep/urls.py). Without a body, POSTs answer a form with errors (ok) or a redirect (ok).
    "iep:student_ieps": Route({"GET": "student_view", "POST": "iep_manage"}),
    "iep:student_evaluations": Route({"GET": "student_view", "POST": "record_event"}),
    "iep:evaluation_edit": Route({"GET": "record_event", "POST": "record_event"}, EV),
    "iep:detail": Route({"GET": "student_view"}, IEP_PK),
    "iep:header": Route({"GET": "iep_manage", "POST": "iep_manage"}, IEP_PK),
    "iep:glance": Route({"GET": "student_view"}, IEP_PK),
    "iep:goal_add": Route({"GET": "iep_edit", "POST": "iep_edit"}, IEP_PK),
    "iep:propose": Route({"POST": "iep_propose"}, IEP_PK),
    "iep:respond": Route({"GET": "iep_respond", "POST": "iep_respond"}, PI),
    "iep:amend": Route({"POST": "iep_manage"}, IEP_PK),
    "iep:copy_forward": Route({"POST": "iep_manage"}, IEP_PK),
    "iep:section_edit": Route({"GET": "section_write", "POST": "section_write"}, SEC),
    "iep:section_autosave": Route({"POST": "section_write"}, SEC),  # no body: 400 to those allowed
    "iep:section_break_lock": Route({"GET": "break_lock", "POST": "break_lock"}, SEC),
    "iep:section_history": Route({"GET": "student_view"}, SEC),
    "iep:section_restore": Route({"GET": "section_write", "POST": "section_write"}, SEC),
    "iep:goal_remove": Route({"GET": "section_write", "POST": "section_write"}, G),
    "iep:goal_move": Route({"POST": "section_write"}, G),
    "iep:line_add": Route({"GET": "section_write", "POST": "section_write"}, GRID),
    "iep:line_edit": Route({"GET": "section_write", "POST": "section_write"}, GRID),
    "iep:line_remove": Route({"GET": "section_write", "POST": "section_write"}, GRID),
    "iep:line_move": Route({"POST": "section_write"}, GRID),
    # IEP API (iep/api.py). Creating answers 400 to everyone signed in without a body (the student is in it).
    "iep-list": Route({"GET": "signed_in", "POST": "signed_in"}),
    "iep-detail": Route({"GET": "student_view", "PUT": "iep_manage", "PATCH": "iep_manage"}, IEP_PK),
    "iep-amend": Route({"POST": "iep_manage"}, IEP_PK),
    "iep-copy-forward": Route({"POST": "iep_manage"}, IEP_PK),
    "iep-goals": Route({"POST": "iep_edit"}, IEP_PK),
    "iep-reorder-goals": Route({"POST": "iep_edit"}, IEP_PK),
    "iep-propose": Route({"POST": "iep_propose"}, IEP_PK),
    "iep-respond": Route({"POST": "iep_respond"}, PI),
    "section-detail": Route({"GET": "student_view", "PUT": "section_write", "PATCH": "section_write",
                             "DELETE": "section_write"}, G),
    "section-history": Route({"GET": "student_view"}, SEC),
    "section-restore": Route({"POST": "section_write"}, SEC),
    "section-lines": Route({"POST": "section_write"}, GRID),
    "section-line": Route({"PUT": "section_write", "DELETE": "section_write"}, GRID),
    "section-reorder-lines": Route({"POST": "section_write"}, GRID),
    "section-lock": Route({"GET": "student_view"}, SEC),
    "section-check-out": Route({"POST": "section_write"}, SEC),
    "section-heartbeat": Route({"POST": "section_write"}, SEC),
    "section-draft": Route({"POST": "section_write"}, SEC),
    "section-check-in": Route({"POST": "section_write"}, SEC),
    "section-discard": Route({"POST": "section_write"}, SEC),
    "section-break-lock": Route({"POST": "break_lock"}, SEC),
    "ping": Route({"GET": "signed_in"}),
    "evaluation-list": Route({"GET": "signed_in", "POST": "signed_in"}),
    # Printed documents (issue 8): anyone who sees the student may start one and download it.
    "iep_pdf:start": Route({"POST": "student_view"}, IEP_PK),
    "iep_pdf:status": Route({"GET": "student_view"}, {"pk": "document"}),
    "iep_pdf:download": Route({"GET": "student_view"}, {"pk": "document"}),
    "iep_pdf_api:start": Route({"POST": "student_view"}, IEP_PK),
    "iep_pdf_api:status": Route({"GET": "student_view"}, {"pk": "document"}),
    "iep_pdf_api:download": Route({"GET": "student_view"}, {"pk": "document"}),
    "evaluation-detail": Route({"GET": "student_view", "PUT": "record_event", "PATCH": "record_event"}, EV),
}
# timelines (issue 6): timeline page and events; district calendars (district administrators); deadlines API
ROUTES.update({
    "timelines:student": Route({"GET": "student_view", "POST": "student_team_member"}, S),
    "timelines:facts": Route({"POST": "student_team_member"}, S),
    "timelines:event_correct": Route({"GET": "student_team_member", "POST": "student_team_member"}, S),
    "timelines:calendars": Route({"GET": "staff_district_admin", "POST": "staff_district_admin"}),
    "timelines:calendar_new": Route({"GET": "staff_district_admin", "POST": "staff_district_admin"}),
    "timelines:calendar_edit": Route({"GET": "staff_district_admin", "POST": "staff_district_admin"},
                                     {"pk": "calendar"}),
    "timelines:calendar_json": Route({"GET": "staff_district_admin"}),
    "timelines:calendar_ics": Route({"GET": "staff_district_admin"}),
    "deadline-list": Route({"GET": "signed_in"}),
    "deadline-detail": Route({"GET": "student_view"}, {"pk": "deadline"}),
    "timeline-event-list": Route({"GET": "signed_in", "POST": "signed_in"}),  # an empty body: 400 for all
    "timeline-event-detail": Route({"GET": "student_view"}, {"pk": "event"}),
})

# Kept explicit and short: public pages, the API's own documentation, and the Django admin (superusers only;
# test_permission_matrix asserts separately that it turns away every non-staff principal).
EXEMPT = {"login", "logout", "healthz", "api-schema", "api-docs", "api-redoc"}
EXEMPT_NAMESPACES = {"admin"}

# kwarg -> OBJECTS key, for kwargs whose name says what they are.
FILLERS: dict[str, str] = {"student_pk": "student", "user_pk": "staff", "role_pk": "role", "iep_pk": "iep",
                           "section_pk": "vision", "evaluation_pk": "evaluation", "history_id": "history",
                           "line_id": "line"}
FILLERS.update({"district_pk": "district", "event_pk": "event"})  # timelines
# OBJECTS key -> function(world, relation) returning the object whose pk fills the kwarg.
OBJECTS: dict[str, Callable] = {
    "student": lambda world, relation: world.students[relation],
    "staff": lambda world, relation: world.staff[relation],
    "role": lambda world, relation: world.staff[relation].role_assignments.first(),
    "membership": lambda world, relation: world.staff[relation].team_memberships.get(
        student=world.students[relation]),
    "iep": lambda world, relation: world.ieps[relation]["iep"],              # a draft, with every section
    "proposed_iep": lambda world, relation: world.ieps[relation]["proposed_iep"],
    "vision": lambda world, relation: world.ieps[relation]["vision"],
    "goal": lambda world, relation: world.ieps[relation]["goal"],
    "grid": lambda world, relation: world.ieps[relation]["grid"],
    "line": lambda world, relation: world.ieps[relation]["line"],            # .pk is the line's id in the grid
    "history": lambda world, relation: world.ieps[relation]["vision"].history.order_by("history_id").first(),
    "evaluation": lambda world, relation: world.ieps[relation]["evaluation"],
    "document": lambda world, relation: world.ieps[relation]["document"],
    "token": lambda world, relation: _api_token(world.staff[relation]),
}


def _api_token(user):
    from accounts.services import api_token_create

    return user.api_tokens.first() or api_token_create(user=user, name="matrix", days=30)[0]
OBJECTS.update({  # timelines
    "district": lambda world, relation: world.students[relation].district,
    "event": lambda world, relation: _timeline_row("event", world.students[relation]),
    "deadline": lambda world, relation: _timeline_row("deadline", world.students[relation]),
    "calendar": lambda world, relation: _timeline_row("calendar", world.students[relation]),
})


def _timeline_row(kind: str, student):
    import datetime

    from timelines.models import Deadline, SchoolCalendar, TimelineEvent

    day = datetime.date(2025, 10, 6)
    if kind == "event":
        return TimelineEvent.objects.get_or_create(student=student, key="referral_received", date=day)[0]
    if kind == "calendar":
        return SchoolCalendar.objects.get_or_create(district=student.district, label="2025-26", defaults={
            "first_day": datetime.date(2025, 8, 27), "last_day": datetime.date(2026, 6, 16)})[0]
    return Deadline.objects.get_or_create(student=student, key="records_access", cycle=day, defaults={
        "school": student.school, "trigger": "records_requested", "due": day + datetime.timedelta(days=10),
        "citation": "603 CMR 23.07(2)", "basis": "10 calendar days after records_requested", "status": "overdue",
        "computed_at": datetime.datetime(2025, 10, 6, tzinfo=datetime.UTC)})[0]


FILLERS_FILE = "tests/accounts/matrix.py"


@dataclass
class World:
    users: dict
    students: dict
    staff: dict
    ieps: dict = field(default_factory=dict)   # relation -> {"iep", "proposed_iep", "vision", "goal", ...}


def _iep_objects(student, user) -> dict:
    """A draft IEP made through the services (so every section and its history exist), a goal, one service
    line in its grid, an evaluation, and a second IEP put in the proposed state (for the respond routes)."""
    import datetime
    from types import SimpleNamespace

    from iep.models import IEP, Evaluation, Section
    from iep.services.evaluations import evaluation_create
    from iep.services.sections import goal_add, iep_create

    start = datetime.date(2026, 9, 1)
    iep = iep_create(student=student, user=user, start_date=start, meeting_date=datetime.date(2026, 8, 25))
    goal_add(iep=iep, user=user, content={"area": "Reading fluency", "baseline": "Reads 60 words per minute.",
                                          "target": "Reads 100 words per minute.", "benchmarks": ["75 wpm"]})
    goal = goal_add(iep=iep, user=user, content={"area": "Written expression", "baseline": "One paragraph.",
                                                 "target": "Five paragraphs.", "benchmarks": ["Three"]})
    grid = iep.sections.get(kind=Section.Kind.SERVICE_GRID)
    first_goal = iep.sections.goals().order_by("position").first()
    line = {"id": "a1b2c3d4", "group": "C", "goals": [first_goal.pk], "service_type": "Reading instruction",
            "provided_by": "Special Education Teacher", "location": "Learning center", "frequency": 5, "minutes": 45,
            "start_date": "2026-09-01", "end_date": "2027-06-15"}
    # Written directly: section writes need the writer's lock (check-out), which is beside the point here.
    Section.objects.filter(pk=grid.pk).update(content={"lines": [line]})
    grid.refresh_from_db()
    proposed = iep_create(student=student, user=user, start_date=start + datetime.timedelta(days=365))
    IEP.objects.filter(pk=proposed.pk).update(status=IEP.Status.PROPOSED)
    proposed.refresh_from_db()
    evaluation = evaluation_create(student=student, user=user, area=Evaluation.Area.EDUCATIONAL,
                                   evaluator_name="Matrix Evaluator", evaluator_role="School psychologist")
    from django.core.files.base import ContentFile

    from iep.models import RenderedDocument

    document = RenderedDocument(iep=iep, kind=RenderedDocument.Kind.SUMMARY, cache_key=f"matrix-{iep.pk}",
                                status=RenderedDocument.Status.READY, sha256="0" * 64, requested_by=user)
    document.file.save(f"matrix-{iep.pk}.pdf", ContentFile(b"%PDF-1.4\n% a stand-in: only access is tested\n"),
                       save=False)
    document.save()
    return {"iep": iep, "proposed_iep": proposed, "vision": iep.sections.get(kind=Section.Kind.VISION),
            "goal": goal, "grid": grid, "line": SimpleNamespace(pk=grid.content["lines"][0]["id"]),
            "evaluation": evaluation, "document": document}


def build_world() -> World:
    """One set of objects per relation, made through the real services (so guardian rows exist)."""
    from accounts.models import Role, TeamMembership
    from accounts.services import team_membership_add
    from tests.factories import DistrictFactory, RoleAssignmentFactory, SchoolFactory, StudentFactory, UserFactory

    district, other_district = DistrictFactory(), DistrictFactory()
    school_a, school_b = SchoolFactory(district=district), SchoolFactory(district=district)
    school_c = SchoolFactory(district=other_district)

    def person(name, role, school, of=district):
        user = UserFactory(username=f"matrix_{name}", district=of)
        RoleAssignmentFactory(user=user, role=role, district=of, school=None if role == Role.DISTRICT_ADMIN else school)
        return user

    users = {
        "teacher": person("teacher", Role.GENERAL_EDUCATOR, school_a),
        "sped": person("sped", Role.SPECIAL_EDUCATOR, school_a),
        "chair": person("chair", Role.TEAM_CHAIR, school_a),
        "building_admin": person("building_admin", Role.BUILDING_ADMIN, school_a),
        "district_admin": person("district_admin", Role.DISTRICT_ADMIN, None),
        "outsider": person("outsider", Role.DISTRICT_ADMIN, None, of=other_district),
    }
    students = {
        "on_team": StudentFactory(school=school_a), "same_school": StudentFactory(school=school_a),
        "other_school": StudentFactory(school=school_b), "other_district": StudentFactory(school=school_c),
    }
    team_membership_add(student=students["on_team"], user=users["chair"], team_role=TeamMembership.TeamRole.CHAIR)
    team_membership_add(student=students["on_team"], user=users["sped"])
    team_membership_add(student=students["on_team"], user=users["teacher"])
    staff_a = person("staff_a", Role.GENERAL_EDUCATOR, school_a)
    staff = {"on_team": staff_a, "same_school": staff_a,
             "other_school": person("staff_b", Role.SPECIAL_EDUCATOR, school_b),
             "other_district": person("staff_c", Role.GENERAL_EDUCATOR, school_c, of=other_district)}
    for relation, student in students.items():  # every student has a Team member who is not a principal
        team_membership_add(student=student, user=staff[relation])
    ieps = {relation: _iep_objects(student, staff[relation]) for relation, student in students.items()}
    return World(users=users, students=students, staff=staff, ieps=ieps)


@dataclass
class Endpoint:
    name: str | None
    route: str
    kwargs: list[str]
    is_api: bool
    namespace: str | None = None


def _kwargs_of(pattern) -> list[str]:
    inner = pattern.pattern
    if isinstance(inner, RoutePattern):
        return list(inner.converters)
    return list(inner.regex.groupindex)


def walk(patterns=None, prefix: str = "", namespace: str | None = None, kwargs: tuple = ()):
    """Every URLPattern of the resolver, with its full name, route text and kwargs (recursively)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            space = namespace
            if pattern.namespace:
                space = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), space,
                            kwargs + tuple(_kwargs_of(pattern)))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            route = prefix + str(pattern.pattern)
            yield Endpoint(name=name, route=route, kwargs=[*kwargs, *_kwargs_of(pattern)],
                           is_api=hasattr(pattern.callback, "cls"), namespace=namespace)


def schema_operations() -> list[tuple[str, str]]:
    """(path, METHOD) of every operation in the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(path, method.upper()) for path, operations in schema["paths"].items() for method in operations
            if method.upper() in METHODS]


@dataclass
class Case:
    endpoint: Endpoint
    spec: Route
    principal: str
    relation: str | None
    method: str


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))


def outcome_of(response, is_api: bool) -> str:
    status = response.status_code
    if _is_login_redirect(response):
        return LOGIN
    if status in (401, 403):
        return DENY
    if status == 404:
        return HIDE
    if status == 405:
        return REFUSE
    if status == 409:
        return CONFLICT
    return OK if status < 500 else f"error {status}"


def expected(case: Case) -> set[str]:
    rule_name = case.spec.methods.get(case.method)
    if rule_name is None:  # not a method of this endpoint: anything but success
        return {LOGIN, DENY, HIDE, REFUSE}
    if case.principal == "anonymous":
        return {DENY} if case.endpoint.is_api else {LOGIN}
    want = RULES[rule_name](case.principal, case.relation)
    if want == OK and rule_name in REFUSABLE:
        return {OK, CONFLICT}
    return {want}


class Matrix:
    """Builds the cases from the resolver and the schema; `check()` returns a list of failure messages."""

    def __init__(self, world: World, routes: dict[str, Route] | None = None, only: set[str] | None = None,
                 sample: int | None = None):
        self.world, self.routes, self.only = world, ROUTES if routes is None else routes, only
        self.sample = sample
        self.problems: list[str] = []
        # A crash is reported as "error 500" for its case, instead of ending the whole matrix.
        self.clients = {"anonymous": Client(raise_request_exception=False)}
        for name, user in world.users.items():
            self.clients[name] = Client(raise_request_exception=False)
            self.clients[name].force_login(user)

    def endpoints(self) -> list[tuple[Endpoint, Route]]:
        found = []
        for endpoint in walk():
            if (endpoint.namespace or "").split(":")[0] in EXEMPT_NAMESPACES:
                continue
            if endpoint.name is None:
                self.problems.append(f"route {endpoint.route!r} has no name: name it and add it to ROUTES")
                continue
            if self.only is not None and endpoint.name not in self.only:
                continue
            if endpoint.name in EXEMPT:
                continue
            if "format" in endpoint.kwargs:  # DRF's ".json" duplicates of the same view
                continue
            spec = self.routes.get(endpoint.name)
            if spec is None:
                self.problems.append(f"route {endpoint.name!r} ({endpoint.route}) is not classified: add it to "
                                     f"ROUTES in {FILLERS_FILE} with the access rule of each method")
                continue
            unknown = [k for k in endpoint.kwargs if k not in spec.fillers and k not in FILLERS]
            if unknown:
                for kwarg in unknown:
                    self.problems.append(f"add a filler for {kwarg} in {FILLERS_FILE} (FILLERS, or "
                                         f"Route(fillers=...) of {endpoint.name!r})")
                continue
            found.append((endpoint, spec))
        return found

    def check_schema(self) -> None:
        for path, method in schema_operations():
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            try:
                match = resolve(concrete)
            except Resolver404:
                self.problems.append(f"schema operation {method} {path} does not resolve")
                continue
            if self.only is not None and match.view_name not in self.only:
                continue
            spec = self.routes.get(match.view_name)
            if spec is None or method not in spec.methods:
                self.problems.append(f"schema operation {method} {path} (route {match.view_name!r}) is not "
                                     f"classified: declare {method} in ROUTES[{match.view_name!r}]")

    def cases(self) -> list[Case]:
        cases = []
        for endpoint, spec in self.endpoints():
            relations = RELATIONS if endpoint.kwargs else [None]
            for relation in relations:
                for principal in PRINCIPALS:
                    for method in METHODS:
                        cases.append(Case(endpoint, spec, principal, relation, method))
        if self.sample:
            cases = random.Random(0).sample(cases, min(self.sample, len(cases)))
        return cases

    def url(self, case: Case) -> str:
        kwargs = {}
        for kwarg in case.endpoint.kwargs:
            obj = OBJECTS[case.spec.fillers.get(kwarg) or FILLERS[kwarg]](self.world, case.relation)
            kwargs[kwarg] = obj.pk
        return reverse(case.endpoint.name, kwargs=kwargs)

    def run(self, case: Case) -> str:
        client = self.clients[case.principal]
        url = self.url(case)
        with transaction.atomic():  # writes are undone, so every case sees the same world
            response = client.generic(case.method, url)
            transaction.set_rollback(True)
        return outcome_of(response, case.endpoint.is_api)

    def check(self) -> list[str]:
        self.check_schema()
        cases = self.cases()
        for case in cases:
            want = expected(case)
            got = self.run(case)
            if got not in want:
                self.problems.append(
                    f"{case.method} {case.endpoint.name} [{case.relation or '-'}] as {case.principal}: "
                    f"got {got}, expected {' or '.join(sorted(want))}")
        self.cases_run = len(cases)
        return self.problems

# Deadline dashboards (issue 7): the district page for its district administrators (others of the district 403),
# a school's page for its building administrators and the district's administrators; every list, export and API
# endpoint is open to anyone signed in because it only ever counts and lists that user's visible students.
RULES["school_dashboard"] = _scoped(IN_DISTRICT_OF, {
    p: BUILDING_ADMIN_OF.get(p, set()) | DISTRICT_ADMIN_OF.get(p, set()) for p in PRINCIPALS})
ROUTES.update({
    "dashboard:home": Route({"GET": "signed_in"}),
    "dashboard:district": Route({"GET": "staff_district_admin"}),
    "dashboard:school": Route({"GET": "school_dashboard"}),
    "dashboard:caseload": Route({"GET": "signed_in"}),
    "dashboard:teams": Route({"GET": "signed_in"}),
    "dashboard:deadlines": Route({"GET": "signed_in"}),
    "dashboard:deadlines_csv": Route({"GET": "signed_in"}),
    "dashboard-summary": Route({"GET": "signed_in"}),
    "dashboard-deadlines": Route({"GET": "signed_in"}),
})
FILLERS["school_pk"] = "school"
OBJECTS["school"] = lambda world, relation: world.students[relation].school

# Sign-in (issue 23): password reset and single sign-on pages are for people not signed in yet, like the sign-in
# page itself; the rest are the signed-in person's own pages, the district's security log (district
# administrators) and forcing a staff member's password reset (that staff member's district administrators).
EXEMPT |= {"password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
           "signin:oidc_start", "signin:oidc_callback"}
ROUTES.update({
    "signin:password_change": Route({"GET": "signed_in", "POST": "signed_in"}),
    "signin:password_change_done": Route({"GET": "signed_in"}),
    "signin:security_log": Route({"GET": "district_admin_any"}),
    "signin:email_preferences": Route({"GET": "signed_in", "POST": "signed_in"}),
    "signin:backup_codes": Route({"GET": "signed_in", "POST": "signed_in"}),
    "signin:force_reset": Route({"POST": "staff_district_admin"}),
})

# Team meetings (docs/meetings.md): the chair, building and district administrators schedule (meetings, invitations,
# contact attempts, excusals, consents); Team members too may record attendance; anyone who sees the student reads.
# The calendar feed (meetings:feed_ics) answers to its secret token, not to a session: tested in tests/meetings.
RULES["meeting_schedule"] = _scoped(SEES, {p: CHAIR_OR_DISTRICT_ADMIN.get(p, set()) | BUILDING_ADMIN_OF.get(p, set())
                                           for p in PRINCIPALS})
RULES["meeting_attendance"] = _scoped(SEES, {p: TEAM_MEMBER_OF.get(p, set()) | DISTRICT_ADMIN_OF.get(p, set())
                                             | BUILDING_ADMIN_OF.get(p, set()) for p in PRINCIPALS})
EXEMPT.add("meetings:feed_ics")
MT, SCHED, ATT, VIEW = {"pk": "meeting"}, "meeting_schedule", "meeting_attendance", "student_view"
ROUTES.update({
    "meetings:student_meetings": Route({"GET": VIEW, "POST": SCHED}),
    "meetings:consents": Route({"GET": VIEW, "POST": SCHED}),
    "meetings:mine": Route({"GET": "signed_in"}),
    "meetings:month": Route({"GET": "signed_in"}),
    "meetings:feed": Route({"GET": "signed_in", "POST": "signed_in"}),
    "meetings:detail": Route({"GET": VIEW}),
    "meetings:edit": Route({"GET": SCHED, "POST": SCHED}),
    "meetings:cancel": Route({"POST": SCHED}),
    "meetings:hold": Route({"GET": SCHED, "POST": SCHED}),
    "meetings:invitation_create": Route({"POST": SCHED}),
    "meetings:contact_create": Route({"POST": SCHED}),
    "meetings:excusal_create": Route({"POST": SCHED}),
    "meetings:attendance_create": Route({"POST": ATT}),
    "meetings:invitation": Route({"GET": VIEW}),
    "meetings:invitation_download": Route({"GET": VIEW}),
    "meetings:excusal_agreement": Route({"GET": VIEW}),
    "meetings:consent_respond": Route({"GET": SCHED, "POST": SCHED}),
    "meetings:consent_form": Route({"GET": VIEW}),
    "meeting-list": Route({"GET": "signed_in", "POST": "signed_in"}),  # an empty body: 400 for all
    "meeting-detail": Route({"GET": VIEW, "PATCH": SCHED}, MT),
    "meeting-hold": Route({"POST": SCHED}, MT),
    "meeting-cancel": Route({"POST": SCHED}, MT),
    "meeting-invitation-list": Route({"GET": "signed_in", "POST": "signed_in"}),
    "meeting-invitation-detail": Route({"GET": VIEW}, {"pk": "invitation"}),
    "meeting-invitation-download": Route({"GET": VIEW}, {"pk": "invitation"}),
    "meeting-contact-attempt-list": Route({"GET": "signed_in", "POST": "signed_in"}),
    "meeting-contact-attempt-detail": Route({"GET": VIEW}, {"pk": "contact_attempt"}),
    "meeting-excusal-list": Route({"GET": "signed_in", "POST": "signed_in"}),
    "meeting-excusal-detail": Route({"GET": VIEW}, {"pk": "excusal"}),
    "meeting-attendance-list": Route({"GET": "signed_in", "POST": "signed_in"}),
    "meeting-attendance-detail": Route({"GET": VIEW}, {"pk": "attendance"}),
    "evaluation-consent-list": Route({"GET": "signed_in", "POST": "signed_in"}),
    "evaluation-consent-detail": Route({"GET": VIEW}, {"pk": "consent"}),
    "evaluation-consent-respond": Route({"POST": SCHED}, {"pk": "consent"}),
})
FILLERS.update({"meeting_pk": "meeting", "invitation_pk": "invitation", "excusal_pk": "excusal",
                "consent_pk": "consent"})
for _kind in ("meeting", "invitation", "contact_attempt", "excusal", "attendance", "consent"):
    OBJECTS[_kind] = lambda world, relation, kind=_kind: _meeting_objects(world, relation)[kind]


def _meeting_objects(world, relation) -> dict:
    """A scheduled meeting next month (with a printed invitation, a contact attempt and an excusal with its
    uploaded agreement), a held meeting with one attendee, and a consent with its signed form; once per relation."""
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from meetings.models import Attendance, ContactAttempt, EvaluationConsent, Excusal, Invitation, Meeting

    cache = world.__dict__.setdefault("meeting_objects", {})
    if relation in cache:
        return cache[relation]
    student, staff = world.students[relation], world.staff[relation]
    today = timezone.localdate()
    meeting = Meeting.objects.create(student=student, meeting_type="annual_review", start_time=datetime.time(9),
                                     date=today + datetime.timedelta(days=30), location="Room 1", purpose="Review.",
                                     scheduled_by=staff)
    held = Meeting.objects.create(student=student, meeting_type="eligibility", start_time=datetime.time(9),
                                  date=today - datetime.timedelta(days=3), location="Room 1", purpose="Eligibility.",
                                  status="held", scheduled_by=staff)
    pdf = b"%PDF-1.4\n% a stand-in: only access is tested\n"
    invitation = Invitation(meeting=meeting, sent_on=today, method="mail", status="ready", sha256="0" * 64)
    invitation.file.save(f"matrix-invitation-{meeting.pk}.pdf", ContentFile(pdf), save=False)
    invitation.save()
    excusal = Excusal(meeting=meeting, member=staff, parent_agreed_on=today)
    excusal.agreement.save(f"matrix-excusal-{meeting.pk}.pdf", ContentFile(pdf), save=False)
    excusal.save()
    consent = EvaluationConsent(student=student, kind="initial", sent_on=today)
    consent.signed_form.save(f"matrix-consent-{meeting.pk}.pdf", ContentFile(pdf), save=False)
    consent.save()
    cache[relation] = {
        "meeting": meeting, "invitation": invitation, "excusal": excusal, "consent": consent,
        "contact_attempt": ContactAttempt.objects.create(meeting=meeting, attempted_on=today, method="phone",
                                                         outcome="no_answer"),
        "attendance": Attendance.objects.create(meeting=held, kind="staff", user=staff, role="Teacher"),
    }
    return cache[relation]
# Progress reports (docs/progress-reports.md): Team members write reports, the chair (only) finalises and records
# sending, everyone who sees the student reads; district administrators manage marking periods, which everyone of
# the district may read through the API. POSTs without a body answer 400 (counted as reaching the door: ok).
RULES["district_staff"] = _scoped(IN_DISTRICT_OF, IN_DISTRICT_OF)
RULES["student_chair"] = _scoped(SEES, CHAIR_OF)
PR, PG, PI2, PD = {"pk": "progress_report"}, {"pk": "progress_goal"}, {"pk": "progress_iep"}, {"pk": "progress_doc"}
ROUTES.update({
    "progress:worklist": Route({"GET": "signed_in"}),
    "progress:report_start": Route({"POST": "signed_in"}),
    "progress:report_edit": Route({"GET": "student_team_member", "POST": "student_team_member"}, PR),
    "progress:report_correct": Route({"GET": "student_team_member", "POST": "student_team_member"}, PR),
    "progress:goal_plan": Route({"GET": "student_team_member", "POST": "student_team_member"}, PG),
    "progress:schedule": Route({"GET": "student_team_member", "POST": "student_team_member"}, PI2),
    "progress:student": Route({"GET": "student_view"}, S),
    "progress:finalise": Route({"POST": "student_chair"}, {"pk": "student", "period_pk": "progress_period"}),
    "progress:document_download": Route({"GET": "student_view"}, PD),
    "progress:document_sent": Route({"GET": "student_chair", "POST": "student_chair"}, PD),
    "progress:periods": Route({"GET": "staff_district_admin", "POST": "staff_district_admin"}),
    "progress:period_edit": Route({"GET": "staff_district_admin", "POST": "staff_district_admin"},
                                  {"pk": "progress_period"}),
    "progress:oversight": Route({"GET": "signed_in"}),
    "progress:overdue": Route({"GET": "signed_in"}),
    "marking-period-list": Route({"GET": "signed_in", "POST": "signed_in"}),
    "marking-period-detail": Route({"GET": "district_staff", "PUT": "staff_district_admin",
                                    "DELETE": "staff_district_admin"}, {"pk": "progress_period"}),
    "marking-period-import-csv": Route({"POST": "signed_in"}),
    "progress-report-list": Route({"GET": "signed_in", "POST": "signed_in"}),
    "progress-report-detail": Route({"GET": "student_view", "PATCH": "student_team_member"}, PR),
    "progress-report-check-out": Route({"POST": "student_team_member"}, PR),
    "progress-report-release": Route({"POST": "student_team_member"}, PR),
    "progress-report-correct": Route({"POST": "student_team_member"}, PR),
    "progress-document-list": Route({"GET": "signed_in", "POST": "signed_in"}),
    "progress-document-detail": Route({"GET": "student_view"}, PD),
    "progress-document-sent": Route({"POST": "student_chair"}, PD),
    "progress-document-download": Route({"GET": "student_view"}, PD),
})


def _progress(world, relation) -> dict:
    """Per relation: an accepted IEP (2025-09-01 to 2026-08-31) with a goal, the district's Term 1 of 2025-26, a
    draft report on the goal and a ready progress document (a stand-in file). Made once, outside the cases."""
    cache = world.__dict__.setdefault("_progress", {})
    if relation in cache:
        return cache[relation]
    import datetime

    from django.core.files.base import ContentFile

    from iep.models import IEP
    from iep.services.sections import goal_add, iep_create
    from progress.models import MarkingPeriod, ProgressDocument
    from progress.services import report_start

    student, user = world.students[relation], world.staff[relation]
    iep = iep_create(student=student, user=user, start_date=datetime.date(2025, 9, 1))
    goal = goal_add(iep=iep, user=user, content={"area": "Reading", "target": "Reads 100 words per minute.",
                                                 "benchmarks": ["80 wpm"]})
    iep.status = IEP.Status.ACCEPTED
    iep.save()
    period, _ = MarkingPeriod.objects.get_or_create(
        district=student.district, school=None, iep=None, name="Term 1", school_year="2025-26",
        defaults={"start": datetime.date(2025, 9, 2), "end": datetime.date(2025, 11, 14),
                  "report_due": datetime.date(2025, 11, 21)})
    report = report_start(goal=goal, period=period, user=user)
    document = ProgressDocument(student=student, iep=iep, period=period, status="ready", sha256="0" * 64,
                                finalised_by=user, finalised_at=datetime.datetime(2025, 11, 20, tzinfo=datetime.UTC))
    document.file.save(f"matrix-progress-{student.pk}.pdf", ContentFile(b"%PDF-1.4\n% stand-in\n"), save=False)
    document.save()
    cache[relation] = {"iep": iep, "goal": goal, "period": period, "report": report, "document": document}
    return cache[relation]


OBJECTS.update({
    "progress_iep": lambda world, relation: _progress(world, relation)["iep"],
    "progress_goal": lambda world, relation: _progress(world, relation)["goal"],
    "progress_period": lambda world, relation: _progress(world, relation)["period"],
    "progress_report": lambda world, relation: _progress(world, relation)["report"],
    "progress_doc": lambda world, relation: _progress(world, relation)["document"],
})

# Roster import (docs/roster-import.md): district administrators of the district only; the templates are public to
# anyone signed in; suggested teachers: the student's chair and the district's administrators.
ROUTES.update({
    "roster:district": Route({"GET": "staff_district_admin", "POST": "staff_district_admin"}),
    "roster:run": Route({"GET": "staff_district_admin"}, {"pk": "roster_run"}),
    "roster:run_apply": Route({"POST": "staff_district_admin"}, {"pk": "roster_run"}),
    "roster:mapping_new": Route({"GET": "staff_district_admin", "POST": "staff_district_admin"}),
    "roster:mapping_edit": Route({"GET": "staff_district_admin", "POST": "staff_district_admin"},
                                 {"pk": "roster_mapping"}),
    "roster:template_students": Route({"GET": "signed_in"}),
    "roster:template_staff": Route({"GET": "signed_in"}),
    "roster:suggestions": Route({"GET": "student_chair_or_district_admin", "POST": "student_chair_or_district_admin"},
                                S),
})


def _roster_row(kind: str, student):
    import datetime

    from roster.models import ImportRun, RosterMapping

    mapping = RosterMapping.objects.get_or_create(district=student.district, name="Default")[0]
    if kind == "mapping":
        return mapping
    return ImportRun.objects.get_or_create(district=student.district, mapping=mapping, defaults={
        "run_date": datetime.date(2026, 9, 1), "status": ImportRun.Status.DONE, "dry_run": True})[0]


OBJECTS.update({
    "roster_run": lambda world, relation: _roster_row("run", world.students[relation]),
    "roster_mapping": lambda world, relation: _roster_row("mapping", world.students[relation]),
})
