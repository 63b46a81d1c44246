"""School calendars, timeline events, facts and stored deadlines (spec/timelines.md; decision 10).

The engine (timelines/engine) is pure; these models are what it is fed from and what its results are stored in.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .engine import EVENT_KEYS, RULES

EVENT_LABELS = {
    "referral_received": "Referral received",
    "consent_received": "Consent to evaluate received",
    "team_meeting": "Team meeting",
    "eligibility_determined": "Eligibility determined",
    "extended_evaluation_start": "Extended evaluation: consent received",
    "iee_requested": "Independent evaluation (IEE) requested",
    "iee_report_received": "IEE report received",
    "disputed_evaluation_date": "Disputed evaluation (date of the evaluation)",
    "iep_received_by_parent": "Proposed IEP received by parent",
    "iep_rejected": "Parent rejection received",
    "placement_meeting_scheduled": "Placement meeting (scheduled date)",
    "iep_start": "IEP period starts",
    "annual_review_meeting": "Annual review meeting held",
    "last_evaluation": "Evaluation considered by the Team",
    "revocation_notice_sent": "Notice of discontinued services sent (consent revoked)",
    "removal_decision": "Disciplinary removal decision",
    "iaes_removal_decision": "Removal to an interim alternative setting (IAES)",
    "records_requested": "Student record requested",
    "mediation_requested": "Mediation requested (BSEA)",
    "hearing_requested": "Hearing request received",
}
assert set(EVENT_LABELS) == set(EVENT_KEYS), "every spec event key (2.1) needs a label"
EventKey = models.TextChoices("EventKey", [(key, (key, EVENT_LABELS[key])) for key in EVENT_KEYS])

DEADLINE_LABELS = {
    "referral_notice": "Notice and consent form after referral",
    "evaluation_complete": "Evaluation complete",
    "assessment_summaries_available": "Assessment summaries available to parent",
    "iep_proposal": "Proposed IEP or finding of no eligibility",
    "ineligibility_notice": "Written notice of no eligibility",
    "extended_evaluation_limit": "Extended evaluation ends",
    "iee_district_response": "District response to the IEE request",
    "iee_report": "IEE report",
    "iee_team_reconvene": "Team reconvenes on the IEE",
    "iee_right_expires": "Right to a publicly funded IEE expires",
    "parent_response": "Parent response to the proposed IEP",
    "bsea_copy": "Copy of the rejection to the BSEA",
    "placement_meeting": "Placement meeting",
    "placement_meeting_notice": "Notice to the other responsible district",
    "complete_iep": "Complete IEP to parent",
    "complete_iep_on_request": "Complete IEP on parent request",
    "initial_iep_meeting_idea": "Initial IEP meeting (IDEA)",
    "annual_review": "Annual review",
    "reevaluation": "Three-year reevaluation",
    "revocation_services_end": "Services end after revocation",
    "manifestation_determination": "Manifestation determination review",
    "iaes_limit": "Last day in the interim alternative setting",
    "records_access": "Access to the student record",
    "mediation_session": "Mediation session",
    "hearing_response": "District response to the hearing request",
    "sufficiency_challenge": "Sufficiency challenge to the hearing request",
    "resolution_meeting": "Resolution meeting",
    "resolution_period_end": "Resolution period ends",
    "transition_planning": "Transition planning (age 14)",
    "age_of_majority_notice": "Age of majority notice",
}
assert set(DEADLINE_LABELS) == {rule.key for rule in RULES}, "every rule of the spec (3) needs a label"
# Deadlines the application writes itself beside the engine's rules (the engine and compute_deadlines do not know
# them; the deadline recompute leaves their rows alone): the progress report owed per IEP and marking period
# (docs/progress-reports.md, 603 CMR 28.07(3)).
APPLICATION_DEADLINE_LABELS = {"progress_report": "Progress report to parents"}
DEADLINE_LABELS.update(APPLICATION_DEADLINE_LABELS)
DeadlineKey = models.TextChoices("DeadlineKey", [(key, (key, label)) for key, label in DEADLINE_LABELS.items()])


class SchoolCalendarQuerySet(models.QuerySet):
    def for_district(self, district_id: int):
        return self.filter(district_id=district_id).order_by("first_day")


class SchoolCalendar(models.Model):
    """One school year of a district: first and last day of school and the days schools are closed.

    `closed` is a list of {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "description": str} (a single
    closed day has start == end), each inside the year, start <= end (validated in `clean`).
    """

    district = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="school_calendars")
    label = models.CharField(max_length=20, help_text="The school year, e.g. 2025-26.")
    first_day = models.DateField("first day of school")
    last_day = models.DateField("last day of school")
    closed = models.JSONField(default=list, blank=True)

    history = HistoricalRecords()
    objects = SchoolCalendarQuerySet.as_manager()

    class Meta:
        ordering = ["district", "first_day"]
        constraints = [
            models.UniqueConstraint(fields=["district", "label"], name="one_school_year_label_per_district"),
            models.CheckConstraint(name="school_year_ends_after_it_starts", condition=Q(last_day__gte=F("first_day"))),
        ]

    def __str__(self):
        return f"{self.district} {self.label}"

    def closures(self) -> list[tuple[date, date, str]]:
        """The closures as (start, end, description), sorted; assumes `clean` has passed."""
        return sorted((date.fromisoformat(c["start"]), date.fromisoformat(c["end"]), c.get("description", ""))
                      for c in self.closed)

    def clean(self):
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day of school cannot be before the first day."})
        errors = validate_closures(self.closed, self.first_day, self.last_day)
        if errors:
            raise ValidationError({"closed": errors})
        if self.district_id and self.first_day and self.last_day:
            overlapping = (SchoolCalendar.objects.filter(district_id=self.district_id, first_day__lte=self.last_day,
                                                         last_day__gte=self.first_day).exclude(pk=self.pk).first())
            if overlapping is not None:
                raise ValidationError(f"This school year overlaps {overlapping.label} "
                                      f"({overlapping.first_day} to {overlapping.last_day}).")


def validate_closures(closed, first_day: date | None, last_day: date | None) -> list[str]:
    """Messages for every bad closure: wrong shape, not a date, end before start, outside the school year."""
    if not isinstance(closed, list):
        return ["Closures must be a list."]
    errors = []
    for number, entry in enumerate(closed, start=1):
        if not isinstance(entry, dict) or not {"start", "end"} <= set(entry):
            errors.append(f"Closure {number}: needs a start and an end date.")
            continue
        try:
            start, end = date.fromisoformat(str(entry["start"])), date.fromisoformat(str(entry["end"]))
        except ValueError:
            errors.append(f"Closure {number}: {entry['start']} to {entry['end']} is not a pair of dates.")
            continue
        if end < start:
            errors.append(f"Closure {number}: ends ({end}) before it starts ({start}).")
        elif first_day and last_day and (start < first_day or end > last_day):
            errors.append(f"Closure {number} ({start} to {end}) is outside the school year "
                          f"({first_day} to {last_day}).")
    return errors


class TimelineEvent(models.Model):
    """Something that happened (or is scheduled) in a student's special-education process (spec 2.1).

    Corrections edit the row; history keeps every earlier version and who made it. The engine uses the
    latest date per key (one current process per student; spec 2.1 "each key holds one date").
    """

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="timeline_events",
                                db_index=False)  # the (student, key, date) index leads with it
    key = models.CharField("event", max_length=40, choices=EventKey.choices)
    date = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["student", "key", "date"])]

    def __str__(self):
        return f"{self.get_key_display()} on {self.date} (student {self.student_id})"


class StudentFacts(models.Model):
    """The facts of spec 2.3 for one student; every field at its "when absent" value by default."""

    class Eligibility(models.TextChoices):
        ELIGIBLE = "eligible", "Eligible"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"

    class Filer(models.TextChoices):
        PARENT = "parent", "Parent"
        DISTRICT = "district", "District"

    student = models.OneToOneField("students.Student", on_delete=models.CASCADE, related_name="timeline_facts")
    eligibility = models.CharField(max_length=12, choices=Eligibility.choices, blank=True,
                                   help_text="The Team's most recent eligibility finding; blank while unknown.")
    summary_given_at_meeting = models.BooleanField("a summary was given to the parent at the meeting", default=False)
    parent_requested_complete_iep = models.BooleanField("the parent asked for the complete IEP right away",
                                                        default=False)
    placement_decision_pending = models.BooleanField("placement deferred to a separate placement meeting",
                                                     default=False)
    parent_requested_later_placement_meeting = models.BooleanField(
        "the parent asked for a later placement meeting", default=False)
    other_district_responsible = models.BooleanField("another district may be responsible", default=False)
    reevaluation_waived = models.BooleanField("parent and district agreed the reevaluation is unnecessary",
                                              default=False)
    hearing_filed_by = models.CharField(max_length=8, choices=Filer.choices, default=Filer.PARENT)
    resolution_meeting_waived = models.BooleanField("resolution meeting waived in writing", default=False)
    prior_written_notice_on_issues = models.BooleanField("prior written notice already sent on the issues",
                                                         default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "student facts"

    def __str__(self):
        return f"Facts of student {self.student_id}"


FACT_FIELDS = ("eligibility", "summary_given_at_meeting", "parent_requested_complete_iep",
               "placement_decision_pending", "parent_requested_later_placement_meeting",
               "other_district_responsible", "reevaluation_waived", "hearing_filed_by",
               "resolution_meeting_waived", "prior_written_notice_on_issues")


class Deadline(models.Model):
    """One computed deadline of one student and one cycle, stored for pages and dashboards.

    `cycle` is the date the deadline was counted from (its trigger's date): a new IEP cycle or a new
    referral has a new trigger date and so adds a row, and rows that were met stay as they were
    (decision 10). Written only by `deadlines_recompute`; no history (it is derived data).
    """

    class Status(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        DUE_SOON = "due_soon", "Due within 7 days"
        OVERDUE = "overdue", "Overdue"
        MET = "met", "Met"
        NOT_APPLICABLE = "not_applicable", "No longer applicable"
        CALENDAR_MISSING = "calendar_missing", "Calendar missing"

    # No separate foreign-key indexes: the unique (student, key, cycle) and the (school, status, due) index lead
    # with them, and every index costs time on the bulk writes of a recompute.
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="deadlines",
                                db_index=False)
    school = models.ForeignKey("students.School", on_delete=models.CASCADE, related_name="+", db_index=False,
                               help_text="The student's school when computed (for dashboards).")
    key = models.CharField(max_length=40, choices=DeadlineKey.choices)
    cycle = models.DateField(help_text="The trigger date this deadline was counted from.")
    trigger = models.CharField(max_length=40)
    due = models.DateField(null=True, blank=True)
    error = models.CharField(max_length=40, blank=True)
    citation = models.CharField(max_length=200)
    basis = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices)
    met_on = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["due", "key"]
        constraints = [
            models.UniqueConstraint(fields=["student", "key", "cycle"], name="one_deadline_per_student_key_cycle"),
            models.CheckConstraint(name="deadline_due_or_error", condition=Q(due__isnull=False) | ~Q(error="")),
        ]
        indexes = [
            models.Index(fields=["school", "status", "due"]),
            # Covers the dashboard's counts (status, due window, then student/key/school), so PostgreSQL reads
            # the index alone instead of the wide deadline rows (basis texts) scattered over the table.
            models.Index(fields=["status", "due"], include=["student", "key", "school"],
                         name="deadline_status_due_cover"),
        ]

    def __str__(self):
        return f"{self.key} of student {self.student_id}: {self.due or 'calendar missing'} ({self.status})"

    @property
    def label(self) -> str:
        return DEADLINE_LABELS.get(self.key, self.key)

    @property
    def calendar_missing(self) -> bool:
        return self.due is None


class DeadlineSnapshot(models.Model):
    """How many deadlines of one school's active students were overdue on one day (the dashboards' trend).

    Written by `deadline_snapshots_take` (nightly, after the recompute); one row per school and date, zeros
    included, so a missing row means "no snapshot that day", never "nothing overdue". Counts only, no student.
    """

    district = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="+", db_index=False)
    school = models.ForeignKey("students.School", on_delete=models.CASCADE, related_name="+", db_index=False)
    date = models.DateField()
    overdue = models.PositiveIntegerField()
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "school"]
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="one_snapshot_per_school_and_day")]
        indexes = [models.Index(fields=["district", "date"])]

    def __str__(self):
        return f"{self.school_id} on {self.date}: {self.overdue} overdue"
