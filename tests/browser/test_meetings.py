"""End to end: a chair schedules an annual review, prints the invitation, logs two contact attempts, excuses a
member with the parent's signed agreement, holds the meeting recording attendance; the timeline shows the Team
meeting (and the deadline it met) from the meeting itself, and the meeting summary lists who attended."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import Attendance, ContactAttempt, Excusal, Meeting
from meetings.services import consent_respond, consent_send
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.helpers import build_world
from tests.factories import GuardianFactory
from tests.iep.pdf_helpers import pages_text
from timelines.models import Deadline, TimelineEvent

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips these tests with the reason (and fails them in CI)
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(personas):
    world = build_world(personas)
    student, chair = world["student"], personas["team_chair"]
    world["parent"] = GuardianFactory(student=student, name="Ana Souza", preferred_language="Portuguese",
                                      is_primary_contact=True)
    today = timezone.localdate()
    consent = consent_send(student=student, user=chair, kind="reevaluation", sent_on=today - timedelta(days=12))
    consent_respond(consent=consent, user=chair, response="consented", responded_on=today - timedelta(days=10))
    from timelines.services import deadlines_recompute

    deadlines_recompute(student_ids=[student.pk])
    return world


def test_chair_schedules_invites_logs_contacts_excuses_holds_and_the_summary_lists_attendance(
        new_page, personas, world, tmp_path):
    student, iep, chair, parent = world["student"], world["iep"], personas["team_chair"], world["parent"]
    today = timezone.localdate()
    evaluation = Deadline.objects.get(student=student, key="evaluation_complete")
    assert evaluation.status != Deadline.Status.MET

    page = new_page(accept_downloads=True)
    log_in(page, chair, next_url=f"/students/{student.pk}/meetings/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Team meetings")
    assert_accessible(page, "the student's meetings tab")
    page.get_by_label("Type of meeting").select_option("annual_review")
    page.get_by_label("IEP", exact=True).select_option(str(iep.pk))
    page.get_by_label(re.compile("^Date")).fill(today.isoformat())
    page.get_by_label("Starts at").fill("23:00")
    page.get_by_label("Place").fill("Room 12, Lincoln Elementary")
    page.get_by_label("Purpose").fill("Review progress and develop next year's IEP.")
    page.get_by_role("button", name="Schedule meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annual review meeting")
    meeting = Meeting.objects.get(student=student)
    assert_accessible(page, "the meeting page")

    # The invitation: recorded as sent by mail today, printed through the Celery path, read back.
    page.get_by_label("Sent by").select_option("mail")
    page.get_by_role("button", name="Print the invitation and record it as sent").click()
    download = page.get_by_role("link", name="Download the invitation (PDF)")
    expect(download).to_be_visible(timeout=60_000)
    assert_accessible(page, "the printed invitation page")
    with page.expect_download() as started:
        download.click()
    text = " ".join(pages_text(open(started.value.path(), "rb").read()))
    assert "Invitation to a Team meeting" in text and "Room 12, Lincoln Elementary" in text
    assert "Ana Souza" in text and "You may bring anyone you choose" in text and "interpreter in Portuguese" in text

    # Two attempts to reach the parent.
    page.goto(f"/meetings/{meeting.pk}/")
    for outcome in ("no_answer", "confirmed"):
        page.get_by_label("Parent or guardian").select_option(str(parent.pk))
        page.get_by_label(re.compile("^Method")).select_option("phone")
        page.get_by_label("Outcome").select_option(outcome)
        page.get_by_role("button", name="Log contact attempt").click()
        expect(page.get_by_role("heading", name="Attempts to reach the parents")).to_be_visible()
    assert list(ContactAttempt.objects.filter(meeting=meeting).values_list("outcome", flat=True)) == [
        "no_answer", "confirmed"]

    # An excusal without the agreement is refused, then recorded with it (and the signed form uploaded).
    sped = personas["team_sped"]
    page.get_by_label("Team member excused").select_option(str(sped.pk))
    page.get_by_role("button", name="Record excusal").click()
    expect(page.get_by_role("alert").filter(has_text="written agreement").first).to_be_visible()
    assert not Excusal.objects.exists()
    assert_accessible(page, "the meeting page with the excusal refused")
    signed = tmp_path / "agreement.pdf"
    signed.write_bytes(b"%PDF-1.4\n% the parent's signed agreement\n")
    page.get_by_label("Team member excused").select_option(str(sped.pk))
    page.get_by_label("Date of the parent's written agreement").fill(today.isoformat())
    page.get_by_label(re.compile("^Parent's signed agreement")).set_input_files(str(signed))
    page.get_by_role("button", name="Record excusal").click()
    expect(page.get_by_role("link", name=re.compile("^Download the agreement excusing"))).to_be_visible()

    # Hold the meeting: attendance by role, the parent, an interpreter.
    page.get_by_role("link", name="Hold the meeting and record attendance").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hold the meeting")
    assert_accessible(page, "the hold page")
    page.get_by_label(re.compile(rf"^{re.escape(chair.get_full_name())}, Team chair")).check()
    page.get_by_label(re.compile(rf"^{re.escape(personas['team_teacher'].get_full_name())}, ")).check()
    page.get_by_label("Ana Souza (Parent)").check()
    page.get_by_label("Interpreter's name").fill("Lia Costa")
    page.get_by_label("Language interpreted").fill("Portuguese")
    page.get_by_role("button", name="Record the meeting as held").click()
    expect(page.get_by_role("heading", name="Attendance")).to_be_visible()
    assert Attendance.objects.filter(meeting=meeting).count() == 4

    # The timeline: the Team meeting comes from the meeting (nobody typed it), and it met the evaluation deadline.
    page.goto(f"/students/{student.pk}/timeline/")
    derived = page.get_by_role("table").filter(has_text="Annual review meeting held").first
    expect(derived).to_contain_text("Team meeting")
    row = page.get_by_role("row").filter(has_text="Evaluation complete")
    expect(row).to_contain_text(f"Met on {today:%b} {today.day}, {today.year}")
    assert not TimelineEvent.objects.filter(student=student, key="team_meeting").exists()
    assert_accessible(page, "the timeline after the meeting")

    # The meeting summary lists who attended, the parent included, and the excused member.
    page.goto(f"/ieps/{iep.pk}/")
    page.get_by_role("button", name="Print meeting summary").click()
    summary = page.get_by_role("link", name="Download Meeting summary (PDF)")
    expect(summary).to_be_visible(timeout=60_000)
    with page.expect_download() as started:
        summary.click()
    text = " ".join(pages_text(open(started.value.path(), "rb").read()))
    for expected in ("Team members present", "Ana Souza", "Parent or guardian", chair.get_full_name(),
                     "Interpreter (Portuguese)", "Excused", sped.get_full_name()):
        assert expected in text, expected


def test_the_month_view_and_the_calendar_are_keyboard_reachable_and_accessible(new_page, personas, world):
    import datetime

    from meetings.services import meeting_schedule

    today = timezone.localdate()
    meeting = meeting_schedule(student=world["student"], user=personas["team_chair"], meeting_type="reevaluation",
                               date=today, start_time=datetime.time(23, 30), location="Room 2", purpose="Reevaluation.")
    page = new_page()
    log_in(page, personas["team_sped"], next_url="/meetings/")
    assert_accessible(page, "my upcoming meetings")
    page.get_by_role("link", name="Month view").click()
    expect(page.get_by_role("table")).to_contain_text("11:30 PM Reevaluation")
    assert_accessible(page, "the month view")
    link = page.get_by_role("link", name=re.compile("11:30 PM Reevaluation"))
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    page.goto("/meetings/feed/")
    page.get_by_role("button", name="Create my calendar address").click()
    expect(page.get_by_label("Calendar address")).to_have_value(re.compile(r"/calendar\.ics$"))
    assert_accessible(page, "the calendar address page")
