"""Team meetings: the meeting, its invitation, the attempts to reach the parents, excusals, attendance, and
the consent to evaluate. What each rule is and where it comes from: docs/meetings.md.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Meeting(models.Model):
    """One Team meeting of a student (and the IEP it develops, reviews or amends, when there is one).

    `status` becomes HELD only through `meeting_hold`; a held meeting is what supplies the deadline engine's
    `team_meeting` event (and `annual_review_meeting` for an annual review), derived, never typed.
    """

    class Type(models.TextChoices):
        ELIGIBILITY = "eligibility", "Eligibility / initial"
        ANNUAL_REVIEW = "annual_review", "Annual review"
        REEVALUATION = "reevaluation", "Reevaluation"
        AMENDMENT = "amendment", "Amendment"
        PLACEMENT = "placement", "Placement"
        RECONVENE = "reconvene", "Reconvene after rejection"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="meetings")
    iep = models.ForeignKey("iep.IEP", null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings",
                            verbose_name="IEP", help_text="The IEP this meeting develops, reviews or amends.")
    meeting_type = models.CharField("type of meeting", max_length=16, choices=Type.choices)
    date = models.DateField()
    start_time = models.TimeField("starts at")
    duration_minutes = models.PositiveSmallIntegerField("length (minutes)", default=60)
    location = models.CharField("place", max_length=300, blank=True, help_text="Room and building, or address.")
    video_link = models.URLField("video link", max_length=500, blank=True,
                                 help_text="For a meeting held by video, the address to join it.")
    purpose = models.TextField(max_length=1000, help_text="Printed on the invitation.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    held_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "start_time", "pk"]
        indexes = [models.Index(fields=["student", "status", "date"]), models.Index(fields=["date", "status"])]
        constraints = [
            models.CheckConstraint(name="meeting_has_a_place_or_a_link", condition=~Q(location="") | ~Q(video_link="")),
            models.CheckConstraint(name="meeting_length_reasonable",
                                   condition=Q(duration_minutes__gte=15, duration_minutes__lte=480)),
            models.CheckConstraint(name="meeting_status_valid",
                                   condition=Q(status__in=["scheduled", "held", "cancelled"])),
        ]

    def __str__(self):
        return f"{self.get_meeting_type_display()} meeting on {self.date} (student {self.student_id})"

    @property
    def starts(self) -> datetime:
        """The start as an aware datetime in the district's time zone (America/New_York)."""
        return timezone.make_aware(datetime.combine(self.date, self.start_time))

    @property
    def ends(self) -> datetime:
        return self.starts + timedelta(minutes=self.duration_minutes)

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD


class Invitation(models.Model):
    """The written invitation to a meeting (34 CFR 300.322(b)): when and how it was sent, and its printed PDF.

    The PDF is rendered by a Celery job from `html`, which holds exactly what is printed (as the IEP's
    printed documents do); `sha256` is the stored file's checksum.
    """

    class Method(models.TextChoices):
        MAIL = "mail", "Mail"
        EMAIL = "email", "Email"
        HAND = "hand", "Given in person"
        HOME = "home", "Sent home with the student"
        PORTAL = "portal", "Parent portal"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    sent_on = models.DateField("date sent")
    method = models.CharField("sent by", max_length=8, choices=Method.choices)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    html = models.TextField(blank=True)
    file = models.FileField(upload_to="meeting-invitations/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="invitation_ready_has_file",
                                   condition=~Q(status="ready") | (~Q(file="") & ~Q(sha256=""))),
        ]

    def __str__(self):
        return f"Invitation to meeting {self.meeting_id} sent {self.sent_on} ({self.get_method_display()})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    @property
    def filename(self) -> str:
        return f"meeting-{self.meeting_id}-invitation-{self.pk}.pdf"


