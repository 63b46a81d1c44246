import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from .disabilities import DEVELOPMENTAL_DELAY_MAX_AGE, Disability, Grade

sasid_validator = RegexValidator(r"^[0-9]{10}$", "A SASID is exactly 10 digits.")
org_code_validator = RegexValidator(r"^[0-9]{8}$", "A DESE organization code is exactly 8 digits.")


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years between `date_of_birth` and `day` (a 29 February birthday counts on 28 February)."""
    born = (date_of_birth.month, date_of_birth.day)
    if born == (2, 29) and not calendar.isleap(day.year):
        born = (2, 28)  # the timelines spec (1.6): a 29 February child turns N on 28 February in a common year
    return day.year - date_of_birth.year - (0 if (day.month, day.day) >= born else 1)


class District(models.Model):
    name = models.CharField(max_length=200)
    org_code = models.CharField("DESE organization code", max_length=8, unique=True, validators=[org_code_validator])
    cycle_length_days = models.PositiveSmallIntegerField(
        "service delivery cycle (school days)", default=5, choices=[(5, "5 days"), (6, "6 days"), (10, "10 days")]
    )
    school_day_minutes = models.PositiveSmallIntegerField("minutes in a school day", default=360)
    require_2fa_for_admins = models.BooleanField(
        "require two-factor sign-in for administrators", default=True,
        help_text="Building and district administrators must confirm each sign-in with an authenticator app.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(name="school_day_minutes_positive", condition=Q(school_day_minutes__gt=0)),
        ]

    def __str__(self):
        return self.name


class School(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    code = models.CharField("DESE school code", max_length=8, validators=[org_code_validator])

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="school_code_unique_in_district")]

    def __str__(self):
        return self.name


class StudentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def with_special_education_record(self):
        """Students referred, evaluated or on an IEP: flagged, or with a Team, an IEP, an evaluation or a
        timeline event (each an indexed EXISTS), so a referral recorded for an imported student shows them."""
        from django.apps import apps
        from django.db.models import Exists, OuterRef

        related = [apps.get_model("accounts", "TeamMembership"), apps.get_model("iep", "IEP"),
                   apps.get_model("iep", "Evaluation"), apps.get_model("timelines", "TimelineEvent")]
        condition = Q(special_education=True)
        for model in related:
            condition |= Q(Exists(model.objects.filter(student_id=OuterRef("pk"))))
        return self.filter(condition)


class Student(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="students")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="students")
    sasid = models.CharField("SASID", max_length=10, unique=True, validators=[sasid_validator],
                             help_text="State-assigned student identifier, 10 digits.")
    local_id = models.CharField("local ID", max_length=30, blank=True)
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    grade = models.CharField(max_length=2, choices=Grade.choices)
    # Blank for a student imported from the district's roster who has no eligibility determined yet.
    primary_disability = models.CharField(max_length=32, choices=Disability.choices, blank=True)
    secondary_disability = models.CharField(max_length=32, choices=Disability.choices, blank=True)
    primary_language = models.CharField(max_length=60, default="English")
    active = models.BooleanField(default=True)
    special_education = models.BooleanField(
        "special-education record", default=True,
        help_text="Referred, evaluated or on an IEP. Students imported from the roster start without one; a Team, "
                  "an IEP, an evaluation or a timeline event shows them in the default student list regardless.")
    left_on = models.DateField(
        null=True, blank=True,
        help_text="The day a roster import found the student gone from the district (record retention starts here).")

    history = HistoricalRecords()
    objects = StudentQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["school", "last_name", "first_name"]),
            models.Index(fields=["district", "last_name", "first_name"]),
            # visible_students walks these per administrator role (docs/scaling.md): index-only, never a scan.
            models.Index(fields=["school", "id"], name="student_school_id_idx"),
            models.Index(fields=["district", "id"], name="student_district_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="secondary_disability_differs",
                condition=Q(secondary_disability="") | ~Q(secondary_disability=F("primary_disability")),
            ),
            models.CheckConstraint(name="sasid_ten_digits", condition=Q(sasid__regex=r"^[0-9]{10}$")),
            # The SIS id (local ID) is how roster imports find a student again (docs/roster-import.md).
            models.UniqueConstraint(fields=["district", "local_id"], condition=~Q(local_id=""),
                                    name="local_id_unique_in_district"),
        ]

    def __str__(self):
        return f"{self.last_name}, {self.first_name}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.middle_name, self.last_name) if part)

    def age(self, on: date | None = None) -> int:
        return age_on(self.date_of_birth, on or date.today())

    def clean(self):
        errors = {}
        if self.school_id and self.district_id and self.school.district_id != self.district_id:
            errors["school"] = "The school must belong to the student's district."
        if self.secondary_disability and self.secondary_disability == self.primary_disability:
            errors["secondary_disability"] = "The secondary disability must differ from the primary disability."
        if self.date_of_birth and self.date_of_birth > date.today():
            errors["date_of_birth"] = "The date of birth cannot be in the future."
        elif self.date_of_birth and Disability.DEVELOPMENTAL_DELAY in (self.primary_disability,
                                                                       self.secondary_disability):
            if self.age() > DEVELOPMENTAL_DELAY_MAX_AGE:
                errors.setdefault("primary_disability",
                                  "Developmental Delay applies only to children aged 3 through 9 (603 CMR 28.02(7)).")
        if errors:
            raise ValidationError(errors)


class Guardian(models.Model):
    """A student's parent or guardian ("Guardian" here never means django-guardian)."""

    class Relationship(models.TextChoices):
        PARENT = "parent", "Parent"
        GUARDIAN = "guardian", "Legal guardian"
        FOSTER = "foster", "Foster parent"
        SURROGATE = "surrogate", "Educational surrogate parent"
        SELF = "self", "Student (age of majority)"
        OTHER = "other", "Other"

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=16, choices=Relationship.choices, default=Relationship.PARENT)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.TextField(blank=True, max_length=500)
    preferred_language = models.CharField(max_length=60, default="English")
    is_primary_contact = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary_contact", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_relationship_display()})"


# django-guardian's direct foreign-key permission tables: object permissions on students are rows that
# join to Student by a real foreign key, so "students on my Teams" is one indexed join.
class StudentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Student, on_delete=models.CASCADE)


class StudentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Student, on_delete=models.CASCADE)
