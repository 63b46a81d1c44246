from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from students.models import age_on


def add_years(day: date, years: int) -> date:
    """`day` moved `years` years on; 29 February becomes 28 February in a common year. Saturates at the first and
    last representable dates instead of raising: a stored out-of-range date (docs/resilience.md) must not crash
    the pages that compute from it."""
    year = day.year + years
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def default_end(start: date) -> date:
    """The IEP period's default end: one year less a day after the start."""
    end = add_years(start, 1)
    return end if end == date.max else end - timedelta(days=1)


class AgeStrand(models.TextChoices):
    EARLY = "3-5", "3-5"
    MIDDLE = "5-14", "5-14"
    TRANSITION = "14-22", "14-22"


def strand_for_age(age: int) -> str:
    if age < 5:
        return AgeStrand.EARLY
    return AgeStrand.MIDDLE if age < 14 else AgeStrand.TRANSITION


STATUSES = ["draft", "proposed", "accepted", "partially_accepted", "rejected", "superseded"]
MEETING_TYPES = ["initial", "annual_review", "reevaluation", "reconvene", "amendment", "placement", "other"]


class IEPQuerySet(models.QuerySet):
    def current(self):
        return self.filter(status__in=[IEP.Status.ACCEPTED, IEP.Status.PARTIALLY_ACCEPTED])


class IEP(models.Model):
    """One Individualized Education Program of a student. Only a draft is edited; sections hold the content."""

    class MeetingType(models.TextChoices):
        INITIAL = "initial", "Initial"
        ANNUAL_REVIEW = "annual_review", "Annual review"
        REEVALUATION = "reevaluation", "Reevaluation"
        RECONVENE = "reconvene", "Reconvene"
        AMENDMENT = "amendment", "Amendment"
        PLACEMENT = "placement", "Placement"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        PARTIALLY_ACCEPTED = "partially_accepted", "Partially accepted"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="ieps")
    meeting_type = models.CharField(max_length=16, choices=MeetingType.choices, default=MeetingType.ANNUAL_REVIEW)
    start_date = models.DateField("IEP period start")
    end_date = models.DateField("IEP period end")
    meeting_date = models.DateField("Team meeting date", null=True, blank=True)
    last_evaluation_date = models.DateField(null=True, blank=True)
    case_manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    amends = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments")
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_ieps",
                                 help_text="The IEP this one was copied forward from.")
    cycle_length_days = models.PositiveSmallIntegerField(default=5, choices=[(5, "5 days"), (6, "6 days"),
                                                                             (10, "10 days")])
    school_day_minutes = models.PositiveSmallIntegerField(default=360)
    proposed_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = IEPQuerySet.as_manager()

    class Meta:
        verbose_name = "IEP"
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["student", "status"])]
        constraints = [
            models.CheckConstraint(name="iep_end_after_start", condition=Q(end_date__gt=F("start_date"))),
            models.CheckConstraint(name="iep_status_valid", condition=Q(status__in=STATUSES)),
            models.CheckConstraint(name="iep_meeting_type_valid",
                                   condition=Q(meeting_type__in=MEETING_TYPES)),
            models.CheckConstraint(name="iep_cycle_length_valid", condition=Q(cycle_length_days__in=[5, 6, 10])),
        ]

    def __str__(self):
        return f"IEP {self.start_date:%m/%d/%Y}–{self.end_date:%m/%d/%Y} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def strand_date(self) -> date:
        return self.meeting_date or self.start_date

    @property
    def student_age(self) -> int:
        return age_on(self.student.date_of_birth, self.strand_date)

    @property
    def age_strand(self) -> str:
        """3-5, 5-14 or 14-22, from the student's age on the meeting date (the start date before a meeting)."""
        return strand_for_age(self.student_age)

    @property
    def next_annual_review(self) -> date:
        return self.end_date

    @property
    def next_reevaluation(self) -> date | None:
        return add_years(self.last_evaluation_date, 3) if self.last_evaluation_date else None


AREAS = ["educational", "psychological", "speech_language", "occupational_therapy", "physical_therapy",
         "health", "home", "other"]


class Evaluation(models.Model):
    """One assessment of the student's evaluation history (the "Initial/Re-evaluation" tab), per student."""

    class Area(models.TextChoices):
        EDUCATIONAL = "educational", "Educational"
        PSYCHOLOGICAL = "psychological", "Psychological"
        SPEECH_LANGUAGE = "speech_language", "Speech-language"
        OCCUPATIONAL_THERAPY = "occupational_therapy", "Occupational therapy"
        PHYSICAL_THERAPY = "physical_therapy", "Physical therapy"
        HEALTH = "health", "Health"
        HOME = "home", "Home"
        OTHER = "other", "Other"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="evaluations")
    area = models.CharField(max_length=24, choices=Area.choices)
    evaluator_name = models.CharField(max_length=200)
    evaluator_role = models.CharField(max_length=100)
    consent_date = models.DateField(null=True, blank=True)
    completion_date = models.DateField(null=True, blank=True)
    summary_to_parents_date = models.DateField("summary available to parents", null=True, blank=True)
    key_results = models.TextField(max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-completion_date", "-consent_date", "-pk"]
        constraints = [
            models.CheckConstraint(name="evaluation_area_valid", condition=Q(area__in=AREAS)),
            models.CheckConstraint(name="evaluation_completed_after_consent",
                                   condition=Q(consent_date__isnull=True) | Q(completion_date__isnull=True)
                                   | Q(completion_date__gte=F("consent_date"))),
        ]

    def __str__(self):
        return f"{self.get_area_display()} evaluation by {self.evaluator_name}"


assert STATUSES == IEP.Status.values and MEETING_TYPES == IEP.MeetingType.values and AREAS == Evaluation.Area.values
