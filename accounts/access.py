"""The ONE module that decides who may see or do what.

Every door (view, viewset, PDF, export, search, dashboard) asks here. Out of scope answers 404 (the
record's existence is not revealed), in scope but not permitted answers 403.

Verbs understood by `can(user, verb, obj)`; `obj` is a Student, a District, or anything that leads to a
student through `.student` or `.iep.student` (an IEP, a section, a goal, an evaluation, an event):

| verb             | who                                                                             |
|------------------|---------------------------------------------------------------------------------|
| view             | anyone who sees the student (Team member or chair, building admin of the        |
|                  | student's school, district admin of the student's district)                       |
| edit             | Team members and the chair, only while the IEP (if any) is a draft                |
| manage_iep       | the chair and district admins: create an IEP, edit its header, amend, copy forward|
| propose          | the chair and district admins, while the IEP is a draft                           |
| respond          | the chair and district admins, while the IEP is proposed (decision 1)             |
| break_lock       | the chair, building admins of the school, district admins                         |
| record_event     | Team members and the chair (evaluations and timeline events, decision 2)          |
| edit_student     | district admins (student and guardian data, decision 2)                           |
| manage_team      | district admins                                                                   |
| view_access_log  | district admins                                                                   |
| confirm_team_suggestion | the chair and district admins: add a teacher the roster suggests to the Team |
| manage_district  | on a District: its district admins (users, roles, calendars, dashboard)          |
| view_dashboard   | on a District: its district admins; on a School: its building or district admins |
| schedule_meeting | the chair, building admins of the school, district admins: meetings, invitations,|
|                  | contact attempts, excusals, consent to evaluate (docs/meetings.md)                |
| record_attendance| Team members and the chair, and whoever may schedule_meeting                     |
| write_progress   | Team members and the chair: progress reports on goals (docs/progress-reports.md)  |
| finalise_progress| the chair: finalise a period's progress reports, record their sending             |

Other helpers: `visible_students(user)` (ONE SQL query), `get_student_or_404`, `get_in_scope_or_404`,
`log_read(request, student, part, obj=None)` (the access log: call it from every door that shows one
student's record, IEP, section, PDF or export), and for staff pages `administered_districts`,
`staff_districts`, `visible_staff`, `get_staff_or_404`, `get_role_assignment_or_404`.
"""

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import F, Lookup, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from students.models import District, School, Student, StudentUserObjectPermission

from .models import ADMIN_ROLES, Role, RoleAssignment, TeamMembership, User

IEP_DRAFT = "draft"
IEP_PROPOSED = "proposed"

# The id of students.view_student, looked up once per process. A flush (which recreates permission
# rows under new ids) clears it through the post_migrate receiver in accounts.apps.
_view_student_permission_id: int | None = None


def view_student_permission_id() -> int:
    """The primary key of the `students.view_student` permission (cached per process)."""
    global _view_student_permission_id
    if _view_student_permission_id is None:
        _view_student_permission_id = Permission.objects.get(
            content_type__app_label="students", codename="view_student").pk
    return _view_student_permission_id


def forget_cached_ids(**kwargs) -> None:
    """Drop ids cached per process (connected to post_migrate: a flush recreates permissions)."""
    global _view_student_permission_id
    _view_student_permission_id = None


