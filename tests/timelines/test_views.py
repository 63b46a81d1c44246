from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.timelines.factories import TimelineEventFactory, ma_year
from timelines.models import Deadline, SchoolCalendar, StudentFacts, TimelineEvent
from timelines.services import deadlines_recompute

pytestmark = pytest.mark.django_db


def url(student):
    return f"/students/{student.pk}/timeline/"


@pytest.mark.parametrize(("persona", "status"), [
    ("team_teacher", 200), ("team_chair", 200), ("building_admin", 200), ("district_admin", 200),
    ("same_school_teacher", 404), ("other_school_admin", 404), ("other_district_admin", 404)])
def test_who_sees_the_timeline(persona, status, personas, client):
    client.force_login(personas[persona])
    assert client.get(url(personas["student"])).status_code == status


@pytest.mark.parametrize(("persona", "status"), [
    ("team_teacher", 302), ("team_sped", 302), ("team_chair", 302),
    ("building_admin", 403), ("district_admin", 403),
    ("same_school_teacher", 404), ("other_district_admin", 404), ("other_district_teacher", 404)])
def test_who_records_an_event(persona, status, personas, client, django_capture_on_commit_callbacks):
    client.force_login(personas[persona])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas["student"]), {"key": "referral_received",
                                                          "date": timezone.localdate().isoformat()})
    assert response.status_code == status
    assert TimelineEvent.objects.exists() == (status == 302)
    if status == 302:
        event = TimelineEvent.objects.get()
        assert event.recorded_by == personas[persona]
        assert event.history.get().history_user == personas[persona]
        assert Deadline.objects.filter(student=personas["student"], key="referral_notice").exists()


def test_the_page_shows_events_who_recorded_them_and_overdue_as_text(personas, client):
    student = personas["student"]
    today = timezone.localdate()
    ma_year(student.district, today.year - 1)
    ma_year(student.district, today.year)
    TimelineEventFactory(student=student, key="records_requested", date=today - timedelta(days=30),
                         recorded_by=personas["team_chair"])
    TimelineEventFactory(student=student, key="hearing_requested", date=today - timedelta(days=1),
                         recorded_by=personas["team_sped"])
    deadlines_recompute(student_ids=[student.pk])
    client.force_login(personas["team_teacher"])
    html = client.get(url(student)).content.decode()
    assert "Overdue:</strong> 1 deadline" in html and "Access to the student record" in html
    assert str(personas["team_chair"]) in html and "603 CMR 23.07(2)" in html
    assert "10 calendar days after records requested" in html
    assert "Coming next:</strong> District response to the hearing request" in html


def test_calendar_missing_is_shown_not_hidden(personas, client):
    student = personas["student"]
    TimelineEventFactory(student=student, key="referral_received", date=date(2025, 10, 6))
    deadlines_recompute(student_ids=[student.pk])
    client.force_login(personas["team_chair"])
    html = client.get(url(student)).content.decode()
    assert "Calendar missing:</strong> 1 deadline" in html
    assert "Calendar missing</td>" in html


def test_a_future_referral_is_refused_inline_and_nothing_is_saved(personas, client):
    client.force_login(personas["team_chair"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url(personas["student"]), {"key": "referral_received", "date": tomorrow.isoformat()})
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    response = client.post(url(personas["student"]), {"key": "no_such_event", "date": "2025-13-01"})
    assert response.status_code == 400
    assert not TimelineEvent.objects.exists()


def test_a_scheduled_meeting_may_be_in_the_future(personas, client):
    client.force_login(personas["team_chair"])
    soon = timezone.localdate() + timedelta(days=20)
    assert client.post(url(personas["student"]), {"key": "team_meeting", "date": soon.isoformat()}).status_code == 302


def test_facts_are_saved_by_the_team_and_refused_to_admins(personas, client, django_capture_on_commit_callbacks):
    student = personas["student"]
    client.force_login(personas["district_admin"])
    assert client.post(f"{url(student)}facts/", {"eligibility": "eligible", "hearing_filed_by": "parent"}
                       ).status_code == 403
    client.force_login(personas["team_sped"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url(student)}facts/", {"eligibility": "eligible", "hearing_filed_by": "parent",
                                                         "placement_decision_pending": "on"})
    assert response.status_code == 302
    facts = StudentFacts.objects.get(student=student)
    assert facts.eligibility == "eligible" and facts.placement_decision_pending
    assert facts.updated_by.username == "team_sped"
    assert client.post(f"{url(student)}facts/", {"eligibility": "maybe"}).status_code == 400


