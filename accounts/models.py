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
