"""The printed invitation and the meeting summary's attendance: real PDFs, read back."""

import datetime

import pytest

from iep.pdf.context import build_context
from iep.pdf.render import render_html, render_pdf
from meetings.models import Invitation
from meetings.services import excusal_record, invitation_send, meeting_hold, meeting_schedule
from tests.iep.pdf_geometry import layout_violations
from tests.iep.pdf_helpers import pages_text
from tests.meetings.conftest import TODAY

pytestmark = pytest.mark.django_db


def _invitation_text(meeting, personas, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_send(meeting=meeting, user=personas["team_chair"], sent_on=TODAY, method="mail",
                                     today=TODAY)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.READY and len(invitation.sha256) == 64
    pdf = invitation.file.read()
    assert layout_violations(pdf) == []  # every word on the page, none overlapping or crossed (as the IEP's)
    return " ".join(pages_text(pdf))


def test_the_invitation_prints_purpose_time_place_who_is_invited_rights_and_interpreter(
        meeting, personas, guardians, django_capture_on_commit_callbacks):
    text = _invitation_text(meeting, personas, django_capture_on_commit_callbacks)
    for expected in ("Invitation to a Team meeting", "Review the IEP and write next year",
                     "Room 12, Lincoln Elementary", "9:30 AM",
                     "Monday, October 12, 2026", "Ana Souza", "Rui Souza", "Sent October 5, 2026 (mail)",
                     "You may bring anyone you choose", "interpreter in Portuguese",
                     personas["team_sped"].get_full_name(), "Team chair"):
        assert expected in text, expected


def test_from_age_14_the_student_is_invited_and_transition_is_part_of_the_purpose(
        personas, guardians, django_capture_on_commit_callbacks):
    student = personas["student"]
    student.date_of_birth = datetime.date(2012, 10, 1)  # 14 on the meeting date
    student.save()
    meeting = meeting_schedule(student=student, user=personas["team_chair"], meeting_type="annual_review",
                               date=TODAY + datetime.timedelta(days=3), start_time=datetime.time(8, 0),
                               location="Room 2", purpose="Annual review.", today=TODAY)
    text = _invitation_text(meeting, personas, django_capture_on_commit_callbacks)
    assert f"{student.first_name} is invited too" in text and "transition services" in text
    assert "34 CFR 300.322(b)(2)" in text


def test_before_14_and_with_an_english_speaking_family_neither_is_printed(
        personas, django_capture_on_commit_callbacks):
    student = personas["student"]
    student.date_of_birth, student.primary_language = datetime.date(2016, 1, 1), "English"
    student.save()
    meeting = meeting_schedule(student=student, user=personas["team_chair"], meeting_type="annual_review",
                               date=TODAY, start_time=datetime.time(8, 0), location="Room 2", purpose="Review.",
                               today=TODAY)
    text = _invitation_text(meeting, personas, django_capture_on_commit_callbacks)
    assert "transition" not in text and "interpreter in" not in text
    assert "You may bring anyone you choose" in text


def test_an_invitation_dated_in_the_future_or_after_the_meeting_is_refused(meeting, personas):
    from meetings.exceptions import DateInTheFuture, InvalidInput

    with pytest.raises(DateInTheFuture):
        invitation_send(meeting=meeting, user=personas["team_chair"], sent_on=TODAY + datetime.timedelta(days=1),
                        method="mail", today=TODAY)
    with pytest.raises(InvalidInput):
        invitation_send(meeting=meeting, user=personas["team_chair"], sent_on=meeting.date + datetime.timedelta(1),
                        method="mail", today=meeting.date + datetime.timedelta(1))
    assert not Invitation.objects.exists()


def test_the_meeting_summary_lists_who_attended_parents_included(meeting, personas, guardians):
    from iep.pdf.sample import sample_iep

    iep = sample_iep(student=personas["student"], user=personas["team_chair"], goals=1, lines=1)
    meeting.iep = iep
    meeting.save()
    excusal_record(meeting=meeting, user=personas["team_chair"], member=personas["team_teacher"],
                   parent_agreed_on=TODAY, today=TODAY)
    before = " ".join(pages_text(render_pdf(render_html(build_context(iep, "summary")))))
    assert "Ana Souza" not in before and personas["team_teacher"].get_full_name() in before  # the Team roster
    meeting_hold(meeting=meeting, user=personas["team_chair"], today=meeting.date, attendees=[
        {"kind": "staff", "attendee": personas["team_chair"]}, {"kind": "parent", "guardian": guardians[0]},
        {"kind": "student"}, {"kind": "interpreter", "name": "Lia Costa", "language": "Portuguese"}])
    text = " ".join(pages_text(render_pdf(render_html(build_context(iep, "summary")))))
    assert "Team members present" in text and "Meeting held October 12, 2026" in text
    for expected in ("Ana Souza", "Parent or guardian", personas["team_chair"].get_full_name(), "The student",
                     "Interpreter (Portuguese)", "Excused"):
        assert expected in text, expected
    assert personas["team_sped"].get_full_name() not in text  # on the Team, but not present


def test_a_second_delivery_of_the_render_leaves_the_ready_invitation_alone(meeting, personas,
                                                                          django_capture_on_commit_callbacks):
    from meetings.services import invitation_render

    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_send(meeting=meeting, user=personas["team_chair"], sent_on=TODAY, method="email",
                                     today=TODAY)
    invitation.refresh_from_db()
    Invitation.objects.filter(pk=invitation.pk).update(sha256="a" * 64)  # a re-render would overwrite it
    assert invitation_render(invitation_id=invitation.pk).sha256 == "a" * 64
