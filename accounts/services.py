"""Writes to roles and Team membership. Object permissions (django-guardian rows) follow Team membership."""

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.db import transaction

from students.models import Student, StudentUserObjectPermission

from .models import TeamMembership, User

# What being on a student's Team grants on the student record itself.
TEAM_STUDENT_PERMISSIONS = ("view_student",)


def _student_permissions() -> list[Permission]:
    return list(Permission.objects.filter(content_type__app_label="students", codename__in=TEAM_STUDENT_PERMISSIONS))


@transaction.atomic
def team_membership_add(*, student: Student, user: User, team_role: str = TeamMembership.TeamRole.MEMBER,
                        responsibility: str = "") -> TeamMembership:
    """Put `user` on `student`'s Team and grant the object permissions that go with it, in one transaction,
    so a membership never exists without its permission rows (or the reverse)."""
    membership, _ = TeamMembership.objects.update_or_create(
        student=student, user=user, defaults={"team_role": team_role, "responsibility": responsibility})
    for permission in _student_permissions():
        StudentUserObjectPermission.objects.get_or_create(user=user, permission=permission, content_object=student)
    return membership


@transaction.atomic
def team_membership_remove(*, student: Student, user: User) -> None:
    """Take `user` off `student`'s Team and revoke the object permissions it granted."""
    TeamMembership.objects.filter(student=student, user=user).delete()
    StudentUserObjectPermission.objects.filter(user=user, content_object=student).delete()


def team_memberships_bulk_add(*, memberships: Iterable[TeamMembership], batch_size: int = 5000) -> int:
    """Bulk path for seeding and imports: the memberships and their permission rows, no per-row queries.
    Returns the number of memberships written. Existing (student, user) pairs are left as they are."""
    permissions = _student_permissions()
    memberships = list(memberships)
    TeamMembership.objects.bulk_create(memberships, batch_size=batch_size, ignore_conflicts=True)
    StudentUserObjectPermission.objects.bulk_create(
        [StudentUserObjectPermission(user_id=m.user_id, permission=p, content_object_id=m.student_id)
         for m in memberships for p in permissions],
        batch_size=batch_size, ignore_conflicts=True)
    return len(memberships)
