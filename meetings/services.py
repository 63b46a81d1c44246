"""Every write of the meetings app. Who may call them is the door's question (accounts.access); these enforce
the rules of docs/meetings.md and raise from meetings.exceptions, writing nothing when they refuse."""

import hashlib
import secrets
from datetime import date, time, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import TeamMembership, User
from jobs.services import outbox_enqueue
from students.models import Guardian, Student

from .exceptions import (
    DateInTheFuture,
    ExcusalWithoutAgreement,
    InvalidInput,
    MeetingInThePast,
    MeetingNotHeld,
    MeetingNotOpen,
)
from .models import Attendance, CalendarFeed, ContactAttempt, EvaluationConsent, Excusal, Invitation, Meeting
from .uploads import upload_problem

MAX_AHEAD = timedelta(days=731)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _refresh_deadlines(student_id: int) -> None:
    from timelines.services import timelines_refresh_student

    timelines_refresh_student(student_id=student_id)


def _check_meeting_fields(*, student: Student, iep, date_: date, duration_minutes: int, location: str,
                          video_link: str, today: date) -> None:
    if date_ < today:
        raise MeetingInThePast(f"A new meeting cannot be scheduled in the past ({date_:%m/%d/%Y} is before today).")
    if date_ > today + MAX_AHEAD:
        raise InvalidInput("A meeting is scheduled at most two years ahead.", field="date")
    if not (location or "").strip() and not (video_link or "").strip():
        raise InvalidInput("Give the place of the meeting or a video link.", field="location")
    if not 15 <= duration_minutes <= 480:
        raise InvalidInput("A meeting lasts between 15 minutes and 8 hours.", field="duration_minutes")
    if iep is not None and iep.student_id != student.pk:
        raise InvalidInput("The IEP must be one of this student's IEPs.", field="iep")


@transaction.atomic
def meeting_schedule(*, student: Student, user: User, meeting_type: str, date: date, start_time: time,
                     purpose: str, duration_minutes: int = 60, location: str = "", video_link: str = "", iep=None,
                     today: date | None = None) -> Meeting:
    """Schedule a new meeting. A new meeting is never in the past; it needs a place or a video link."""
    _check_meeting_fields(student=student, iep=iep, date_=date, duration_minutes=duration_minutes, location=location,
                          video_link=video_link, today=_today(today))
    if meeting_type not in Meeting.Type.values:
        raise InvalidInput("Choose the type of meeting.", field="meeting_type")
    meeting = Meeting(student=student, iep=iep, meeting_type=meeting_type, date=date, start_time=start_time,
                      duration_minutes=duration_minutes, location=location.strip(), video_link=video_link.strip(),
                      purpose=purpose.strip(), scheduled_by=user)
    meeting._history_user = user
    meeting.save()
    return meeting


@transaction.atomic
def meeting_reschedule(*, meeting: Meeting, user: User, today: date | None = None, **fields: Any) -> Meeting:
    """Change a scheduled meeting's date, time, place, link, purpose or type (not a held or cancelled one)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise MeetingNotOpen(f"This meeting is {meeting.get_status_display().lower()}: it cannot be changed.")
    allowed = {"meeting_type", "date", "start_time", "duration_minutes", "location", "video_link", "purpose", "iep"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown meeting fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    _check_meeting_fields(student=meeting.student, iep=meeting.iep, date_=meeting.date,
                          duration_minutes=meeting.duration_minutes, location=meeting.location,
                          video_link=meeting.video_link, today=_today(today))
    meeting._history_user = user
    meeting.save()
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, user: User) -> Meeting:
    """Cancel a scheduled meeting (kept, with its invitations and contact attempts, as the record)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise MeetingNotOpen(f"This meeting is {meeting.get_status_display().lower()}: it cannot be cancelled.")
    meeting.status = Meeting.Status.CANCELLED
    meeting._history_user = user
    meeting.save()
    return meeting


