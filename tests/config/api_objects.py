"""One object of each API resource in the personas' district, by path prefix (for API tests that walk the schema)."""

from datetime import date


def real_ids(personas) -> dict[str, int]:
    """An object of each kind in the personas' district, so that half the cases reach past the 404."""
    from accounts.models import TeamMembership
    from iep.pdf.services import document_request
    from tests.factories import EvaluationFactory
    from tests.timelines.factories import ma_year
    from timelines.services import deadlines_recompute, timeline_event_record

    student, chair = personas["student"], personas["team_chair"]
    from iep.pdf.sample import sample_iep

    iep = sample_iep(student=student, user=chair, goals=1, lines=1)
    ma_year(student.district, 2025)
    event = timeline_event_record(student=student, key="records_requested", on=date(2025, 10, 6), user=chair)
    deadlines_recompute(student_ids=[student.pk])
    meetings = _meeting_ids(personas)
    progress = _progress_ids(student, chair)
    return {
        **meetings,
        **progress,
        "/api/students/": student.pk, "/api/ieps/": iep.pk, "/api/sections/": iep.sections.first().pk,
        "/api/documents/": document_request(iep=iep, kind="summary", user=chair)[0].pk,
        "/api/deadlines/": student.deadlines.first().pk, "/api/timeline-events/": event.pk,
        "/api/evaluations/": EvaluationFactory(student=student).pk,
        "/api/team-memberships/": TeamMembership.objects.filter(student=student).first().pk,
        "/api/manage/users/": personas["same_school_teacher"].pk,
        "/api/manage/role-assignments/": personas["same_school_teacher"].role_assignments.first().pk,
    }


def _meeting_ids(personas) -> dict[str, int]:
    """A meeting (scheduled, next week) with an invitation, a contact attempt and an excusal; a held meeting with
    an attendee; a consent form sent (Team meetings, docs/meetings.md)."""
    import datetime

    from django.utils import timezone

    from meetings.models import Attendance, ContactAttempt, EvaluationConsent, Excusal, Invitation, Meeting

    student, chair, today = personas["student"], personas["team_chair"], timezone.localdate()
    meeting = Meeting.objects.create(student=student, meeting_type="annual_review", date=today + datetime.timedelta(7),
                                     start_time=datetime.time(9), location="Room 1", purpose="Review.",
                                     scheduled_by=chair)
    held = Meeting.objects.create(student=student, meeting_type="eligibility", date=today, status="held",
                                  start_time=datetime.time(13), location="Room 1", purpose="Eligibility.",
                                  scheduled_by=chair)
    return {
        "/api/meetings/": meeting.pk,
        "/api/meeting-invitations/": Invitation.objects.create(meeting=meeting, sent_on=today, method="mail").pk,
        "/api/meeting-contact-attempts/": ContactAttempt.objects.create(meeting=meeting, attempted_on=today,
                                                                        method="phone", outcome="no_answer").pk,
        "/api/meeting-excusals/": Excusal.objects.create(meeting=meeting, member=personas["team_teacher"],
                                                         parent_agreed_on=today).pk,
        "/api/meeting-attendance/": Attendance.objects.create(meeting=held, kind="staff", user=chair).pk,
        "/api/evaluation-consents/": EvaluationConsent.objects.create(student=student, kind="initial",
                                                                      sent_on=today).pk,
    }


def _progress_ids(student, chair) -> dict[str, int]:
    """An accepted IEP in force for 2025-26 with a period, a draft report on its goal and a finalised document."""
    import datetime

    from iep.models import IEP
    from iep.pdf.sample import sample_iep
    from progress.models import MarkingPeriod, ProgressDocument
    from progress.services import report_start

    iep = sample_iep(student=student, user=chair, goals=1, lines=1, start=date(2025, 9, 1), meeting=date(2025, 8, 25))
    iep.status = IEP.Status.ACCEPTED
    iep.save()
    period = MarkingPeriod.objects.create(district=student.district, school_year="2025-26", name="Term 1",
                                          start=date(2025, 9, 2), end=date(2025, 11, 14), report_due=date(2025, 11, 21))
    report = report_start(goal=iep.sections.goals().first(), period=period, user=chair)
    document = ProgressDocument.objects.create(student=student, iep=iep, period=period, finalised_by=chair,
                                               finalised_at=datetime.datetime(2025, 11, 20, tzinfo=datetime.UTC))
    return {"/api/marking-periods/": period.pk, "/api/progress-reports/": report.pk,
            "/api/progress-documents/": document.pk}
