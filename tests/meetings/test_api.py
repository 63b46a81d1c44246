"""The meetings API: who may do what (the chair and administrators schedule; Team members read and record
attendance), bad input answered 400 naming the field with nothing written, and a real worker printing."""

import datetime
import time

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from meetings.models import Attendance, ContactAttempt, EvaluationConsent, Excusal, Meeting

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _body(personas, **changes):
    return {"student": personas["student"].pk, "meeting_type": "annual_review",
            "date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(), "start_time": "09:00",
            "location": "Room 3", "purpose": "Annual review."} | changes


@pytest.mark.parametrize(("persona", "status"), [("team_chair", 201), ("district_admin", 201),
                                                 ("building_admin", 201), ("team_teacher", 403),
                                                 ("team_sped", 403), ("same_school_teacher", 400),
                                                 ("other_district_admin", 400)])
def test_the_chair_and_administrators_schedule(persona, status, personas):
    """Outside the scope the student is not among the choices: 400, exactly as for an id that does not exist."""
    response = _client(personas[persona]).post("/api/meetings/", _body(personas), format="json")
    assert response.status_code == status, response.content
    assert Meeting.objects.count() == (1 if status == 201 else 0)
    if status == 400:
        assert "student" in response.json()


def test_a_meeting_in_the_past_is_a_400_on_date_and_nothing_is_written(personas):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = _client(personas["team_chair"]).post("/api/meetings/", _body(personas, date=yesterday), format="json")
    assert response.status_code == 400 and "past" in response.json()["date"][0]
    assert not Meeting.objects.exists()


def test_the_overlap_is_returned_as_a_warning(personas):
    client = _client(personas["team_chair"])
    assert client.post("/api/meetings/", _body(personas), format="json").json()["overlaps"] == []
    second = client.post("/api/meetings/", _body(personas, start_time="09:30"), format="json").json()
    assert len(second["overlaps"]) == 3  # the chair, the special educator and the teacher are all in the first


@pytest.mark.parametrize(("persona", "status"), [("team_teacher", 200), ("building_admin", 200),
                                                 ("same_school_teacher", 404), ("other_district_admin", 404)])
def test_team_members_and_administrators_read_a_meeting(persona, status, personas, live_meeting):
    assert _client(personas[persona]).get(f"/api/meetings/{live_meeting.pk}/").status_code == status


def test_holding_through_the_api_records_attendance_and_a_teacher_adds_herself(personas, guardians, live_meeting):
    chair, teacher = personas["team_chair"], personas["team_teacher"]
    assert _client(teacher).post(f"/api/meetings/{live_meeting.pk}/hold/", {}, format="json").status_code == 403
    before = _client(teacher).post("/api/meeting-attendance/", {"meeting": live_meeting.pk, "kind": "staff",
                                                                "user": teacher.pk}, format="json")
    assert before.status_code == 400 and "held" in str(before.json())
    held = _client(chair).post(f"/api/meetings/{live_meeting.pk}/hold/", {"attendees": [
        {"kind": "staff", "user": chair.pk}, {"kind": "parent", "guardian": guardians[0].pk},
        {"kind": "interpreter", "name": "Lia Costa", "language": "Portuguese"}]}, format="json")
    assert held.status_code == 200 and held.json()["status"] == "held", held.content
    added = _client(teacher).post("/api/meeting-attendance/", {"meeting": live_meeting.pk, "kind": "staff",
                                                               "user": teacher.pk}, format="json")
    assert added.status_code == 201, added.content
    listed = _client(teacher).get(f"/api/meeting-attendance/?meeting={live_meeting.pk}").json()
    assert sorted(row["kind"] for row in listed["results"]) == ["interpreter", "parent", "staff", "staff"]


def test_an_interpreter_without_a_language_is_refused_while_holding(personas, live_meeting):
    response = _client(personas["team_chair"]).post(f"/api/meetings/{live_meeting.pk}/hold/", {"attendees": [
        {"kind": "interpreter", "name": "Lia Costa"}]}, format="json")
    assert response.status_code == 400 and "language" in response.json()
    live_meeting.refresh_from_db()
    assert live_meeting.status == Meeting.Status.SCHEDULED and not Attendance.objects.exists()