def test_a_correction_keeps_the_earlier_version(personas, client):
    student = personas["student"]
    client.force_login(personas["team_chair"])
    client.post(url(student), {"key": "referral_received", "date": "2025-10-06"})
    event = TimelineEvent.objects.get()
    response = client.post(f"{url(student)}events/{event.pk}/", {"date": "2025-10-07", "note": "typo"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.date == date(2025, 10, 7)
    assert sorted(event.history.values_list("date", flat=True)) == [date(2025, 10, 6), date(2025, 10, 7)]
    client.force_login(personas["building_admin"])
    assert client.get(f"{url(student)}events/{event.pk}/").status_code == 403
    client.force_login(personas["other_district_admin"])
    assert client.get(f"{url(student)}events/{event.pk}/").status_code == 404


def test_the_timeline_page_query_count_does_not_grow_with_events(personas, client, django_assert_max_num_queries):
    student = personas["student"]
    for n in range(30):
        TimelineEventFactory(student=student, key="records_requested", date=date(2025, 9, 1) + timedelta(days=n),
                             recorded_by=personas["team_chair"])
    deadlines_recompute(student_ids=[student.pk])
    client.force_login(personas["team_chair"])
    with django_assert_max_num_queries(25):
        assert client.get(url(student)).status_code == 200


# ---------------------------------------------------------------- calendars

def cal_url(district, rest=""):
    return f"/districts/{district.pk}/calendars/{rest}"


@pytest.mark.parametrize(("persona", "status"), [
    ("district_admin", 200), ("building_admin", 403), ("team_chair", 403),
    ("other_district_admin", 404), ("other_district_teacher", 404)])
def test_who_manages_the_calendar(persona, status, personas, client):
    client.force_login(personas[persona])
    district = personas["district"]
    for path in (cal_url(district), cal_url(district, "new/"), f"/districts/{district.pk}/calendar.json",
                 f"/districts/{district.pk}/calendar.ics"):
        assert client.get(path).status_code == status, path


def test_a_district_admin_adds_a_school_year_with_closures(personas, client, django_capture_on_commit_callbacks):
    client.force_login(personas["district_admin"])
    district = personas["district"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(cal_url(district, "new/"), {
            "label": "2025-26", "first_day": "2025-08-27", "last_day": "2026-06-16",
            "closures": "2025-09-01 Labor Day\n2025-12-24 to 2026-01-01 Winter vacation\n"})
    assert response.status_code == 302
    assert len(callbacks) == 1  # the district recompute
    year = SchoolCalendar.objects.get(district=district)
    assert year.closed == [{"start": "2025-09-01", "end": "2025-09-01", "description": "Labor Day"},
                           {"start": "2025-12-24", "end": "2026-01-01", "description": "Winter vacation"}]
    assert year.history.get().history_user == personas["district_admin"]


@pytest.mark.parametrize(("closures", "message"), [
    ("2025-12-24 to 2025-12-20", "ends (2025-12-20) before it starts"),
    ("2026-07-04 Independence Day", "outside the school year"),
    ("Labor Day", "does not start with a date")])
def test_bad_closures_are_refused_inline(closures, message, personas, client):
    client.force_login(personas["district_admin"])
    response = client.post(cal_url(personas["district"], "new/"), {
        "label": "2025-26", "first_day": "2025-08-27", "last_day": "2026-06-16", "closures": closures})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SchoolCalendar.objects.exists()


def test_an_overlapping_year_is_refused(personas, client):
    ma_year(personas["district"], 2025)
    client.force_login(personas["district_admin"])
    response = client.post(cal_url(personas["district"], "new/"), {
        "label": "summer", "first_day": "2026-06-01", "last_day": "2026-08-01", "closures": ""})
    assert response.status_code == 400 and "overlaps 2025-26" in response.content.decode()


def test_district_admins_find_the_calendar_in_the_navigation(personas, client):
    client.force_login(personas["district_admin"])
    assert f'href="/districts/{personas["district"].pk}/calendars/"' in client.get("/students/").content.decode()
    client.force_login(personas["team_chair"])
    assert "School calendar" not in client.get("/students/").content.decode()


def test_reading_a_timeline_is_logged_and_the_tab_is_current(personas, client):
    from accounts.models import AccessLogEntry

    student = personas["student"]
    client.force_login(personas["team_teacher"])
    html = client.get(url(student)).content.decode()
    assert f'href="{url(student)}" aria-current="page">Timeline</a>' in html
    entry = AccessLogEntry.objects.get(student=student)
    assert (entry.user, entry.part) == (personas["team_teacher"], "timeline")
    assert 'aria-current="page">Timeline' not in client.get(f"/students/{student.pk}/").content.decode()
