"""Roster imports from a district's student information system (docs/roster-import.md).

A run (ImportRun) reads OneRoster 1.1/1.2 CSV or the plain CSV, checks every row, and writes students, staff,
schools, guardians, classes, enrollments and academic sessions in one transaction. The link tables below are how
a later run finds the same school, staff member or class again by the SIS's own id (students carry theirs in
`Student.local_id`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from accounts.models import Role

# What a district may map an SIS role to. Never district administrator: a file must not grant the whole district.
MAPPABLE_ROLES = [(r.value, r.label) for r in Role if r != Role.DISTRICT_ADMIN]
SKIP = "skip"

DEFAULT_ROLE_MAP = {
    "teacher": Role.GENERAL_EDUCATOR.value,
    "aide": SKIP,
    "proctor": SKIP,
    "counselor": Role.SPECIAL_EDUCATOR.value,
    "principal": Role.BUILDING_ADMIN.value,
    "administrator": Role.BUILDING_ADMIN.value,
    "sitAdministrator": Role.BUILDING_ADMIN.value,
    "systemAdministrator": SKIP,
    "districtAdministrator": SKIP,
}


def validate_role_map(value) -> None:
    if not isinstance(value, dict) or not all(isinstance(k, str) and k for k in value):
        raise ValidationError("The role mapping is an object of SIS role -> role.")
    allowed = {r for r, _label in MAPPABLE_ROLES} | {SKIP}
    for sis_role, role in value.items():
        if role == Role.DISTRICT_ADMIN:
            raise ValidationError(f"SIS role {sis_role!r} cannot be mapped to district administrator: district "
                                  "administrators are appointed in the app, never by a file.")
        if role not in allowed:
            raise ValidationError(f"SIS role {sis_role!r} is mapped to {role!r}, which is not a role "
                                  f"(choose one of {', '.join(sorted(allowed))}).")


class RosterMapping(models.Model):
    """How one district's SIS export is read: which id field holds the SASID, and SIS role -> app role."""

    class SasidField(models.TextChoices):
        IDENTIFIER = "identifier", "identifier column (OneRoster) / sasid column (plain CSV)"
        USERNAME = "username", "username column"
        USER_IDS = "userIds", "userIds column, the entry typed SASID ({SASID:1234567890})"
        SOURCED_ID = "sourcedId", "sourcedId (the SIS id itself)"

    district = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="roster_mappings")
    name = models.CharField(max_length=100)
    sasid_field = models.CharField("SASID comes from", max_length=20, choices=SasidField.choices,
                                   default=SasidField.IDENTIFIER)
    role_map = models.JSONField("SIS role to role", default=dict, blank=True, validators=[validate_role_map],
                                help_text="SIS role -> general_educator, special_educator, team_chair, "
                                          "building_admin or skip. Unlisted roles use the defaults.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="roster_mapping_name_unique")]

    def __str__(self):
        return self.name

    def role_for(self, sis_role: str) -> str:
        """The app role for `sis_role` (or SKIP): the district's entry, else the default; never district admin."""
        role = {**DEFAULT_ROLE_MAP, **(self.role_map or {})}.get(sis_role, SKIP)
        return SKIP if role == Role.DISTRICT_ADMIN else role


class ImportRun(models.Model):
    """One roster import, dry run or apply: who, when, which files (SHA-256), what it counted and refused."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        INVALID = "invalid", "Refused: errors in the files"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        WEB = "web", "Upload page"
        COMMAND = "command", "Command line"

    district = models.ForeignKey("students.District", on_delete=models.PROTECT, related_name="roster_runs")
    mapping = models.ForeignKey(RosterMapping, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    dry_run = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    run_date = models.DateField(help_text="Leavers are marked as having left on this day.")
    upload_dir = models.CharField(max_length=200, blank=True, help_text="Under MEDIA_ROOT: the uploaded files.")
    format = models.CharField(max_length=20, blank=True)
    mode = models.CharField(max_length=10, blank=True, help_text="bulk or delta")
    files = models.JSONField(default=list, blank=True, help_text="[{name, sha256, bytes}]")
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="[{file, line, message}] (the first 10,000)")
    error_count = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    grading_periods = models.JSONField(default=list, blank=True,
                                       help_text="The files' grading periods, kept for marking periods.")
    applied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     help_text="The dry run this apply repeats.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["district", "-created_at"])]

    def __str__(self):
        return f"Roster {'dry run' if self.dry_run else 'import'} {self.pk} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.INVALID, self.Status.FAILED)

    @property
    def history_tag(self) -> str:
        """The change reason on every history row this run writes."""
        return f"roster import run {self.pk}"


class SchoolLink(models.Model):
    """An SIS org (OneRoster orgs.csv sourcedId) that is one of the district's schools."""

    district = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="+")
    sis_id = models.CharField(max_length=255)
    school = models.ForeignKey("students.School", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "sis_id"], name="roster_school_link_unique")]

    def __str__(self):
        return f"{self.sis_id} -> school {self.school_id}"


class StaffLink(models.Model):
    """An SIS user (staff) who is this account. Accounts without a link are never changed by an import."""

    district = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="+")
    sis_id = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roster_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "sis_id"], name="roster_staff_link_unique"),
                       models.UniqueConstraint(fields=["district", "user"], name="roster_staff_link_one_per_user")]

    def __str__(self):
        return f"{self.sis_id} -> user {self.user_id}"


class RosterClass(models.Model):
    """A class (section) of the SIS, kept so enrollments can suggest a student's general education teachers."""

    district = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="+")
    sis_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    school = models.ForeignKey("students.School", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "sis_id"], name="roster_class_unique")]

    def __str__(self):
        return self.title


class Enrollment(models.Model):
    """One enrollment of the SIS: a student or a teacher in a class. Mirror data, replaced by each bulk run."""

    # Mirror data written 400,000 rows at a time: no database-level foreign keys (each would be a trigger checked
    # per row); Django still cascades deletes of a district, student or account to these rows.
    district = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="+",
                                 db_constraint=False)
    sis_id = models.CharField(max_length=255)
    class_sis_id = models.CharField(max_length=255)
    role = models.CharField(max_length=20, help_text="student or teacher")
    student = models.ForeignKey("students.Student", null=True, on_delete=models.CASCADE, related_name="+",
                                db_constraint=False, db_index=False)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+",
                              db_constraint=False, db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "sis_id"], name="roster_enrollment_unique")]
        indexes = [models.Index(fields=["district", "class_sis_id"], name="roster_enrollment_class"),
                   models.Index(fields=["student"], name="roster_enrollment_student")]

    def __str__(self):
        return f"{self.role} {self.sis_id} in {self.class_sis_id}"


class AcademicSession(models.Model):
    """A OneRoster academic session: school years, terms, and grading periods (which feed marking periods)."""

    district = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="+")
    sis_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    session_type = models.CharField(max_length=20, help_text="schoolYear, semester, term or gradingPeriod")
    start_date = models.DateField()
    end_date = models.DateField()
    parent_sis_id = models.CharField(max_length=255, blank=True)
    school_year = models.CharField(max_length=4)

    class Meta:
        ordering = ["start_date", "sis_id"]
        constraints = [models.UniqueConstraint(fields=["district", "sis_id"], name="roster_session_unique")]

    def __str__(self):
        return f"{self.title} ({self.start_date} to {self.end_date})"
