"""Writes to roles and Team membership. Object permissions (django-guardian rows) follow Team membership."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from students.models import District, School, Student, StudentUserObjectPermission

from .models import AccessLogEntry, ApiToken, Role, RoleAssignment, StudentDeletion, TeamMembership, User

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
def team_chair_set(*, student: Student, user: User) -> TeamMembership:
    """Make `user` the chair of `student`'s Team (adding them if needed); the previous chair stays a member.

    The old chair is demoted before the new one is promoted, so the one-chair-per-student constraint
    holds at every statement; the row lock on the student serialises two admins setting chairs at once.
    """
    Student.objects.select_for_update().filter(pk=student.pk).first()
    for previous in TeamMembership.objects.filter(student=student, team_role=TeamMembership.TeamRole.CHAIR).exclude(
            user=user):
        previous.team_role = TeamMembership.TeamRole.MEMBER
        previous.save(update_fields=["team_role"])
    existing = TeamMembership.objects.filter(student=student, user=user).first()
    return team_membership_add(student=student, user=user, team_role=TeamMembership.TeamRole.CHAIR,
                               responsibility=existing.responsibility if existing else "")


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


def _full_clean(obj, exclude=None) -> None:
    obj.full_clean(exclude=exclude)


@transaction.atomic
def user_create(*, district: District, username: str, first_name: str, last_name: str, email: str = "",
                job_title: str = "", password: str | None = None) -> User:
    """Create an active staff account in `district`. Without a password the account cannot sign in until one
    is set (unusable password): the district's identity provider or a reset sets it."""
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, job_title=job_title,
                district=district)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _full_clean(user, exclude=["password"])
    user.save()
    return user


def _refuse_if_last_district_admin(user: User) -> None:
    """Raise ValidationError when `user` is the last active district administrator of a district they
    administer. The district rows are locked first, so two administrators deactivating each other at once
    cannot both succeed (the second waits, then sees the first one's deactivation)."""
    districts = list(RoleAssignment.objects.filter(user=user, role=Role.DISTRICT_ADMIN)
                     .values_list("district_id", flat=True))
    if not districts:
        return
    list(District.objects.select_for_update().filter(pk__in=districts).order_by("pk").values_list("pk", flat=True))
    for district_id in districts:
        others = (RoleAssignment.objects.filter(district_id=district_id, role=Role.DISTRICT_ADMIN,
                                                user__is_active=True).exclude(user=user))
        if not others.exists():
            raise ValidationError({"is_active": "This is the last active district administrator of the district: "
                                                "give the role to someone else before deactivating them."})


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Deactivate `user`: they can no longer sign in and see nothing (access checks require is_active).
    Team memberships and role assignments are kept, so the record shows who did what.

    Raises ValidationError (field `is_active`) when `user` is the last active district administrator of their
    district: a district must keep someone who can manage it."""
    _refuse_if_last_district_admin(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_reactivate(*, user: User) -> User:
    """Let a deactivated `user` sign in again with the roles they held."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def role_assignment_add(*, user: User, role: str, district: District, school: School | None = None) -> RoleAssignment:
    """Give `user` `role` in `district` (at `school` for every role but district administrator).

    Raises ValidationError with field errors: a building role without a school, a district role with one,
    a school or user of another district, or the same role twice.
    """
    assignment = RoleAssignment(user=user, role=role, district=district,
                                school=None if role == Role.DISTRICT_ADMIN and school is None else school)
    assignment.full_clean()  # model clean + the unique constraints, as field errors
    assignment.save()
    return assignment


@transaction.atomic
def role_assignment_remove(*, assignment: RoleAssignment, by: User | None = None) -> None:
    """Remove one role assignment (its history row keeps who held it).

    Raises ValidationError when `by` (the person removing it) would remove their own role, or when it is the
    last district administrator role of its district: a district must keep someone who can manage it. The
    district row is locked first, so two administrators removing each other at once cannot both succeed.
    """
    if by is not None and assignment.user_id == by.pk:
        raise ValidationError({"role": "You cannot remove your own role: ask another district administrator."})
    if assignment.role == Role.DISTRICT_ADMIN:
        District.objects.select_for_update().filter(pk=assignment.district_id).first()
        others = (RoleAssignment.objects.filter(district_id=assignment.district_id, role=Role.DISTRICT_ADMIN,
                                                user__is_active=True).exclude(pk=assignment.pk))
        if not others.exists():
            raise ValidationError({"role": "This is the last district administrator of the district: give the role "
                                           "to someone else first."})
    assignment.delete()