def test_an_excusal_without_agreement_and_a_future_contact_attempt_are_400s(personas, guardians, live_meeting):
    client = _client(personas["team_chair"])
    excusal = client.post("/api/meeting-excusals/", {"meeting": live_meeting.pk, "member": personas["team_sped"].pk},
                          format="json")
    assert excusal.status_code == 400 and "parent_agreed_on" in excusal.json()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    contact = client.post("/api/meeting-contact-attempts/", {
        "meeting": live_meeting.pk, "guardian": guardians[0].pk, "attempted_on": tomorrow, "method": "phone",
        "outcome": "no_answer"}, format="json")
    assert contact.status_code == 400 and "attempted_on" in contact.json()
    assert not Excusal.objects.exists() and not ContactAttempt.objects.exists()


def test_an_excusal_with_an_uploaded_agreement_through_multipart(personas, live_meeting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _client(personas["team_chair"]).post("/api/meeting-excusals/", {
        "meeting": live_meeting.pk, "member": personas["team_sped"].pk,
        "parent_agreed_on": timezone.localdate().isoformat(),
        "agreement": SimpleUploadedFile("signed.pdf", b"%PDF-1.4\n%signed\n", content_type="application/pdf")},
        format="multipart")
    assert response.status_code == 201 and response.json()["has_agreement_file"] is True


def test_consent_sent_then_given_through_the_api(personas):
    client = _client(personas["team_chair"])
    today = timezone.localdate().isoformat()
    sent = client.post("/api/evaluation-consents/", {"student": personas["student"].pk, "kind": "initial",
                                                     "sent_on": today}, format="json")
    assert sent.status_code == 201
    assert _client(personas["team_teacher"]).post(f"/api/evaluation-consents/{sent.json()['id']}/respond/", {
        "response": "consented", "responded_on": today}, format="json").status_code == 403
    answered = client.post(f"/api/evaluation-consents/{sent.json()['id']}/respond/", {
        "response": "consented", "responded_on": today}, format="json")
    assert answered.status_code == 200 and answered.json()["response"] == "consented"
    assert EvaluationConsent.objects.get().responded_on == timezone.localdate()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_prints_the_invitation(redis_url, personas, guardians):
    from config.celery import app as celery_app
    from tests.iep.pdf_helpers import pages_text

    meeting = Meeting.objects.create(student=personas["student"], meeting_type="annual_review",
                                     date=timezone.localdate(), start_time=datetime.time(9, 0), location="Room 9",
                                     purpose="Annual review.", scheduled_by=personas["team_chair"])
    client = _client(personas["team_chair"])
    celery_app.conf.task_always_eager = False
    from celery.contrib.testing.worker import start_worker

    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            sent = client.post("/api/meeting-invitations/", {"meeting": meeting.pk, "method": "mail",
                                                             "sent_on": timezone.localdate().isoformat()},
                               format="json")
            assert sent.status_code == 201, sent.content
            deadline, status = time.monotonic() + 60, sent.json()
            while status["status"] != "ready" and time.monotonic() < deadline:
                time.sleep(0.2)
                status = client.get(f"/api/meeting-invitations/{status['id']}/").json()
            assert status["status"] == "ready"
    finally:
        celery_app.conf.task_always_eager = True
    download = client.get(status["download_url"])
    text = " ".join(pages_text(b"".join(download.streaming_content)))
    assert "Invitation to a Team meeting" in text and "Room 9" in text and "Ana Souza" in text


def test_reading_one_meeting_is_logged_in_the_access_log(personas, live_meeting):
    from accounts.models import AccessLogEntry

    assert _client(personas["team_teacher"]).get(f"/api/meetings/{live_meeting.pk}/").status_code == 200
    entry = AccessLogEntry.objects.get(student=personas["student"], user=personas["team_teacher"])
    assert entry.object_type == "meetings.meeting" and entry.object_id == str(live_meeting.pk)