def close_log_purge_flag(using: str = "default", **kwargs) -> None:
    """SQLite only: make sure the access-log purge flag is closed after a migrate or flush (post_migrate).

    The flag lives in a table outside Django's models (migration 0004), so a flush does not empty it; the
    test suite opens it to let a flush DELETE the log (tests/conftest.py), and this closes it again.
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite" and "accounts_logpurgeflag" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_logpurgeflag")


def visible_students(user: User) -> QuerySet[Student]:
    """Students `user` may read: their Teams (guardian's direct foreign-key rows) plus their admin scope.

    ONE SQL query when evaluated (plus, once per process, the permission id lookup): the student ids come
    from a UNION ALL of three indexed branches, each bound to this user, so neither the admin roles nor the
    Team rows are fetched into Python first:
      - guardian's StudentUserObjectPermission rows (user_id, permission_id) -> content_object_id,
      - students of schools where the user is a building administrator,
      - students of districts where the user is a district administrator.
    On PostgreSQL the plan must not depend on the planner's row estimates (docs/scaling.md, "The visible
    students query"): the ids are collected into an array once (`id = ANY(ARRAY(...))`), so students are
    always probed by primary key and never scanned or hash-joined, and each admin branch walks its
    (school_id, id) or (district_id, id) index per role row through a LATERAL subquery.
    """
    if not user.is_authenticated or not user.is_active:
        return Student.objects.none()
    params = (user.pk, view_student_permission_id(), user.pk, Role.BUILDING_ADMIN, user.pk, Role.DISTRICT_ADMIN)
    if connection.vendor == "postgresql":
        return Student.objects.filter(IdInArray(F("pk"), RawSQL(_VISIBLE_IDS_SQL_POSTGRES, params)))
    return Student.objects.filter(pk__in=RawSQL(_VISIBLE_IDS_SQL, params))


class IdInArray(Lookup):
    """`lhs = ANY(ARRAY(subquery))`: PostgreSQL runs the subquery once (an InitPlan) and probes `lhs`'s index
    with the array, whatever it estimates the subquery returns. Used as an expression in `filter()`, so the
    left-hand side is aliased correctly when the queryset becomes a subquery itself."""

    lookup_name = "in_array"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


# The three branches of visible_students as one static SQL text. Written out rather than composed from three
# querysets with .union(): the SQL is identical, but building and compiling the ORM union cost ~2 ms of Python per
# call, a fifth of the 10 ms budget. Tables and columns come from the models' metadata, so renames follow.
def _visible_ids_sql() -> str:
    perm, student, role = StudentUserObjectPermission._meta, Student._meta, RoleAssignment._meta
    return (
        f"SELECT p.content_object_id FROM {perm.db_table} p WHERE p.user_id = %s AND p.permission_id = %s "
        f"UNION ALL SELECT s.id FROM {student.db_table} s JOIN {role.db_table} r ON s.school_id = r.school_id "
        f"WHERE r.user_id = %s AND r.role = %s "
        f"UNION ALL SELECT s.id FROM {student.db_table} s JOIN {role.db_table} r ON s.district_id = r.district_id "
        f"WHERE r.user_id = %s AND r.role = %s"
    )


# PostgreSQL's form of the same branches. Each admin branch is a LATERAL subquery per role row, ordered like the
# (school_id, id) / (district_id, id) index so that an index-only scan is always the cheapest plan: a teacher, who
# has no admin role, never touches the student table here, and an administrator never causes a parallel scan.
def _visible_ids_sql_postgres() -> str:
    perm, student, role = StudentUserObjectPermission._meta, Student._meta, RoleAssignment._meta
    branch = (
        "UNION ALL SELECT s.id FROM {role} r CROSS JOIN LATERAL (SELECT s.id FROM {student} s "
        "WHERE s.{column} = r.{column} ORDER BY s.{column}, s.id) s WHERE r.user_id = %s AND r.role = %s "
    )
    return (
        f"SELECT p.content_object_id FROM {perm.db_table} p WHERE p.user_id = %s AND p.permission_id = %s "
        + branch.format(role=role.db_table, student=student.db_table, column="school_id")
        + branch.format(role=role.db_table, student=student.db_table, column="district_id")
    ).strip()


_VISIBLE_IDS_SQL = _visible_ids_sql()
_VISIBLE_IDS_SQL_POSTGRES = _visible_ids_sql_postgres()


def get_student_or_404(user: User, pk: int) -> Student:
    """The student `pk` if `user` may see them; 404 otherwise, so existence is never revealed."""
    try:
        return visible_students(user).select_related("school", "district").get(pk=pk)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404("No student found.") from None


def get_in_scope_or_404(user: User, queryset: QuerySet, pk, student_path: str = "student"):
    """An object of `queryset` whose student (reached through `student_path`) `user` may see; else 404."""
    try:
        return queryset.filter(**{f"{student_path}__in": visible_students(user)}).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


def _student_of(obj) -> Student | None:
    if isinstance(obj, Student):
        return obj
    if hasattr(obj, "student"):
        return obj.student
    iep = getattr(obj, "iep", None)
    return iep.student if iep is not None else None


def _iep_status_of(obj) -> str | None:
    """The status of the IEP `obj` belongs to (or is), or None when `obj` is not part of an IEP."""
    iep = getattr(obj, "iep", None)
    if iep is not None:
        return iep.status
    if type(obj).__name__ == "IEP":
        return obj.status
    return None


def _admin_roles(user: User) -> list[tuple[str, int, int | None]]:
    cached = getattr(user, "_access_admin_roles", None)
    if cached is None:
        cached = list(user.role_assignments.filter(role__in=ADMIN_ROLES).values_list("role", "district_id",
                                                                                     "school_id"))
        user._access_admin_roles = cached
    return cached


def is_district_admin(user: User, district_id: int) -> bool:
    return any(role == Role.DISTRICT_ADMIN and d == district_id for role, d, _s in _admin_roles(user))


def is_building_admin(user: User, school_id: int) -> bool:
    return any(role == Role.BUILDING_ADMIN and s == school_id for role, _d, s in _admin_roles(user))


def _team_role(user: User, student: Student) -> str | None:
    return (TeamMembership.objects.filter(user=user, student=student).values_list("team_role", flat=True)
            .first())


def can_see_student(user: User, student: Student) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if is_district_admin(user, student.district_id) or is_building_admin(user, student.school_id):
        return True
    return StudentUserObjectPermission.objects.filter(user_id=user.pk, content_object_id=student.pk,
                                                      permission_id=view_student_permission_id()).exists()


def can(user: User, verb: str, obj) -> bool:
    """May `user` do `verb` to `obj`? False for anything outside the user's scope (callers answer 404 for
    objects outside `visible_students`, 403 for a False here on an object in scope)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if isinstance(obj, District):
        return verb in ("manage_district", "view_dashboard") and is_district_admin(user, obj.pk)
    if isinstance(obj, School):
        if verb == "view_dashboard":
            return is_district_admin(user, obj.district_id) or is_building_admin(user, obj.pk)
        return verb == "manage_district" and is_district_admin(user, obj.district_id)
    student = _student_of(obj)
    if student is None:
        return False
    if verb == "view":  # the commonest check: one indexed query, whatever the user's roles
        return visible_students(user).filter(pk=student.pk).exists()
    if not can_see_student(user, student):
        return False
    district_admin = is_district_admin(user, student.district_id)
    status = _iep_status_of(obj)
    if verb == "view":
        return True
    if verb in ("edit_student", "manage_team", "view_access_log"):
        return district_admin
    team_role = _team_role(user, student)
    is_chair = team_role == TeamMembership.TeamRole.CHAIR
    if verb == "edit":
        return team_role is not None and status in (None, IEP_DRAFT)
    if verb in ("record_event", "write_progress"):
        return team_role is not None
    if verb == "finalise_progress":
        return is_chair
    if verb in ("manage_iep", "confirm_team_suggestion"):
        return is_chair or district_admin
    if verb == "propose":
        return (is_chair or district_admin) and status == IEP_DRAFT
    if verb == "respond":
        return (is_chair or district_admin) and status == IEP_PROPOSED
    if verb == "break_lock":
        return is_chair or district_admin or is_building_admin(user, student.school_id)
    if verb == "schedule_meeting":  # Team meetings (docs/meetings.md)
        return is_chair or district_admin or is_building_admin(user, student.school_id)
    if verb == "record_attendance":
        return team_role is not None or district_admin or is_building_admin(user, student.school_id)
    raise ValueError(f"unknown verb {verb!r}")


