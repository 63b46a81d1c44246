"""The rules of Team meetings (docs/meetings.md): each refusal writes nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings import selectors
from meetings.exceptions import (
    DateInTheFuture,
    ExcusalWithoutAgreement,
    InvalidInput,
    MeetingInThePast,
    MeetingNotHeld,
    MeetingNotOpen,
)
from meetings.models import Attendance, ContactAttempt, EvaluationConsent, Excusal, Meeting
from meetings.services import (
    attendance_record,
    consent_respond,
    consent_send,
    contact_attempt_record,
    excusal_record,
    meeting_cancel,
    meeting_hold,
    meeting_reschedule,
    meeting_schedule,
)
from tests.meetings.conftest import TODAY

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n% a signed agreement\n"


def _schedule(personas, **changes):
    fields = {"student": personas["student"], "user": personas["team_chair"], "meeting_type": "annual_review",
              "date": TODAY, "start_time": datetime.time(10, 0), "location": "Room 1", "purpose": "Review.",
              "today": TODAY} | changes
    return meeting_schedule(**fields)


def test_a_new_meeting_in_the_past_is_refused_and_nothing_is_written(personas):
    with pytest.raises(MeetingInThePast) as refused:
        _schedule(personas, date=TODAY - DAY)
    assert "past" in str(refused.value) and refused.value.errors.keys() == {"date"}
    assert not Meeting.objects.exists()


def test_a_meeting_today_or_later_is_scheduled(personas):
    meeting = _schedule(personas)
    assert meeting.status == Meeting.Status.SCHEDULED and meeting.scheduled_by == personas["team_chair"]
    assert meeting.history.count() == 1


def test_a_meeting_needs_a_place_or_a_video_link(personas):
    with pytest.raises(InvalidInput) as refused:
        _schedule(personas, location="  ")
    assert "location" in refused.value.errors
    assert _schedule(personas, location="", video_link="https://video.example.org/j/123").video_link


def test_a_meeting_cannot_be_tied_to_another_students_iep(personas):
    from iep.services.sections import iep_create
    from tests.factories import StudentFactory

    other = StudentFactory(school=personas["school_a"])
    other_iep = iep_create(student=other, user=personas["district_admin"], start_date=datetime.date(2026, 9, 1))
    with pytest.raises(InvalidInput):
        _schedule(personas, iep=other_iep)
    assert not Meeting.objects.exists()


def test_rescheduling_into_the_past_is_refused(meeting, personas):
    with pytest.raises(MeetingInThePast):
        meeting_reschedule(meeting=meeting, user=personas["team_chair"], date=TODAY - DAY, today=TODAY)
    meeting.refresh_from_db()
    assert meeting.date == TODAY + 7 * DAY


def test_a_meeting_in_the_future_cannot_be_held(meeting, personas):
    with pytest.raises(MeetingNotHeld):
        meeting_hold(meeting=meeting, user=personas["team_chair"], today=TODAY)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_holding_records_attendance_of_staff_parents_student_interpreter_and_others(meeting, personas, guardians):
    held = meeting_hold(meeting=meeting, user=personas["team_chair"], today=meeting.date, attendees=[
        {"kind": "staff", "attendee": personas["team_chair"]}, {"kind": "staff", "attendee": personas["team_sped"]},
        {"kind": "parent", "guardian": guardians[0]}, {"kind": "student"},
        {"kind": "interpreter", "name": "Lia Costa", "language": "Portuguese"},
        {"kind": "other", "name": "Dana Reyes", "role": "Advocate"}])
    assert held.status == Meeting.Status.HELD
    shown = selectors.meeting_attendance(held)
    names = [(row["name"], row["role"]) for row in shown["attended"]]
    assert ("Ana Souza", "Parent") in names and ("The student", "Student") in names
    assert ("Lia Costa", "Interpreter (Portuguese)") in names and ("Dana Reyes", "Advocate") in names
    assert len(names) == 6


def test_a_bad_attendee_while_holding_leaves_the_meeting_unheld(meeting, personas):
    with pytest.raises(InvalidInput) as refused:
        meeting_hold(meeting=meeting, user=personas["team_chair"], today=meeting.date, attendees=[
            {"kind": "staff", "attendee": personas["team_chair"]}, {"kind": "interpreter", "name": "No Language"}])
    assert "language" in refused.value.errors
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED and not Attendance.objects.exists()


def test_a_held_meeting_cannot_be_held_again_or_cancelled(meeting, personas):
    meeting_hold(meeting=meeting, user=personas["team_chair"], today=meeting.date)
    with pytest.raises(MeetingNotOpen):
        meeting_hold(meeting=meeting, user=personas["team_chair"], today=meeting.date)
    with pytest.raises(MeetingNotOpen):
        meeting_cancel(meeting=meeting, user=personas["team_chair"])


def test_attendance_on_a_meeting_not_yet_held_is_refused_and_nothing_is_written(meeting, personas):
    with pytest.raises(MeetingNotHeld) as refused:
        attendance_record(meeting=meeting, user=personas["team_teacher"], kind="staff",
                          attendee=personas["team_teacher"])
    assert "held" in str(refused.value)
    assert not Attendance.objects.exists()


def test_attendance_after_the_meeting_is_held_is_recorded_once_per_person(meeting, personas):
    meeting_hold(meeting=meeting, user=personas["team_chair"], today=meeting.date)
    row = attendance_record(meeting=meeting, user=personas["team_teacher"], kind="staff",
                            attendee=personas["team_teacher"])
    assert row.role  # their job title or their Team role
    with pytest.raises(InvalidInput):
        attendance_record(meeting=meeting, user=personas["team_teacher"], kind="staff",
                          attendee=personas["team_teacher"])
    assert Attendance.objects.count() == 1


def test_a_parent_of_another_student_is_refused(meeting, personas):
    from tests.factories import GuardianFactory

    meeting_hold(meeting=meeting, user=personas["team_chair"], today=meeting.date)
    with pytest.raises(InvalidInput):
        attendance_record(meeting=meeting, user=personas["team_chair"], kind="parent", guardian=GuardianFactory())
    assert not Attendance.objects.exists()


def test_a_contact_attempt_in_the_future_is_refused_and_nothing_is_written(meeting, personas, guardians):
    with pytest.raises(DateInTheFuture) as refused:
        contact_attempt_record(meeting=meeting, user=personas["team_chair"], attempted_on=TODAY + DAY,
                               method="phone", outcome="no_answer", guardian=guardians[0], today=TODAY)
    assert refused.value.errors.keys() == {"attempted_on"}
    assert not ContactAttempt.objects.exists()


def test_contact_attempts_are_logged_with_date_method_and_outcome(meeting, personas, guardians):
    for day, outcome in ((TODAY - DAY, "no_answer"), (TODAY, "message")):
        contact_attempt_record(meeting=meeting, user=personas["team_chair"], attempted_on=day, method="phone",
                               outcome=outcome, guardian=guardians[0], today=TODAY)
    assert list(meeting.contact_attempts.values_list("outcome", flat=True)) == ["no_answer", "message"]


def test_an_excusal_without_the_parents_written_agreement_is_refused(meeting, personas):
    with pytest.raises(ExcusalWithoutAgreement) as refused:
        excusal_record(meeting=meeting, user=personas["team_chair"], member=personas["team_teacher"],
                       parent_agreed_on=None, today=TODAY)
    assert "written agreement" in str(refused.value) and "parent_agreed_on" in refused.value.errors
    assert not Excusal.objects.exists()


def test_an_excusal_where_the_area_is_discussed_needs_written_input_before_the_meeting(meeting, personas):
    with pytest.raises(InvalidInput) as refused:
        excusal_record(meeting=meeting, user=personas["team_chair"], member=personas["team_teacher"],
                       parent_agreed_on=TODAY, area_discussed=True, today=TODAY)
    assert "written_input_on" in refused.value.errors
    with pytest.raises(InvalidInput):
        excusal_record(meeting=meeting, user=personas["team_chair"], member=personas["team_teacher"],
                       parent_agreed_on=TODAY, area_discussed=True, written_input_on=meeting.date + DAY,
                       today=meeting.date + DAY)
    excusal = excusal_record(meeting=meeting, user=personas["team_chair"], member=personas["team_teacher"],
                             parent_agreed_on=TODAY, area_discussed=True, written_input_on=TODAY, today=TODAY,
                             agreement=SimpleUploadedFile("agreement.pdf", PDF, content_type="application/pdf"))
    assert excusal.agreement.read() == PDF


def test_only_a_team_member_can_be_excused(meeting, personas):
    with pytest.raises(InvalidInput):
        excusal_record(meeting=meeting, user=personas["team_chair"], member=personas["same_school_teacher"],
                       parent_agreed_on=TODAY, today=TODAY)
    assert not Excusal.objects.exists()


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("agreement.exe", PDF, "PDF, PNG or JPEG"),
    ("agreement.pdf", b"<html><script>alert(1)</script></html>", "not a PDF"),
    ("agreement.png", PDF, "not a PNG"),
    ("agreement.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "larger than 5 MB"),
    ("agreement.pdf", b"", "empty"),
])
def test_an_uploaded_agreement_must_be_a_real_pdf_png_or_jpeg_of_at_most_5_mb(meeting, personas, name, content,
                                                                              problem):
    with pytest.raises(InvalidInput) as refused:
        excusal_record(meeting=meeting, user=personas["team_chair"], member=personas["team_teacher"],
                       parent_agreed_on=TODAY, today=TODAY, agreement=SimpleUploadedFile(name, content))
    assert problem in str(refused.value) and "agreement" in refused.value.errors
    assert not Excusal.objects.exists()


def test_an_excused_member_is_not_offered_as_present(meeting, personas):
    excusal_record(meeting=meeting, user=personas["team_chair"], member=personas["team_teacher"],
                   parent_agreed_on=TODAY, today=TODAY)
    with pytest.raises(InvalidInput):
        meeting_hold(meeting=meeting, user=personas["team_chair"], today=meeting.date,
                     attendees=[{"kind": "staff", "attendee": personas["team_teacher"]}])
    meeting_hold(meeting=meeting, user=personas["team_chair"], today=meeting.date)
    shown = selectors.meeting_attendance(meeting)
    assert [row["name"] for row in shown["excused"]] == [personas["team_teacher"].get_full_name()]


def test_consent_given_supplies_consent_received_and_a_refusal_supplies_nothing(personas):
    student, chair = personas["student"], personas["team_chair"]
    consent = consent_send(student=student, user=chair, kind="initial", sent_on=TODAY - 3 * DAY, today=TODAY)
    assert selectors.case_events_from_meetings([student.pk]) == {}
    refused = consent_send(student=student, user=chair, kind="reevaluation", sent_on=TODAY - 3 * DAY, today=TODAY)
    consent_respond(consent=refused, user=chair, response="refused", responded_on=TODAY - DAY, today=TODAY)
    assert selectors.case_events_from_meetings([student.pk]) == {}
    consent_respond(consent=consent, user=chair, response="consented", responded_on=TODAY, today=TODAY,
                    signed_form=SimpleUploadedFile("signed.pdf", PDF))
    assert selectors.case_events_from_meetings([student.pk]) == {student.pk: {"consent_received": TODAY}}
    assert EvaluationConsent.objects.get(pk=refused.pk).get_response_display() == "Consent refused"


def test_a_consent_cannot_be_received_before_it_was_sent_or_in_the_future(personas):
    consent = consent_send(student=personas["student"], user=personas["team_chair"], kind="initial", sent_on=TODAY,
                           today=TODAY)
    for day, error in ((TODAY - DAY, InvalidInput), (TODAY + DAY, DateInTheFuture)):
        with pytest.raises(error):
            consent_respond(consent=consent, user=personas["team_chair"], response="consented", responded_on=day,
                            today=TODAY)
    consent.refresh_from_db()
    assert consent.response == EvaluationConsent.Response.PENDING and consent.responded_on is None


def test_a_held_annual_review_supplies_team_meeting_and_annual_review_meeting(meeting, personas):
    student = personas["student"]
    assert selectors.case_events_from_meetings([student.pk]) == {}
    meeting_hold(meeting=meeting, user=personas["team_chair"], today=meeting.date)
    assert selectors.case_events_from_meetings([student.pk]) == {
        student.pk: {"team_meeting": meeting.date, "annual_review_meeting": meeting.date}}


def test_scheduled_and_cancelled_meetings_supply_nothing(meeting, personas):
    meeting_cancel(meeting=meeting, user=personas["team_chair"])
    _schedule(personas)
    assert selectors.case_events_from_meetings([personas["student"].pk]) == {}


def test_holding_the_meeting_marks_team_meeting_deadlines_met_without_typing_the_event(
        personas, django_capture_on_commit_callbacks):
    """An initial evaluation: consent received starts evaluation_complete, the held meeting meets it."""
    from tests.timelines.factories import ma_year
    from timelines.models import Deadline, TimelineEvent

    student, chair = personas["student"], personas["team_chair"]
    ma_year(student.district, 2026)
    consent = consent_send(student=student, user=chair, kind="initial", sent_on=TODAY - 9 * DAY, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        consent_respond(consent=consent, user=chair, response="consented", responded_on=TODAY - 7 * DAY, today=TODAY)
    evaluation = Deadline.objects.get(student=student, key="evaluation_complete")
    assert evaluation.status != Deadline.Status.MET
    meeting = _schedule(personas, meeting_type="eligibility", date=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_hold(meeting=meeting, user=chair, today=TODAY)
    evaluation.refresh_from_db()
    assert evaluation.status == Deadline.Status.MET and evaluation.met_on == TODAY
    assert not TimelineEvent.objects.filter(student=student).exists()  # nobody typed it
    assert [e.key for e in selectors.derived_events(student)] == ["team_meeting", "consent_received"]


def test_overlapping_meetings_of_the_same_people_are_pointed_out(meeting, personas):
    from accounts.services import team_membership_add
    from tests.factories import StudentFactory

    other = StudentFactory(school=personas["school_a"])
    team_membership_add(student=other, user=personas["team_sped"])
    found = selectors.overlaps(student=other, on=meeting.date, start_time=datetime.time(10, 0), duration_minutes=30)
    assert [(person, m) for person, m in found] == [(personas["team_sped"], meeting)]
    assert selectors.overlaps(student=other, on=meeting.date, start_time=datetime.time(10, 30),
                              duration_minutes=30) == []  # 9:30-10:30 ends as this one starts
    assert selectors.overlaps(student=other, on=meeting.date + DAY, start_time=datetime.time(10, 0),
                              duration_minutes=30) == []


def test_the_demo_meetings_are_added_once(personas):
    from meetings.demo import seed_meetings
    from students.demo import SeedResult

    result = SeedResult(district=personas["district"])
    first = seed_meetings(result=result, seed=1)
    assert first == 2 and Meeting.objects.filter(status=Meeting.Status.HELD).count() == 1
    assert seed_meetings(result=result, seed=1) == 0 and Meeting.objects.count() == 2
