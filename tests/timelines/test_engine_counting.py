"""Counting conventions of spec section 1: dates, calendar days, school days, coverage, months, years, ages,
and the end-of-school-year rule (1.7)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from timelines.engine import SchoolCalendar, add_months, parse_calendar, parse_date
from timelines.engine.dates import NotADate, add_days

from ._spec_data import EXAMPLE_CALENDAR, dues

D = date.fromisoformat


@pytest.fixture(scope="module")
def example() -> SchoolCalendar:
    return parse_calendar(EXAMPLE_CALENDAR)


# --- 1.1 dates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2029-10-06", "2028-02-29", "0001-01-01", "9999-12-31", "2000-02-29"])
def test_a_real_date_in_yyyy_mm_dd_parses(text):
    assert parse_date(text) == D(text)


@pytest.mark.parametrize(
    "value",
    [
        "2029-02-30",
        "2029-02-29",
        "1900-02-29",
        "2029-13-01",
        "2029-00-10",
        "2029-01-00",
        "2029-04-31",
        "0000-01-01",  # no year 0 in the dates the engine can name
        "2029-9-03",
        "20291006",
        "2029-W41-1",
        "2029-279",
        "2029-10-06T00:00",
        "2029-10-06 ",
        " 2029-10-06",
        "2029-10-06\n",
        "2029/10/06",
        "29-10-06",
        "+2029-10-06",
        "２０２９-10-06",
        "2029-10-６",
        "",
        None,
        20291006,
        2029.1,
        True,
        ["2029-10-06"],
        {"date": "2029-10-06"},
    ],
)
def test_anything_else_is_not_a_date(value):
    with pytest.raises(NotADate):
        parse_date(value)


# --- 1.2 calendar days ------------------------------------------------------------------------------------


def test_calendar_days_are_plain_date_arithmetic_and_never_roll_off_a_weekend():
    # 2027-05-22 is a Saturday; 2027-05-20 + 2 lands on it and stays there.
    assert dues({"events": {"iep_rejected": "2027-05-17"}}) == {"bsea_copy": "2027-05-22"}
    assert dues({"events": {"records_requested": "2027-12-25"}}) == {"records_access": "2028-01-04"}


def test_calendar_days_need_no_calendar_even_far_outside_its_coverage():
    assert dues({"events": {"mediation_requested": "1999-12-15"}}) == {"mediation_session": "2000-01-14"}


def test_calendar_days_before_go_back():
    case = {"events": {"team_meeting": "2027-03-01", "consent_received": "2027-01-02"}}
    assert dues(case)["assessment_summaries_available"] == "2027-02-27"  # Saturday, and it stays there


# --- 1.3 school days ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2027-04-01", True),  # first day (a Thursday)
        ("2027-04-03", False),  # Saturday
        ("2027-04-04", False),  # Sunday
        ("2027-04-19", False),  # vacation range start
        ("2027-04-23", False),  # vacation range end (inclusive)
        ("2027-04-26", True),
        ("2027-05-31", False),  # single closed date
        ("2027-06-15", True),  # last day
        ("2027-06-16", False),  # summer
        ("2027-08-31", False),
        ("2027-09-01", True),
        ("2027-09-06", False),
        ("2027-10-29", True),
        ("2027-10-30", False),  # outside the coverage
        ("2027-03-31", False),
    ],
)
def test_school_day(example, day, expected):
    assert example.is_school_day(D(day)) is expected


def test_closures_on_weekends_outside_the_year_or_overlapping_have_no_extra_effect():
    plain = parse_calendar({"school_years": [{"first_day": "2030-09-02", "last_day": "2030-09-30"}]})
    noisy = parse_calendar(
        {
            "school_years": [
                {
                    "first_day": "2030-09-02",
                    "last_day": "2030-09-30",
                    "closed": [
                        "2030-09-07",
                        "2030-08-15",
                        {"start": "2030-10-01", "end": "2031-06-30"},
                        {"start": "2030-09-13", "end": "2030-09-15"},
                        {"start": "2030-09-14", "end": "2030-09-14"},
                        "2030-09-13",
                    ],
                }
            ]
        }
    )
    assert noisy.school_day_count == plain.school_day_count - 1  # only Friday 13 September is lost
    assert not noisy.is_school_day(D("2030-09-13"))


def test_a_closure_binds_only_the_school_year_that_lists_it():
    calendar = parse_calendar(
        {
            "school_years": [
                {
                    "first_day": "2030-01-07",
                    "last_day": "2030-01-09",
                    "closed": [{"start": "2030-01-09", "end": "2030-01-11"}],
                },
                {"first_day": "2030-01-10", "last_day": "2030-01-11"},
            ]
        }
    )
    assert [calendar.is_school_day(D(f"2030-01-{d:02}")) for d in range(7, 12)] == [True, True, False, True, True]


def test_a_one_day_year_on_a_weekend_has_no_school_days_and_any_weekday_may_start_a_year():
    weekend = parse_calendar({"school_years": [{"first_day": "2030-09-07", "last_day": "2030-09-07"}]})
    assert weekend.school_day_count == 0
    wednesday = parse_calendar({"school_years": [{"first_day": "2030-09-04", "last_day": "2030-09-04"}]})
    assert wednesday.school_day_count == 1


def test_years_may_be_listed_in_any_order(example):
    reversed_years = parse_calendar({"school_years": list(reversed(EXAMPLE_CALENDAR["school_years"]))})
    assert reversed_years == example
    assert reversed_years.school_days_after(D("2027-06-14"), 3) == D("2027-09-02")


# --- 1.4 / 1.5 counting school days and coverage ----------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "n", "expected"),
    [
        ("2027-04-16", 1, "2027-04-26"),  # across the April vacation
        ("2027-04-17", 1, "2027-04-26"),  # from a Saturday
        ("2027-04-20", 1, "2027-04-26"),  # from a vacation day
        ("2027-04-26", 1, "2027-04-27"),  # a school day itself is not counted
        ("2027-06-15", 1, "2027-09-01"),  # last day -> first day of the next listed year
        ("2027-07-04", 1, "2027-09-01"),  # from the summer
        ("2027-03-31", 1, "2027-04-01"),  # C0 - 1 day is countable
        ("2027-10-28", 1, "2027-10-29"),
        ("2027-10-28", 2, None),  # runs past C1
        ("2027-10-29", 1, None),
        ("2027-11-15", 1, None),  # after the coverage
        ("2027-03-30", 1, None),  # before C0 - 1: 31 March is unknown
        ("1999-01-01", 5, None),
    ],
)
def test_school_days_after(example, after, n, expected):
    assert example.school_days_after(D(after), n) == (D(expected) if expected else None)


@pytest.mark.parametrize(
    ("before", "n", "expected"),
    [
        ("2027-09-08", 5, "2027-06-15"),  # back across closed 6 Sep and the summer (example 4)
        ("2027-09-01", 1, "2027-06-15"),
        ("2027-04-26", 1, "2027-04-16"),  # back across the vacation
        ("2027-05-03", 1, "2027-04-30"),  # from a Monday, the Friday before
        ("2027-10-30", 1, "2027-10-29"),  # C1 + 1 day is countable
        ("2027-10-31", 1, None),  # after C1 + 1: 30 October is unknown
        ("2027-04-02", 1, "2027-04-01"),
        ("2027-04-01", 1, None),  # nothing before the first day
        ("2027-04-02", 2, None),
        ("2027-03-01", 1, None),
    ],
)
def test_school_days_before(example, before, n, expected):
    assert example.school_days_before(D(before), n) == (D(expected) if expected else None)


def test_a_gap_between_listed_years_is_known_to_have_no_school():
    calendar = parse_calendar(
        {
            "school_years": [
                {"first_day": "2030-01-07", "last_day": "2030-01-11"},
                {"first_day": "2031-01-06", "last_day": "2031-01-10"},
            ]
        }
    )
    assert calendar.school_days_after(D("2030-01-10"), 2) == D("2031-01-06")
    assert calendar.school_days_after(D("2030-06-01"), 5) == D("2031-01-10")
    assert calendar.school_days_before(D("2030-06-01"), 1) == D("2030-01-11")
    assert calendar.school_days_after(D("2030-06-01"), 6) is None


def test_school_day_rules_report_calendar_exhausted_with_null_due():
    assert dues({"events": {"iaes_removal_decision": "2027-10-01"}}) == {"iaes_limit": None}


# --- 1.6 months, years and ages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2029-01-31", 1, "2029-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2028-02-29", 12, "2029-02-28"),
        ("2029-10-31", 16, "2031-02-28"),
        ("2030-10-31", 16, "2032-02-29"),
        ("2029-10-15", 12, "2030-10-15"),
        ("2029-12-15", 1, "2030-01-15"),
        ("2029-03-31", -1, "2029-02-28"),
        ("2029-08-31", 1, "2029-09-30"),
    ],
)
def test_add_months_clamps_to_the_end_of_a_short_month(day, months, expected):
    assert add_months(D(day), months) == D(expected)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2029-10-15", "2030-10-14"),
        ("2036-02-29", "2037-02-27"),
        ("2035-03-01", "2036-02-29"),
        ("2029-01-01", "2029-12-31"),
    ],
)
def test_annual_review_is_the_last_day_of_the_one_year_period(start, expected):
    assert dues({"events": {"iep_start": start}}) == {"annual_review": expected}


def test_ages_are_birthdays_and_a_29_february_birthday_is_28_february_in_common_years():
    case = {"student": {"date_of_birth": "2020-02-29"}, "facts": {"eligibility": "eligible"}}
    assert dues(case) == {"transition_planning": "2034-02-28", "age_of_majority_notice": "2037-02-28"}
    case = {"student": {"date_of_birth": "2012-02-29"}, "facts": {"eligibility": "eligible"}}
    assert dues(case) == {"transition_planning": "2026-02-28", "age_of_majority_notice": "2029-02-28"}
    case = {"student": {"date_of_birth": "2010-10-31"}, "facts": {"eligibility": "eligible"}}
    assert dues(case) == {"transition_planning": "2024-10-31", "age_of_majority_notice": "2027-10-31"}


def test_a_deadline_past_9999_is_null_and_never_crashes():
    case = {
        "events": {"records_requested": "9999-12-25", "team_meeting": "0001-01-01", "consent_received": "0001-01-01"}
    }
    assert dues(case)["records_access"] is None
    assert dues(case)["assessment_summaries_available"] is None
    with pytest.raises(OverflowError):
        add_days(D("9999-12-31"), 1)
    with pytest.raises(OverflowError):
        add_months(D("9999-12-31"), 1)


# --- 1.7 the end-of-school-year rule ----------------------------------------------------------------------


def _nth_school_day_before_end(calendar: SchoolCalendar, last_day: date, k: int) -> date:
    """The consent date C that leaves exactly k school days d with C < d <= last_day."""
    if k == 0:
        return last_day
    return calendar.school_days_before(last_day + timedelta(days=1), k + 1)


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (47, "2027-06-11"),  # 45 school days: two school days before L
        (46, "2027-06-14"),  # 45 school days: the school day before L (consent on a school day)
        (45, "2027-06-29"),  # L + 14 (a plain count would have given L)
        (38, "2027-06-29"),
        (31, "2027-06-29"),
        (30, "2027-06-29"),
        (29, "2027-09-23"),  # the 16th school day of the next year
        (4, "2027-10-29"),  # the 41st school day of the next year = its last
        (3, None),  # the next year has only 41 school days
        (0, None),  # consent on L
    ],
)
def test_end_of_year_rule_boundaries(example, k, expected):
    consent = _nth_school_day_before_end(example, D("2027-06-15"), k)
    assert example.school_days_between(consent, D("2027-06-15")) == k
    assert dues({"events": {"consent_received": consent.isoformat()}})["iep_proposal"] == expected


def test_k_46_from_a_non_school_day_counts_45_school_days_to_the_day_before_the_last():
    # The spring year has 48 school days; after Saturday 2027-04-03 come 46 of them (5 April ... 15 June),
    # so the plain count applies: 45 school days = 14 June.
    assert dues({"events": {"consent_received": "2027-04-03"}})["iep_proposal"] == "2027-06-14"
    # After Saturday 2027-04-17 come 36 (26 April ... 15 June): L + 14.
    assert dues({"events": {"consent_received": "2027-04-17"}})["iep_proposal"] == "2027-06-29"


def test_end_of_year_rule_counts_from_the_summer_into_the_next_year():
    # Consent in the summer: Y = 2027-2028, which has 41 school days: k = 41 -> L + 14.
    assert dues({"events": {"consent_received": "2027-07-01"}})["iep_proposal"] == "2027-11-12"


def test_end_of_year_rule_before_the_coverage_is_exhausted_even_if_k_would_fit():
    # 2027-03-01 is before C0 - 1; the spring year has more than 45 days after it, but nothing before 1 April
    # is known, so step 1 reports calendar_exhausted.
    calendar = {"school_years": [{"first_day": "2027-04-01", "last_day": "2027-05-12"}]}
    assert dues({"events": {"consent_received": "2027-03-01"}}, calendar)["iep_proposal"] is None
    # From C0 - 1 the rule applies: 30 school days in April-May 12 -> last day + 14.
    assert dues({"events": {"consent_received": "2027-03-31"}}, calendar)["iep_proposal"] == "2027-05-26"


def test_end_of_year_rule_after_the_last_listed_year_is_exhausted():
    assert dues({"events": {"consent_received": "2027-11-01"}})["iep_proposal"] is None


def test_end_of_year_rule_never_changes_evaluation_complete():
    assert dues({"events": {"consent_received": "2027-05-03"}})["evaluation_complete"] == "2027-06-15"