class ContactAttempt(models.Model):
    """One attempt to reach a parent about a meeting (34 CFR 300.322(d): the record a district must keep)."""

    class Method(models.TextChoices):
        PHONE = "phone", "Telephone call"
        EMAIL = "email", "Email"
        MAIL = "mail", "Letter"
        TEXT = "text", "Text message"
        VISIT = "visit", "Home visit"
        IN_PERSON = "in_person", "In person at school"

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed attendance"
        RESCHEDULE = "reschedule", "Asked for another date"
        DECLINED = "declined", "Declined to attend"
        MESSAGE = "message", "Left a message"
        NO_ANSWER = "no_answer", "No answer"
        RETURNED = "returned", "Returned undelivered"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="contact_attempts")
    guardian = models.ForeignKey("students.Guardian", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="parent or guardian")
    attempted_on = models.DateField("date of the attempt")
    method = models.CharField(max_length=10, choices=Method.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempted_on", "pk"]

    def __str__(self):
        return f"{self.get_method_display()} on {self.attempted_on}: {self.get_outcome_display()}"


class Excusal(models.Model):
    """A required Team member excused from the meeting (34 CFR 300.321(e)): the parent agreed in writing, and
    when the member's area is discussed the member gave written input before the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="excusals")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                               verbose_name="Team member excused")
    area_discussed = models.BooleanField("the member's area is modified or discussed at the meeting", default=False)
    parent_agreed_on = models.DateField("date of the parent's written agreement")
    written_input_on = models.DateField("date the member's written input was given", null=True, blank=True)
    agreement = models.FileField("parent's signed agreement", upload_to="meeting-excusals/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_excusal_per_member_and_meeting"),
            models.CheckConstraint(name="excusal_with_area_has_written_input",
                                   condition=Q(area_discussed=False) | Q(written_input_on__isnull=False)),
        ]

    def __str__(self):
        return f"{self.member} excused from meeting {self.meeting_id}"


class Attendance(models.Model):
    """One person who attended a held meeting: staff (by role), a parent, the student, an interpreter (with the
    language), or someone else the parents or the district brought."""

    class Kind(models.TextChoices):
        STAFF = "staff", "District staff"
        PARENT = "parent", "Parent or guardian"
        STUDENT = "student", "Student"
        INTERPRETER = "interpreter", "Interpreter"
        OTHER = "other", "Other participant"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="staff member")
    guardian = models.ForeignKey("students.Guardian", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="parent or guardian")
    name = models.CharField(max_length=200, blank=True)
    role = models.CharField("role", max_length=100, blank=True,
                            help_text="e.g. Team chair, Speech-language pathologist, Advocate")
    language = models.CharField(max_length=60, blank=True, help_text="The language interpreted (interpreters).")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], condition=Q(user__isnull=False),
                                    name="staff_attends_a_meeting_once"),
            models.CheckConstraint(name="interpreter_has_language",
                                   condition=~Q(kind="interpreter") | ~Q(language="")),
            models.CheckConstraint(name="attendee_is_named", condition=Q(user__isnull=False)
                                   | Q(guardian__isnull=False) | ~Q(name="") | Q(kind="student")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} at meeting {self.meeting_id}"


class EvaluationConsent(models.Model):
    """The consent form for an initial evaluation or a reevaluation: sent, then signed (consent) or refused.

    A consent received supplies the deadline engine's `consent_received` event (its date), derived like the
    IEP's dates; a refusal is recorded as such and supplies nothing.
    """

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial evaluation"
        REEVALUATION = "reevaluation", "Reevaluation"

    class Response(models.TextChoices):
        PENDING = "pending", "Waiting for the parent"
        CONSENTED = "consented", "Consent given"
        REFUSED = "refused", "Consent refused"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="evaluation_consents")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents")
    kind = models.CharField("evaluation", max_length=12, choices=Kind.choices)
    sent_on = models.DateField("consent form sent on")
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.PENDING)
    responded_on = models.DateField("signed form received on", null=True, blank=True)
    signed_form = models.FileField("signed form", upload_to="evaluation-consents/%Y/%m/", blank=True)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_on", "-pk"]
        indexes = [models.Index(fields=["student", "response"])]
        constraints = [
            models.CheckConstraint(name="consent_answer_has_a_date",
                                   condition=Q(response="pending", responded_on__isnull=True)
                                   | (~Q(response="pending") & Q(responded_on__isnull=False))),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} consent of student {self.student_id}: {self.get_response_display()}"


class CalendarFeed(models.Model):
    """A person's secret iCalendar address. Only the token's sha256 is stored; revoking deletes the row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_feed")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Meeting calendar feed of {self.user}"
