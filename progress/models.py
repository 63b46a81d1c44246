"""Progress reporting (docs/progress-reports.md): marking periods, each IEP's schedule, goals' responsible staff,
one report per goal in force per period, the finalised progress report document, and the report's lease."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from iep.models.locks import Lease


class MarkingPeriodQuerySet(models.QuerySet):
    def shared(self):
        """Periods of a school or a district (not an IEP's custom dates)."""
        return self.filter(iep__isnull=True)


class MarkingPeriod(models.Model):
    """One marking period: of one school, of a whole district (`school` empty), or one custom reporting date of one
    IEP (`iep` set; its schedule says "custom dates"). Families receive the progress report by `report_due`."""

    district = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="marking_periods")
    school = models.ForeignKey("students.School", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="marking_periods", help_text="Empty: every school of the district.")
    iep = models.ForeignKey("iep.IEP", null=True, blank=True, on_delete=models.CASCADE,
                            related_name="custom_periods", help_text="Set: a custom reporting date of this IEP.")
    school_year = models.CharField(max_length=9, help_text="e.g. 2025-26")
    name = models.CharField(max_length=60)
    start = models.DateField()
    end = models.DateField()
    report_due = models.DateField("report due to families")

    objects = MarkingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(name="period_ends_after_start", condition=Q(end__gte=F("start"))),
            models.CheckConstraint(name="period_report_after_start", condition=Q(report_due__gte=F("start"))),
        ]
        indexes = [models.Index(fields=["district", "school", "report_due"])]

    def __str__(self):
        return f"{self.name} ({self.school_year})"


class ProgressSchedule(models.Model):
    """An IEP's schedule of progress reporting: with report cards (the school's marking periods) or custom dates
    (MarkingPeriod rows of this IEP). An IEP without a row reports with report cards."""

    class Mode(models.TextChoices):
        REPORT_CARDS = "report_cards", "With report cards"
        CUSTOM = "custom", "Custom dates"

    iep = models.OneToOneField("iep.IEP", on_delete=models.CASCADE, related_name="progress_schedule")
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.REPORT_CARDS)

    class Meta:
        constraints = [models.CheckConstraint(name="schedule_mode_valid",
                                              condition=Q(mode__in=["report_cards", "custom"]))]

    def __str__(self):
        return f"{self.get_mode_display()} (IEP {self.iep_id})"


class GoalPlan(models.Model):
    """What progress reporting needs of a goal beyond its text: the responsible Team members, and an optional
    numeric target with its unit (for the chart)."""

    goal = models.OneToOneField("iep.Section", on_delete=models.CASCADE, related_name="progress_plan")
    responsible = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    target_value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)

    def __str__(self):
        return f"Plan of goal {self.goal_id}"


STATUSES = ["draft", "ready", "finalised"]
SUFFICIENT = ["yes", "no"]
BENCHMARK_STATUSES = ["not_started", "in_progress", "met", "not_met"]


