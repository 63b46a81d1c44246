"""Reads of the meetings app: a student's meetings, a person's calendar, overlaps, attendance for the printed
summary, and the events held meetings and received consents supply to the deadline engine."""

import calendar as calendar_module
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import TeamMembership, User
from students.models import Student, age_on

from .models import Attendance, CalendarFeed, EvaluationConsent, Excusal, Meeting

TRANSITION_AGE = 14  # M.G.L. c. 71B, s. 2 and 603 CMR 28.05(4)(c): transition planning from age 14


def student_meetings(student: Student) -> QuerySet[Meeting]:
    return student.meetings.select_related("iep", "scheduled_by").order_by("-date", "-start_time", "-pk")


def meeting_with_records(pk: int) -> Meeting:
    return Meeting.objects.select_related("student__school", "student__district", "iep").get(pk=pk)


def team_of(student: Student) -> list[TeamMembership]:
    """The student's Team (the chair first), with each member's user."""
    return list(TeamMembership.objects.filter(student=student).select_related("user")
                .order_by("-team_role", "user__last_name", "user__first_name", "pk"))


def student_age_at(meeting: Meeting) -> int:
    return age_on(meeting.student.date_of_birth, meeting.date)


def transition_age(meeting: Meeting) -> bool:
    """From age 14 (on the meeting date) the student is invited and transition is part of the purpose."""
    return student_age_at(meeting) >= TRANSITION_AGE


def interpreter_languages(student: Student) -> list[str]:
    """The family's languages other than English (the parents' preferred languages, else the student's)."""
    languages = {g.preferred_language.strip() for g in student.guardians.all() if g.preferred_language.strip()}
    if not languages:
        languages = {student.primary_language.strip()}
    return sorted(lang for lang in languages if lang and lang.lower() != "english")


# ---------------------------------------------------------------- calendar

def _involving(user: User) -> QuerySet[Meeting]:
    from accounts import access

    return (Meeting.objects.filter(student__in=access.visible_students(user))
            .filter(Q(student__team_memberships__user=user) | Q(scheduled_by=user)).distinct()
            .select_related("student").order_by("date", "start_time", "pk"))


def meetings_of(user: User) -> QuerySet[Meeting]:
    """Meetings a person takes part in: of students whose Team they are on, or that they scheduled, within
    the students they may see. Cancelled meetings are left out."""
    return _involving(user).exclude(status=Meeting.Status.CANCELLED)


FEED_DAYS_BACK = 90


def feed_meetings(user: User, today: date | None = None) -> QuerySet[Meeting]:
    """The meetings of a person's calendar feed: from 90 days ago on, cancelled ones included (so calendar
    apps remove them)."""
    today = today or timezone.localdate()
    return _involving(user).filter(date__gte=today - timedelta(days=FEED_DAYS_BACK))[:1000]


def upcoming_meetings(user: User, today: date | None = None) -> QuerySet[Meeting]:
    today = today or timezone.localdate()
    return meetings_of(user).filter(date__gte=today, status=Meeting.Status.SCHEDULED)


@dataclass(frozen=True)
class MonthDay:
    day: date | None
    meetings: list


def month_weeks(user: User, year: int, month: int) -> list[list[MonthDay]]:
    """The month as weeks (Sunday first) of days, each with the person's meetings that day."""
    first = date(year, month, 1)
    last = date(year, month, calendar_module.monthrange(year, month)[1])
    by_day: dict[date, list[Meeting]] = {}
    for meeting in meetings_of(user).filter(date__gte=first, date__lte=last):
        by_day.setdefault(meeting.date, []).append(meeting)
    weeks = []
    for week in calendar_module.Calendar(firstweekday=6).monthdatescalendar(year, month):
        weeks.append([MonthDay(day if day.month == month else None, by_day.get(day, [])) for day in week])
    return weeks


def overlaps(*, student: Student, on: date, start_time, duration_minutes: int, scheduler: User | None = None,
             exclude_pk: int | None = None) -> list[tuple[User, Meeting]]:
    """Other meetings, on the same day and overlapping in time, of the people of this meeting (the student's
    Team and the person scheduling it). Pointed out when scheduling; not a refusal."""
    starts = timezone.make_aware(datetime.combine(on, start_time))
    ends = starts + timedelta(minutes=duration_minutes)
    people = {m.user_id: m.user for m in TeamMembership.objects.filter(student=student).select_related("user")}
    if scheduler is not None:
        people.setdefault(scheduler.pk, scheduler)
    found = []
    same_day = (Meeting.objects.filter(date=on).exclude(status=Meeting.Status.CANCELLED).exclude(pk=exclude_pk)
                .filter(Q(student__team_memberships__user_id__in=people) | Q(scheduled_by_id__in=people))
                .distinct().prefetch_related("student__team_memberships"))
    for meeting in same_day:
        if not (meeting.starts < ends and starts < meeting.ends):
            continue
        involved = {m.user_id for m in meeting.student.team_memberships.all()} | {meeting.scheduled_by_id}
        for user_id in sorted(involved & set(people)):
            found.append((people[user_id], meeting))
    return found