@transaction.atomic
def meeting_hold(*, meeting: Meeting, user: User, attendees: list[dict] = (), today: date | None = None) -> Meeting:
    """Record that the meeting was held on its date, with who attended. This is what supplies the deadline
    engine's `team_meeting` event (selectors.case_events_from_meetings): the student's deadlines are
    recomputed after commit. The row lock makes two people holding it at once hold it once."""
    meeting = Meeting.objects.select_for_update().select_related("student").get(pk=meeting.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise MeetingNotOpen(f"This meeting is {meeting.get_status_display().lower()}: it cannot be held again.")
    if meeting.date > _today(today):
        raise MeetingNotHeld(f"The meeting is on {meeting.date:%m/%d/%Y}: it can be recorded as held on or after "
                             "that day.", field="__all__")
    meeting.status, meeting.held_recorded_by = Meeting.Status.HELD, user
    meeting._history_user = user
    meeting.save()
    for attendee in attendees:
        _attendance_add(meeting=meeting, user=user, **attendee)
    _refresh_deadlines(meeting.student_id)
    return meeting


def _attendance_add(*, meeting: Meeting, user: User, kind: str, attendee: User | None = None,
                    guardian: Guardian | None = None, name: str = "", role: str = "", language: str = "") -> Attendance:
    name, role, language = name.strip(), role.strip(), language.strip()
    if kind not in Attendance.Kind.values:
        raise InvalidInput("Choose who attended: staff, parent, student, interpreter or other.", field="kind")
    if kind == Attendance.Kind.STAFF:
        if attendee is None:
            raise InvalidInput("Choose the staff member who attended.", field="attendee")
        if attendee.district_id not in (None, meeting.student.district_id):
            raise InvalidInput("Only staff of the student's district attend as district staff.", field="attendee")
        if meeting.attendance.filter(user=attendee).exists():
            raise InvalidInput(f"{attendee} is already recorded as present.", field="attendee")
        if meeting.excusals.filter(member=attendee).exists():
            raise InvalidInput(f"{attendee} was excused from this meeting.", field="attendee")
        role = role or attendee.job_title or _team_role_label(meeting.student, attendee)
    elif attendee is not None:
        raise InvalidInput("Only district staff are chosen from the staff list.", field="attendee")
    if guardian is not None and (kind != Attendance.Kind.PARENT or guardian.student_id != meeting.student_id):
        raise InvalidInput("Choose one of this student's parents or guardians.", field="guardian")
    if kind == Attendance.Kind.PARENT and guardian is None and not name:
        raise InvalidInput("Choose the parent or give their name.", field="guardian")
    if kind == Attendance.Kind.INTERPRETER and not language:
        raise InvalidInput("Give the language the interpreter interpreted.", field="language")
    if kind in (Attendance.Kind.INTERPRETER, Attendance.Kind.OTHER) and not name:
        raise InvalidInput("Give the person's name.", field="name")
    if kind == Attendance.Kind.STUDENT and meeting.attendance.filter(kind=Attendance.Kind.STUDENT).exists():
        raise InvalidInput("The student is already recorded as present.", field="kind")
    if len(name) > 200 or len(role) > 100 or len(language) > 60:
        raise InvalidInput("Name, role or language is too long (200, 100, 60 characters).", field="name")
    return Attendance.objects.create(meeting=meeting, kind=kind, user=attendee, guardian=guardian, name=name, role=role,
                                     language=language if kind == Attendance.Kind.INTERPRETER else "",
                                     recorded_by=user)


def _team_role_label(student: Student, user: User) -> str:
    membership = TeamMembership.objects.filter(student=student, user=user).first()
    return membership.get_team_role_display() if membership else "District staff"


@transaction.atomic
def attendance_record(*, meeting: Meeting, user: User, kind: str, attendee: User | None = None,
                      guardian: Guardian | None = None, name: str = "", role: str = "",
                      language: str = "") -> Attendance:
    """Add one person to the attendance of a held meeting (never of one not yet held)."""
    meeting = Meeting.objects.select_for_update().select_related("student").get(pk=meeting.pk)
    if meeting.status != Meeting.Status.HELD:
        raise MeetingNotHeld("Attendance is recorded once the meeting has been held: record the meeting as held "
                             "first.")
    return _attendance_add(meeting=meeting, user=user, kind=kind, attendee=attendee, guardian=guardian, name=name,
                           role=role, language=language)


@transaction.atomic
def contact_attempt_record(*, meeting: Meeting, user: User, attempted_on: date, method: str, outcome: str,
                           guardian: Guardian | None = None, note: str = "",
                           today: date | None = None) -> ContactAttempt:
    """Log one attempt to reach a parent about the meeting. Attempts are logged as they happen: never dated
    after today."""
    if attempted_on > _today(today):
        raise DateInTheFuture("A contact attempt cannot be dated in the future.", field="attempted_on")
    if guardian is not None and guardian.student_id != meeting.student_id:
        raise InvalidInput("Choose one of this student's parents or guardians.", field="guardian")
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingNotOpen("This meeting was cancelled.")
    return ContactAttempt.objects.create(meeting=meeting, guardian=guardian, attempted_on=attempted_on, method=method,
                                         outcome=outcome, note=note.strip(), recorded_by=user)


@transaction.atomic
def excusal_record(*, meeting: Meeting, user: User, member: User, parent_agreed_on: date | None,
                   area_discussed: bool = False, written_input_on: date | None = None, agreement=None,
                   today: date | None = None) -> Excusal:
    """Excuse a Team member from the meeting: only with the parent's written agreement, and when the member's
    area is discussed only with their written input given before the meeting (34 CFR 300.321(e))."""
    today = _today(today)
    if parent_agreed_on is None:
        raise ExcusalWithoutAgreement("A member is excused only with the parent's written agreement: give the date "
                                      "the parent agreed in writing.")
    if parent_agreed_on > today:
        raise DateInTheFuture("The parent's agreement cannot be dated in the future.", field="parent_agreed_on")
    if parent_agreed_on > meeting.date:
        raise ExcusalWithoutAgreement("The parent must agree before the meeting.")
    if area_discussed and written_input_on is None:
        raise InvalidInput("When the member's area is discussed, the member's written input is needed before the "
                           "meeting: give its date.", field="written_input_on")
    if written_input_on is not None and (written_input_on > meeting.date or written_input_on > today):
        raise InvalidInput("The written input must be given before the meeting (and not in the future).",
                           field="written_input_on")
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingNotOpen("This meeting was cancelled.")
    if not TeamMembership.objects.filter(student=meeting.student, user=member).exists():
        raise InvalidInput("Only a member of the student's Team can be excused.", field="member")
    if meeting.excusals.filter(member=member).exists() or meeting.attendance.filter(user=member).exists():
        raise InvalidInput(f"{member} is already recorded for this meeting.", field="member")
    problem = upload_problem(agreement)
    if problem:
        raise InvalidInput(problem, field="agreement")
    excusal = Excusal(meeting=meeting, member=member, area_discussed=area_discussed, parent_agreed_on=parent_agreed_on,
                      written_input_on=written_input_on, recorded_by=user)
    if agreement is not None:
        excusal.agreement.save(f"excusal-{meeting.pk}-{member.pk}.pdf" if agreement.name.lower().endswith(".pdf")
                               else f"excusal-{meeting.pk}-{member.pk}{_suffix(agreement.name)}", agreement,
                               save=False)
    excusal.save()
    return excusal


def _suffix(name: str) -> str:
    from pathlib import PurePath

    return PurePath(name).suffix.lower()


# ---------------------------------------------------------------- invitations

@transaction.atomic
def invitation_send(*, meeting: Meeting, user: User, sent_on: date, method: str,
                    today: date | None = None) -> Invitation:
    """Record that the invitation was sent (date and method) and queue its PDF in the same transaction (the
    outbox), printing exactly the HTML stored on the row."""
    from .invitation import invitation_html
    from .tasks import meeting_invitation_render_task

    meeting = Meeting.objects.select_related("student__district", "student__school").get(pk=meeting.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise MeetingNotOpen(f"This meeting is {meeting.get_status_display().lower()}: no invitation is sent.")
    if sent_on > _today(today):
        raise DateInTheFuture("The date sent cannot be in the future.", field="sent_on")
    if sent_on > meeting.date:
        raise InvalidInput("The invitation must be sent before the meeting.", field="sent_on")
    if method not in Invitation.Method.values:
        raise InvalidInput("Choose how the invitation was sent.", field="method")
    invitation = Invitation.objects.create(meeting=meeting, sent_on=sent_on, method=method, sent_by=user)
    invitation.html = invitation_html(meeting, invitation)
    invitation.save(update_fields=["html"])
    outbox_enqueue(task=meeting_invitation_render_task.name, args=[invitation.pk])
    return invitation


def invitation_render(*, invitation_id: int) -> Invitation | None:
    """Render the invitation's stored HTML to PDF and store it. Idempotent: a ready one is left alone; two
    deliveries at once each save a complete file in one UPDATE, so the row always names a whole file."""
    from iep.models.documents import sha256_hex
    from iep.pdf.render import render_pdf

    claimed = (Invitation.objects.filter(pk=invitation_id).exclude(status=Invitation.Status.READY)
               .update(status=Invitation.Status.RENDERING))
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or not claimed:
        return invitation
    pdf = render_pdf(invitation.html)
    invitation.file.save(invitation.filename, ContentFile(pdf), save=False)
    invitation.sha256, invitation.status, invitation.error = sha256_hex(pdf), Invitation.Status.READY, ""
    invitation.rendered_at = timezone.now()
    invitation.save(update_fields=["file", "sha256", "status", "error", "rendered_at"])
    return invitation


def invitation_fail(*, invitation_id: int, error: str) -> None:
    """Mark an invitation's PDF failed after its last retry."""
    Invitation.objects.filter(pk=invitation_id).exclude(status=Invitation.Status.READY).update(
        status=Invitation.Status.FAILED, error=error[:500])


# ---------------------------------------------------------------- consent to evaluate

@transaction.atomic
def consent_send(*, student: Student, user: User, kind: str, sent_on: date, meeting: Meeting | None = None,
                 note: str = "", today: date | None = None) -> EvaluationConsent:
    """Record that the consent form for an evaluation was sent to the parent."""
    if sent_on > _today(today):
        raise DateInTheFuture("The date sent cannot be in the future.", field="sent_on")
    if kind not in EvaluationConsent.Kind.values:
        raise InvalidInput("Choose initial evaluation or reevaluation.", field="kind")
    if meeting is not None and meeting.student_id != student.pk:
        raise InvalidInput("The meeting must be one of this student's meetings.", field="meeting")
    consent = EvaluationConsent(student=student, kind=kind, sent_on=sent_on, meeting=meeting, note=note.strip(),
                                recorded_by=user)
    consent._history_user = user
    consent.save()
    return consent


@transaction.atomic
def consent_respond(*, consent: EvaluationConsent, user: User, response: str, responded_on: date,
                    signed_form=None, note: str | None = None, today: date | None = None) -> EvaluationConsent:
    """Record the parent's answer: consent given (the signed form's date of receipt, which supplies the deadline
    engine's `consent_received`) or refused (recorded as such, supplies nothing). Recomputes after commit."""
    consent = EvaluationConsent.objects.select_for_update().get(pk=consent.pk)
    if response not in (EvaluationConsent.Response.CONSENTED, EvaluationConsent.Response.REFUSED):
        raise InvalidInput("Record the consent as given or refused.", field="response")
    if responded_on is None:
        raise InvalidInput("Give the date the parent's answer was received.", field="responded_on")
    if responded_on > _today(today):
        raise DateInTheFuture("The date received cannot be in the future.", field="responded_on")
    if responded_on < consent.sent_on:
        raise InvalidInput(f"The answer cannot be received before the form was sent ({consent.sent_on:%m/%d/%Y}).",
                           field="responded_on")
    problem = upload_problem(signed_form)
    if problem:
        raise InvalidInput(problem, field="signed_form")
    consent.response, consent.responded_on, consent.recorded_by = response, responded_on, user
    if note is not None:
        consent.note = note.strip()
    if signed_form is not None:
        consent.signed_form.save(f"consent-{consent.pk}{_suffix(signed_form.name)}", signed_form, save=False)
    consent._history_user = user
    consent.save()
    _refresh_deadlines(consent.student_id)
    return consent


# ---------------------------------------------------------------- calendar feed

@transaction.atomic
def calendar_feed_issue(*, user: User) -> str:
    """Give `user` a new secret feed token (replacing and so revoking any earlier one); returns the token,
    which is shown once: only its sha256 is stored."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.filter(user=user).delete()
    CalendarFeed.objects.create(user=user, token_sha256=hashlib.sha256(token.encode()).hexdigest())
    return token


def calendar_feed_revoke(*, user: User) -> bool:
    """Revoke `user`'s feed address; True when there was one."""
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)
