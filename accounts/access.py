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
| manage_district  | on a District: its district admins (users, roles, calendars, dashboard)          |
| view_dashboard   | on a District: its district admins; on a School: its building or district admins |
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from students.models import District, School, Student, StudentUserObjectPermission

from .models import ADMIN_ROLES, Role, TeamMembership, User

IEP_DRAFT = "draft"
IEP_PROPOSED = "proposed"


def visible_students(user: User) -> QuerySet[Student]:
    """Students `user` may read: their Teams (guardian's direct foreign-key rows) plus their admin scope.

    One Q, one filter: chaining filters across relations would widen the result.
    """
    if not user.is_authenticated or not user.is_active:
        return Student.objects.none()
    on_team = StudentUserObjectPermission.objects.filter(user=user, permission__codename="view_student")
    scope = Q(pk__in=on_team.values("content_object_id"))
    for role, district_id, school_id in user.role_assignments.filter(role__in=ADMIN_ROLES).values_list(
        "role", "district_id", "school_id"
    ):
        scope |= Q(district_id=district_id) if role == Role.DISTRICT_ADMIN else Q(school_id=school_id)
    return Student.objects.filter(scope)


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
    return StudentUserObjectPermission.objects.filter(user=user, content_object_id=student.pk,
                                                      permission__codename="view_student").exists()


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
    if student is None or not can_see_student(user, student):
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
    if verb == "record_event":
        return team_role is not None
    if verb == "manage_iep":
        return is_chair or district_admin
    if verb == "propose":
        return (is_chair or district_admin) and status == IEP_DRAFT
    if verb == "respond":
        return (is_chair or district_admin) and status == IEP_PROPOSED
    if verb == "break_lock":
        return is_chair or district_admin or is_building_admin(user, student.school_id)
    raise ValueError(f"unknown verb {verb!r}")
