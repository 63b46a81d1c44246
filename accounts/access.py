"""The ONE module that decides who may see or do what.

Every door (view, viewset, PDF, export, search, dashboard) asks here. Out of scope answers 404,
in scope but not permitted answers 403.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from students.models import Student, StudentUserObjectPermission

from .models import ADMIN_ROLES, Role, User


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
