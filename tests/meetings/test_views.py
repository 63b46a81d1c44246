"""Meeting pages: scheduling (with the overlap warning), holding, excusals, attendance, consent, calendars, feed."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from meetings.ics import escape_text, fold
from meetings.models import Attendance, CalendarFeed, EvaluationConsent, Excusal, Meeting

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(personas, **changes):
    return {"meeting_type": "annual_review", "date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "start_time": "10:00", "duration_minutes": "60", "location": "Room 7", "video_link": "",
            "purpose": "Review the IEP."} | changes


def test_a_chair_schedules_from_the_students_meetings_tab(personas):
    url = f"/students/{personas['student'].pk}/meetings/"
    page = _client(personas["team_chair"]).get(url)
    assert page.status_code == 200 and b"Schedule a meeting" in page.content
    response = _client(personas["team_chair"]).post(url, _form(personas))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert meeting.scheduled_by == personas["team_chair"]


def test_a_meeting_in_the_past_is_refused_on_the_page_with_nothing_written(personas):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = _client(personas["team_chair"]).post(f"/students/{personas['student'].pk}/meetings/",
                                                    _form(personas, date=yesterday))
    assert response.status_code == 400 and b"cannot be scheduled in the past" in response.content
    assert not Meeting.objects.exists()


def test_an_overlap_is_pointed_out_and_scheduling_waits_for_confirmation(personas):
    client, url = _client(personas["team_chair"]), f"/students/{personas['student'].pk}/meetings/"
    client.post(url, _form(personas))
    warned = client.post(url, _form(personas, start_time="10:30"))
    assert warned.status_code == 200 and b"overlapping meetings" in warned.content
    assert b"already has a Team meeting from 10:00 AM to 11:00 AM" in warned.content
    assert Meeting.objects.count() == 1
    confirmed = client.post(url, _form(personas, start_time="10:30", confirm_overlap="on"))
    assert confirmed.status_code == 302 and Meeting.objects.count() == 2


@pytest.mark.parametrize(("persona", "get", "post"), [("team_teacher", 200, 403), ("building_admin", 200, 302),
                                                      ("same_school_teacher", 404, 404),
                                                      ("other_district_admin", 404, 404)])
def test_who_sees_and_who_schedules(persona, get, post, personas):
    url = f"/students/{personas['student'].pk}/meetings/"
    assert _client(personas[persona]).get(url).status_code == get
    assert _client(personas[persona]).post(url, _form(personas)).status_code == post


def test_holding_on_the_page_records_attendance_and_the_timeline_shows_the_team_meeting(personas, guardians,
                                                                                      live_meeting):
    chair = personas["team_chair"]
    page = _client(chair).get(f"/meetings/{live_meeting.pk}/hold/")
    assert page.status_code == 200 and b"Ana Souza (Parent)" in page.content
    response = _client(chair).post(f"/meetings/{live_meeting.pk}/hold/", {
        "staff_present": [str(chair.pk), str(personas["team_sped"].pk)], "parents_present": [str(guardians[0].pk)],
        "student_present": "on", "interpreter_name": "Lia Costa", "interpreter_language": "Portuguese",
        "others": "Dana Reyes, Advocate"})
    assert response.status_code == 302
    live_meeting.refresh_from_db()
    assert live_meeting.status == Meeting.Status.HELD and Attendance.objects.count() == 6
    detail = _client(personas["team_teacher"]).get(f"/meetings/{live_meeting.pk}/").content.decode()
    assert "Dana Reyes" in detail and "Interpreter (Portuguese)" in detail
    timeline = _client(chair).get(f"/students/{personas['student'].pk}/timeline/").content.decode()
    assert "Events from meetings and consents" in timeline and "Annual review meeting held" in timeline


def test_an_excusal_without_agreement_is_refused_on_the_page(personas, live_meeting):
    response = _client(personas["team_chair"]).post(f"/meetings/{live_meeting.pk}/excusals/", {
        "excusal-member": personas["team_sped"].pk, "excusal-parent_agreed_on": ""})
    assert response.status_code == 400 and b"only with the parent&#x27;s written agreement" in response.content
    assert not Excusal.objects.exists()


def test_a_team_member_cannot_record_attendance_before_the_meeting_is_held(personas, live_meeting):
    response = _client(personas["team_teacher"]).post(f"/meetings/{live_meeting.pk}/attendance/", {
        "attendance-kind": "staff", "attendance-attendee": personas["team_teacher"].pk})
    assert response.status_code == 400 and b"once the meeting has been held" in response.content
    assert not Attendance.objects.exists()


def test_consent_sent_then_refused_on_the_pages(personas):
    client, student = _client(personas["team_chair"]), personas["student"]
    today = timezone.localdate().isoformat()
    assert client.post(f"/students/{student.pk}/consents/", {"kind": "initial", "sent_on": today}).status_code == 302
    consent = EvaluationConsent.objects.get()
    response = client.post(f"/meetings/consents/{consent.pk}/", {"response": "refused", "responded_on": today})
    assert response.status_code == 302
    listing = client.get(f"/students/{student.pk}/consents/").content.decode()
    assert "Consent refused" in listing


def test_the_calendar_list_and_month_show_a_persons_meetings(personas, live_meeting):
    sped = _client(personas["team_sped"])
    assert live_meeting.student.full_name in sped.get("/meetings/").content.decode()
    month = sped.get(f"/meetings/month/?month={live_meeting.date:%Y-%m}").content.decode()
    assert "2:00 PM Annual review" in month and '<th scope="col">Sunday</th>' in month
    assert sped.get("/meetings/month/?month=2026-13").status_code == 400
    outsider_list = _client(personas["same_school_teacher"]).get("/meetings/").content.decode()
    assert live_meeting.student.full_name not in outsider_list


def test_the_ical_feed_opens_with_its_secret_and_stops_when_revoked(personas, live_meeting):
    client = _client(personas["team_sped"])
    page = client.post("/meetings/feed/", {"action": "issue"}).content.decode()
    url = re.search(r'value="(http://testserver/meetings/feed/[^"]+/calendar\.ics)"', page).group(1)
    feed = Client().get(url)  # no sign-in: calendar apps cannot sign in
    body = feed.content.decode()
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and f"UID:meeting-{live_meeting.pk}@testserver" in body
    student = live_meeting.student
    assert f"({student.first_name[0]}.{student.last_name[0]}.)" in body and student.last_name not in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert CalendarFeed.objects.get().token_sha256 not in url  # only the hash is stored
    client.post("/meetings/feed/", {"action": "revoke"})
    assert Client().get(url).status_code == 404
    assert Client().get("/meetings/feed/not-a-token/calendar.ics").status_code == 404


def test_ical_text_is_escaped_and_folded_as_rfc_5545_says():
    assert escape_text("Room 4, Main; \\back\r\nline\x07") == "Room 4\\, Main\\; \\\\back\\nline"
    long = "DESCRIPTION:" + "é" * 80
    folded = fold(long)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == long
