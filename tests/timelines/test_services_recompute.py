from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from students.models import Student
from tests.factories import StudentFactory, UserFactory
from tests.timelines.factories import TimelineEventFactory, ma_year
from timelines.models import Deadline, StudentFacts
from timelines.services import deadline_status, deadlines_recompute

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=NY)


@pytest.fixture
def student():
    student = StudentFactory()
    ma_year(student.district, 2025)
    ma_year(student.district, 2026)
    return student


def test_referral_counts_five_school_days_past_the_columbus_day_closure(student):
    TimelineEventFactory(student=student, key="referral_received", date=date(2025, 10, 6))
    assert deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 10, 7))) == 1
    deadline = Deadline.objects.get(student=student)
    assert (deadline.key, deadline.due, deadline.cycle, deadline.status) == (
        "referral_notice", date(2025, 10, 14), date(2025, 10, 6), Deadline.Status.DUE_SOON)
    assert deadline.citation == "603 CMR 28.04(1)(a)"
    assert "referral received (2025-10-06)" in deadline.basis
    assert deadline.school_id == student.school_id


def test_a_second_identical_run_writes_no_rows(student):
    TimelineEventFactory(student=student, key="consent_received", date=date(2025, 10, 1))
    TimelineEventFactory(student=student, key="hearing_requested", date=date(2025, 11, 3))
    first = deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 11, 5)))
    assert first == Deadline.objects.count() >= 5
    assert deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 11, 5))) == 0


def test_only_the_rows_whose_status_moved_are_written_the_next_day(student):
    TimelineEventFactory(student=student, key="referral_received", date=date(2025, 10, 6))
    TimelineEventFactory(student=student, key="iee_requested", date=date(2025, 9, 1))  # two far-off deadlines
    deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 10, 6)))
    assert Deadline.objects.get(key="referral_notice").status == Deadline.Status.UPCOMING  # due 14 Oct, 8 days
    assert deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 10, 7))) == 1
    assert Deadline.objects.get(key="referral_notice").status == Deadline.Status.DUE_SOON


@pytest.mark.parametrize(("today", "status"), [
    (date(2025, 10, 6), Deadline.Status.UPCOMING), (date(2025, 10, 7), Deadline.Status.DUE_SOON),
    (date(2025, 10, 14), Deadline.Status.DUE_SOON), (date(2025, 10, 15), Deadline.Status.OVERDUE)])
def test_statuses_around_today(today, status):
    assert deadline_status(date(2025, 10, 14), None, today) == status


def test_today_is_the_new_york_date():
    late_evening_in_boston = datetime(2025, 10, 15, 3, 30, tzinfo=ZoneInfo("UTC"))  # 23:30 on 14 Oct in Boston
    student = StudentFactory()
    ma_year(student.district, 2025)
    TimelineEventFactory(student=student, key="referral_received", date=date(2025, 10, 6))
    deadlines_recompute(student_ids=[student.pk], now=late_evening_in_boston)
    assert Deadline.objects.get().status == Deadline.Status.DUE_SOON  # due today, not yet overdue


def test_consent_meets_the_referral_notice_on_its_date(student):
    TimelineEventFactory(student=student, key="referral_received", date=date(2025, 10, 6))
    deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 10, 7)))
    TimelineEventFactory(student=student, key="consent_received", date=date(2025, 10, 20))
    deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 10, 21)))
    notice = Deadline.objects.get(key="referral_notice")
    assert (notice.status, notice.met_on) == (Deadline.Status.MET, date(2025, 10, 20))


def test_a_scheduled_meeting_in_the_future_meets_nothing_yet(student):
    TimelineEventFactory(student=student, key="consent_received", date=date(2025, 10, 1))
    TimelineEventFactory(student=student, key="team_meeting", date=date(2025, 11, 20))
    deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 11, 1)))
    assert Deadline.objects.get(key="evaluation_complete").met_on is None
    deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 11, 21)))
    assert Deadline.objects.get(key="evaluation_complete").met_on == date(2025, 11, 20)