def feed_user(token: str) -> User | None:
    """The active person whose calendar feed `token` opens, or None (revoked, unknown or deactivated)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    feed = CalendarFeed.objects.select_related("user").filter(token_sha256=digest).first()
    return feed.user if feed is not None and feed.user.is_active else None


# ---------------------------------------------------------------- attendance and the printed summary

def meeting_attendance(meeting: Meeting) -> dict:
    """Who attended `meeting` (staff by role, parents, the student, interpreters, others) and who was excused."""
    attended = list(meeting.attendance.select_related("user", "guardian").order_by("pk"))
    order = [Attendance.Kind.STAFF, Attendance.Kind.PARENT, Attendance.Kind.STUDENT, Attendance.Kind.INTERPRETER,
             Attendance.Kind.OTHER]
    attended.sort(key=lambda a: (order.index(a.kind), a.pk))
    rows = [{"name": attendee_name(a), "role": attendee_role(a), "kind": a.get_kind_display()} for a in attended]
    excused = [{"name": e.member.get_full_name() or e.member.username, "role": e.member.job_title,
                "agreed_on": e.parent_agreed_on, "written_input_on": e.written_input_on}
               for e in Excusal.objects.filter(meeting=meeting).select_related("member").order_by("pk")]
    return {"meeting": meeting, "attended": rows, "excused": excused}


def attendee_name(attendance: Attendance) -> str:
    if attendance.user_id:
        return attendance.user.get_full_name() or attendance.user.username
    if attendance.guardian_id and not attendance.name:
        return attendance.guardian.name
    if attendance.kind == Attendance.Kind.STUDENT and not attendance.name:
        return "The student"
    return attendance.name


def attendee_role(attendance: Attendance) -> str:
    if attendance.kind == Attendance.Kind.INTERPRETER:
        return f"Interpreter ({attendance.language})"
    if attendance.kind == Attendance.Kind.PARENT and attendance.guardian_id and not attendance.role:
        return attendance.guardian.get_relationship_display()
    return attendance.role or attendance.get_kind_display()


def summary_attendance(iep) -> dict | None:
    """The attendance of the latest held meeting of `iep`, for the meeting summary's "Team members present";
    None when no meeting of this IEP has been held (the summary then prints the Team)."""
    meeting = (Meeting.objects.filter(iep=iep, status=Meeting.Status.HELD).order_by("-date", "-start_time", "-pk")
               .select_related("student").first())
    return meeting_attendance(meeting) if meeting is not None else None


# ---------------------------------------------------------------- events for the deadline engine

def case_events_from_meetings(student_ids: list[int]) -> dict[int, dict[str, date]]:
    """Event dates that come from meeting records rather than TimelineEvents: {student_id: {key: date}}.

    A held meeting supplies `team_meeting` (its date), and a held annual review also `annual_review_meeting`;
    a consent given supplies `consent_received` (the date the signed form was received). The latest date per
    key wins, as for recorded events. Two queries for the whole chunk.
    """
    if not student_ids:
        return {}
    events: dict[int, dict[str, date]] = {}

    def keep(student_id: int, key: str, day: date) -> None:
        known = events.setdefault(student_id, {})
        if key not in known or day > known[key]:
            known[key] = day

    span = {"student_id__in": student_ids, "student_id__gte": min(student_ids), "student_id__lte": max(student_ids)}
    for student_id, kind, day in (Meeting.objects.filter(status=Meeting.Status.HELD, **span).order_by()
                                  .values_list("student_id", "meeting_type", "date")):
        keep(student_id, "team_meeting", day)
        if kind == Meeting.Type.ANNUAL_REVIEW:
            keep(student_id, "annual_review_meeting", day)
    for student_id, day in (EvaluationConsent.objects.filter(response=EvaluationConsent.Response.CONSENTED, **span)
                            .order_by().values_list("student_id", "responded_on")):
        keep(student_id, "consent_received", day)
    return events


@dataclass(frozen=True)
class DerivedEvent:
    key: str
    label: str
    date: date
    source: str
    url: str


def derived_events(student: Student) -> list[DerivedEvent]:
    """The events the student's meetings and consents supply, each with where it comes from (timeline page)."""
    from django.urls import reverse

    found = []
    for meeting in student.meetings.filter(status=Meeting.Status.HELD).order_by("-date", "-pk"):
        url = reverse("meetings:detail", kwargs={"meeting_pk": meeting.pk})
        source = f"{meeting.get_meeting_type_display()} meeting held"
        found.append(DerivedEvent("team_meeting", "Team meeting", meeting.date, source, url))
        if meeting.meeting_type == Meeting.Type.ANNUAL_REVIEW:
            found.append(DerivedEvent("annual_review_meeting", "Annual review meeting held", meeting.date, source,
                                      url))
    for consent in student.evaluation_consents.filter(response=EvaluationConsent.Response.CONSENTED):
        url = reverse("meetings:consents", kwargs={"student_pk": student.pk})
        found.append(DerivedEvent("consent_received", "Consent to evaluate received", consent.responded_on,
                                  f"Signed consent ({consent.get_kind_display().lower()})", url))
    return sorted(found, key=lambda e: e.date, reverse=True)