def log_read(request, student: Student, part: str, obj=None) -> None:
    """Record that `request.user` read `part` of `student`'s record (603 CMR 23.07; decision 14).

    Call it from every door that shows ONE student's record, IEP, section, PDF or export, after the
    access check passed (never for list rows). `part` is an AccessLogEntry.Part value ("record", "iep",
    "section", "pdf", "export", ...); `obj` is the object read (an IEP, a section...), if not the student.
    The purpose is the route name of the page or endpoint, e.g. "students:detail" or "student-detail".
    """
    from .security import client_ip
    from .services import access_log_record

    match = getattr(request, "resolver_match", None)
    access_log_record(user=request.user, student=student, part=part, obj=obj,
                      purpose=match.view_name if match else "", path=request.path, method=request.method,
                      ip=client_ip(request))


def administered_districts(user: User) -> list[int]:
    """Ids of the districts where `user` is a district administrator (managing users, roles and Teams)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return sorted({d for role, d, _s in _admin_roles(user) if role == Role.DISTRICT_ADMIN})


def staff_districts(user: User) -> set[int]:
    """Districts whose staff `user` may know exist: where they are employed or hold any role."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_access_staff_districts", None)
    if cached is None:
        cached = set(user.role_assignments.values_list("district_id", flat=True))
        if user.district_id:
            cached.add(user.district_id)
        user._access_staff_districts = cached
    return cached


def visible_staff(user: User) -> QuerySet[User]:
    """Staff accounts of the districts `user` belongs to (the scope for user and role pages)."""
    return User.objects.filter(district_id__in=staff_districts(user))


def get_staff_or_404(user: User, pk) -> User:
    """The staff account `pk` if it is in `user`'s districts; 404 otherwise (out of scope)."""
    try:
        return visible_staff(user).select_related("district").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("No such user.") from None


def get_role_assignment_or_404(user: User, pk) -> RoleAssignment:
    """The role assignment `pk` if it is in one of `user`'s districts; 404 otherwise."""
    try:
        return (RoleAssignment.objects.filter(district_id__in=staff_districts(user))
                .select_related("user", "district", "school").get(pk=pk))
    except (RoleAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such role assignment.") from None


def security_log_districts(user: User) -> list[int] | None:
    """Districts whose security log (signin.SecurityEvent) `user` may read: None means every district
    (superusers); an empty list means none (the page answers 403). District administrators read their own."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return None
    return administered_districts(user)