def test_a_new_cycle_adds_a_row_and_keeps_the_met_one(student):
    TimelineEventFactory(student=student, key="iep_start", date=date(2025, 1, 10))
    deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 12, 1)))
    TimelineEventFactory(student=student, key="annual_review_meeting", date=date(2025, 12, 15))
    deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 12, 16)))
    rows = list(Deadline.objects.filter(key="annual_review").order_by("cycle").values_list("cycle", "due", "status",
                                                                                           "met_on"))
    assert rows == [(date(2025, 1, 10), date(2026, 1, 9), "met", date(2025, 12, 15)),
                    (date(2025, 12, 15), date(2026, 12, 14), "upcoming", None)]
    deadlines_recompute(student_ids=[student.pk], now=at(date(2027, 1, 16)))  # met rows stay as they were
    assert Deadline.objects.filter(key="annual_review", status="met").count() == 1


def test_a_fact_that_removes_a_deadline_marks_it_no_longer_applicable(student):
    user = UserFactory()
    TimelineEventFactory(student=student, key="team_meeting", date=date(2025, 10, 6))
    StudentFacts.objects.create(student=student, eligibility="eligible", updated_by=user)
    deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 10, 7)))
    assert Deadline.objects.get(key="complete_iep").status == Deadline.Status.DUE_SOON
    StudentFacts.objects.filter(student=student).update(eligibility="not_eligible")
    deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 10, 7)))
    assert Deadline.objects.get(key="complete_iep").status == Deadline.Status.NOT_APPLICABLE
    assert Deadline.objects.get(key="ineligibility_notice").due == date(2025, 10, 16)


def test_a_district_without_a_calendar_gets_calendar_missing_not_nothing():
    student = StudentFactory()
    TimelineEventFactory(student=student, key="records_requested", date=date(2025, 10, 6))
    TimelineEventFactory(student=student, key="referral_received", date=date(2025, 10, 6))
    deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 10, 7)))
    rows = dict(Deadline.objects.values_list("key", "status"))
    assert rows == {"records_access": "upcoming", "referral_notice": "calendar_missing"}
    assert Deadline.objects.get(key="referral_notice").error == "calendar_exhausted"


def test_date_of_birth_feeds_the_age_rules(student):
    Student.objects.filter(pk=student.pk).update(date_of_birth=date(2012, 2, 29))
    StudentFacts.objects.create(student=student, eligibility="eligible")
    deadlines_recompute(student_ids=[student.pk], now=at(date(2025, 10, 7)))
    assert dict(Deadline.objects.values_list("key", "due")) == {
        "transition_planning": date(2026, 2, 28), "age_of_majority_notice": date(2029, 2, 28)}


def test_unknown_and_deleted_students_are_skipped():
    assert deadlines_recompute(student_ids=[987654]) == 0


@pytest.mark.django_db(transaction=True)
def test_two_recomputes_at_once_write_each_row_once(require_postgres):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    first = StudentFactory()
    ma_year(first.district, 2025)
    students = [first] + [StudentFactory(school=first.school) for _ in range(20)]
    for student in students:
        TimelineEventFactory(student=student, key="consent_received", date=date(2025, 10, 1))
    start = threading.Barrier(2)

    def race(_):
        start.wait()
        try:
            return deadlines_recompute(student_ids=[s.pk for s in students], now=at(date(2025, 10, 2)))
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        written = list(pool.map(race, range(2)))
    assert sorted(written) == [0, Deadline.objects.count()] and Deadline.objects.count() == 2 * len(students)


def test_the_demo_step_gives_the_district_deadlines_in_every_status():
    from students.demo import seed_people
    from timelines.demo import seed_timelines

    result = seed_people(students=400, seed=7)
    assert seed_timelines(result=result, seed=7) > 0
    statuses = set(Deadline.objects.filter(student__district=result.district).values_list("status", flat=True))
    assert statuses == set(Deadline.Status.values)
    assert seed_timelines(result=result, seed=7) == 0  # again: nothing new, nothing changed
