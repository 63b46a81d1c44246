from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A staff member. `district` is the district that employs them (none for platform superusers)."""

    district = models.ForeignKey("students.District", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="users")
    job_title = models.CharField(
        max_length=100, blank=True,
        help_text="As it appears in the service delivery grid, e.g. Speech-Language Pathologist.")

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    GENERAL_EDUCATOR = "general_educator", "General education teacher"
    SPECIAL_EDUCATOR = "special_educator", "Special educator / related service provider"
    TEAM_CHAIR = "team_chair", "Team chair"
    BUILDING_ADMIN = "building_admin", "Building administrator"
    DISTRICT_ADMIN = "district_admin", "District administrator"


ADMIN_ROLES = (Role.BUILDING_ADMIN, Role.DISTRICT_ADMIN)
DISTRICT_LEVEL_ROLES = (Role.DISTRICT_ADMIN,)


class RoleAssignment(models.Model):
    """A user's role in a district and, for every role but district administrator, at one school.

    A provider who works in several buildings holds one assignment per school.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    district = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="role_assignments")
    school = models.ForeignKey("students.School", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="role_assignments")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="district_roles_have_no_school_building_roles_have_one",
                condition=(Q(role__in=DISTRICT_LEVEL_ROLES, school__isnull=True)
                           | (~Q(role__in=DISTRICT_LEVEL_ROLES) & Q(school__isnull=False))),
            ),
            models.UniqueConstraint(fields=["user", "role", "district"], condition=Q(school__isnull=True),
                                    name="one_district_role_per_user"),
            models.UniqueConstraint(fields=["user", "role", "school"], condition=Q(school__isnull=False),
                                    name="one_building_role_per_user_and_school"),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()} at {self.school or self.district}"

    def clean(self):
        errors = {}
        if self.role in DISTRICT_LEVEL_ROLES and self.school_id:
            errors["school"] = "A district administrator is assigned to the district, not to a school."
        elif self.role and self.role not in DISTRICT_LEVEL_ROLES and not self.school_id:
            errors["school"] = "This role is held at a school: choose one."
        elif self.school_id and self.district_id and self.school.district_id != self.district_id:
            errors["school"] = "The school must belong to the same district."
        if self.user_id and self.district_id and self.user.district_id not in (None, self.district_id):
            errors["district"] = "The user belongs to another district."
        if errors:
            raise ValidationError(errors)


class TeamMembership(models.Model):
    """A staff member on a student's IEP Team. The chair is the membership with role "chair" (one per student)."""

    class TeamRole(models.TextChoices):
        CHAIR = "chair", "Team chair"
        MEMBER = "member", "Team member"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="team_memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    team_role = models.CharField(max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)
    responsibility = models.CharField(max_length=100, blank=True,
                                      help_text="What this person does for the student, e.g. reading goals.")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "user"], name="one_membership_per_user_and_student"),
            models.UniqueConstraint(fields=["student"], condition=Q(team_role="chair"), name="one_chair_per_student"),
        ]
        indexes = [models.Index(fields=["user", "team_role"])]

    def __str__(self):
        return f"{self.user} on the Team of student {self.student_id} ({self.get_team_role_display()})"

    def clean(self):
        if self.user_id and self.student_id and self.user.district_id not in (None, self.student.district_id):
            raise ValidationError({"user": "Only staff of the student's district can join the student's Team."})


class AccessLogEntry(models.Model):
    """One read of one student's record (603 CMR 23.07: who, which part, why, when, from where).

    Append-only at the database level: a trigger refuses UPDATE and DELETE (migration 0004), and in production the
    app's role holds no UPDATE, DELETE or TRUNCATE on it (docs/security.md). The one exception is `student_delete`,
    which records a StudentDeletion and removes the student's entries through a SECURITY DEFINER function.
    """

    class Part(models.TextChoices):
        RECORD = "record", "Student record"
        IEP = "iep", "IEP"
        SECTION = "section", "IEP section"
        PDF = "pdf", "PDF"
        EXPORT = "export", "Export"
        EVALUATION = "evaluation", "Evaluation"
        TIMELINE = "timeline", "Timeline and deadlines"
        HISTORY = "history", "Version history"
        ACCESS_LOG = "access_log", "Access log"
        TEAM = "team", "Team membership"
        OTHER = "other", "Other"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150, help_text="Kept as read, should the account be renamed.")
    # PROTECT: deleting a student never issues a DELETE on the log; only student_delete removes entries, through
    # the database function that the app's own role may execute but not imitate (docs/security.md).
    student = models.ForeignKey("students.Student", on_delete=models.PROTECT, related_name="access_log")
    part = models.CharField(max_length=20, choices=Part.choices)
    object_type = models.CharField(max_length=100, blank=True, help_text="app_label.model of the object read.")
    object_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=200, blank=True, help_text="The page or endpoint (its route name).")
    path = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["student", "-at"])]
        verbose_name = "access log entry"
        verbose_name_plural = "access log entries"

    def __str__(self):
        when = f"{self.at:%Y-%m-%d %H:%M}" if self.at else "?"
        return f"{self.username} read {self.get_part_display()} of student {self.student_id} at {when}"


class StudentDeletion(models.Model):
    """The record that a student (and with them their access log) was deleted. Append-only like the log."""

    student_id = models.BigIntegerField()
    sasid = models.CharField("SASID", max_length=10)
    district = models.ForeignKey("students.District", on_delete=models.PROTECT, related_name="+")
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    access_log_entries_removed = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"Student {self.student_id} deleted by {self.deleted_by} at {self.at:%Y-%m-%d %H:%M}"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, at=None):
        from django.utils import timezone

        return self.filter(revoked_at__isnull=True, expires_at__gt=at or timezone.now(), user__is_active=True)


class ApiToken(models.Model):
    """A personal access token for the API (docs/security.md, "API tokens").

    Only the SHA-256 of the token is stored: the token itself is shown once, when it is created. A token is
    named, expires, and can be revoked; `prefix` (the first characters) identifies it in lists.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the roster script.")
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of user {self.user_id}"