class ProgressReport(models.Model):
    """The report on one goal for one marking period (one version of it).

    The current version (`current`) is edited while a draft or ready; finalising makes it read-only. A correction
    of a finalised report is a new version (`version` + 1) with a reason; the earlier one stays, not current.
    `revision` is the optimistic version of the text: every write presents the revision it edited.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        READY = "ready", "Ready"
        FINALISED = "finalised", "Finalised"

    class Sufficient(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"

    class BenchmarkStatus(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        MET = "met", "Met"
        NOT_MET = "not_met", "Not met"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="progress_reports")
    iep = models.ForeignKey("iep.IEP", on_delete=models.CASCADE, related_name="progress_reports")
    goal = models.ForeignKey("iep.Section", on_delete=models.CASCADE, related_name="progress_reports")
    period = models.ForeignKey(MarkingPeriod, on_delete=models.CASCADE, related_name="reports")
    version = models.PositiveSmallIntegerField(default=1)
    current = models.BooleanField(default=True)
    correction_reason = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    narrative = models.TextField("progress made toward the goal", max_length=4000, blank=True)
    measured_value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    measured_on = models.DateField(null=True, blank=True)
    benchmarks = models.JSONField(default=list, blank=True, help_text="[{'text': ..., 'status': ...}] per benchmark")
    sufficient = models.CharField("progress sufficient to achieve the goal by the end of the IEP period",
                                  max_length=3, choices=Sufficient.choices, blank=True)
    sufficiency_reason = models.TextField("why", max_length=2000, blank=True)
    next_steps = models.TextField(max_length=2000, blank=True)
    revision = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["student", "period", "goal__position", "version"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "period"], condition=Q(current=True),
                                    name="one_current_report_per_goal_period"),
            models.UniqueConstraint(fields=["goal", "period", "version"], name="one_report_version"),
            models.CheckConstraint(name="report_status_valid", condition=Q(status__in=STATUSES)),
            models.CheckConstraint(name="report_sufficient_valid", condition=Q(sufficient__in=[*SUFFICIENT, ""])),
            models.CheckConstraint(name="correction_has_reason",
                                   condition=Q(version=1) | ~Q(correction_reason="")),
        ]
        indexes = [models.Index(fields=["period", "student"])]

    def __str__(self):
        return f"Report on goal {self.goal_id}, period {self.period_id} (v{self.version}, {self.status})"

    @property
    def is_finalised(self) -> bool:
        return self.status == self.Status.FINALISED


class ReportLock(Lease):
    """The lease on one goal's report (see iep.models.locks.Lease): one writer at a time."""

    UNIT_FIELD = "report"
    report = models.OneToOneField(ProgressReport, on_delete=models.CASCADE, related_name="lock")

    class Meta:
        constraints = [models.CheckConstraint(name="held_report_lock_has_expiry",
                                              condition=Q(holder__isnull=True) | Q(expires_at__isnull=False))]

    def __str__(self):
        return f"{self.report}: {self.holder or 'free'}"


class ProgressDocument(models.Model):
    """The progress report of one student for one period, as finalised (version 1) or corrected (version 2, ...):
    the printed HTML, its PDF, and when and how it was sent to the family."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Method(models.TextChoices):
        MAIL = "mail", "Mail"
        EMAIL = "email", "Email"
        IN_PERSON = "in_person", "In person"
        BACKPACK = "backpack", "Sent home with the student"
        PORTAL = "portal", "Parent portal"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="progress_documents")
    iep = models.ForeignKey("iep.IEP", on_delete=models.CASCADE, related_name="progress_documents")
    period = models.ForeignKey(MarkingPeriod, on_delete=models.CASCADE, related_name="documents")
    version = models.PositiveSmallIntegerField(default=1)
    correction_reason = models.CharField(max_length=500, blank=True)
    html = models.TextField(blank=True)
    file = models.FileField(upload_to="progress-reports/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(max_length=500, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    finalised_at = models.DateTimeField()
    rendered_at = models.DateTimeField(null=True, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    sent_method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    sent_note = models.CharField(max_length=500, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        ordering = ["period__report_due", "version"]
        constraints = [
            models.UniqueConstraint(fields=["student", "period", "version"], name="one_progress_document_version"),
            models.CheckConstraint(name="progress_document_status_valid",
                                   condition=Q(status__in=["queued", "rendering", "ready", "failed"])),
            models.CheckConstraint(name="ready_progress_document_has_file",
                                   condition=~Q(status="ready") | (~Q(file="") & ~Q(sha256=""))),
            models.CheckConstraint(name="sent_has_method", condition=Q(sent_on__isnull=True) | ~Q(sent_method="")),
        ]

    def __str__(self):
        return f"Progress report of student {self.student_id}, period {self.period_id} v{self.version}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def filename(self) -> str:
        return f"progress-{self.student_id}-{self.period_id}-v{self.version}.pdf"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