def access_log_record(*, user: User, student: Student, part: str, obj=None, purpose: str = "", path: str = "",
                      method: str = "", ip: str | None = None) -> AccessLogEntry:
    """Append one read of `student`'s record to the access log. Never updated or deleted afterwards (trigger)."""
    return AccessLogEntry.objects.create(
        user=user if user.is_authenticated else None, username=user.get_username() if user.is_authenticated else "",
        student_id=student.pk, part=part,
        object_type=obj._meta.label_lower if obj is not None else "", object_id=str(obj.pk) if obj is not None else "",
        purpose=purpose[:200], path=path[:500], method=method[:10], ip=ip or None)


def _purge_access_log(student: Student) -> int:
    """Remove `student`'s access-log entries; the StudentDeletion record must already exist (same transaction).

    PostgreSQL: through the SECURITY DEFINER function of migration 0006, so the app's own role needs no DELETE
    right on the log. SQLite (single-user, no roles): the purge-flag row lets the trigger pass this one DELETE.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT accounts_purge_student_access_log(%s)", [student.pk])
            return cursor.fetchone()[0]
        cursor.execute("INSERT INTO accounts_logpurgeflag (id) VALUES (1)")
        removed, _ = AccessLogEntry.objects.filter(student=student).delete()
        cursor.execute("DELETE FROM accounts_logpurgeflag")
        return removed


@transaction.atomic
def student_delete(*, student: Student, deleted_by: User, reason: str) -> StudentDeletion:
    """Delete `student` with everything that cascades from them, including their access log.

    The access log is append-only; this is the one path that removes entries, and it first writes the
    StudentDeletion record (who, which student, why, how many entries), all or nothing. The entries go through
    `_purge_access_log`, so the app's database role never needs UPDATE, DELETE or TRUNCATE on the log
    (docs/security.md). The log's foreign key is PROTECT: `student.delete()` alone is refused while entries exist.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for deleting this student's record."})
    removed = AccessLogEntry.objects.filter(student=student).count()
    deletion = StudentDeletion.objects.create(student_id=student.pk, sasid=student.sasid,
                                              district_id=student.district_id, deleted_by=deleted_by,
                                              reason=reason.strip()[:500], access_log_entries_removed=removed)
    _purge_access_log(student)
    StudentUserObjectPermission.objects.filter(content_object=student).delete()
    student.delete()
    return deletion


API_TOKEN_MAX_DAYS = 365


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user: User, name: str, days: int, now=None) -> tuple[ApiToken, str]:
    """Create a personal access token for `user`, valid `days` days (1 to 365); returns the row and the token.

    The token is 256 random bits; only its SHA-256 is stored, so the caller must show it now or never.
    """
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Name the token, e.g. after the script that will use it."
    if not 1 <= days <= API_TOKEN_MAX_DAYS:
        errors["days"] = f"A token lasts between 1 and {API_TOKEN_MAX_DAYS} days."
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(4)
    token = f"iep_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, key_hash=_token_hash(token),
                                  expires_at=(now or timezone.now()) + timedelta(days=days))
    return row, token


def api_token_authenticate(*, token: str, now=None) -> ApiToken | None:
    """The usable token row matching `token` (not revoked, not expired, its user active), or None.

    Records when it was last used (at most once a minute, so a busy script does not write on every request).
    """
    now = now or timezone.now()
    row = ApiToken.objects.usable(at=now).select_related("user").filter(key_hash=_token_hash(token)).first()
    if row is not None and (row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1)):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def api_token_revoke(*, token: ApiToken, now=None) -> ApiToken:
    """Revoke `token` at once (idempotent: revoking twice keeps the first time)."""
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
