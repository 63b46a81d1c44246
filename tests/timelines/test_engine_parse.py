"""Input validation of spec 4.2 to 4.4, in process: exactly the listed inputs are rejected, each with a
one-line EngineInputError that says where; everything else is accepted."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from timelines.engine import (
    EngineInputError,
    calendar_to_json,
    case_to_json,
    load_json_file,
    parse_calendar,
    parse_case,
)

YEAR = {"name": "2029-2030", "first_day": "2029-09-05", "last_day": "2030-06-18"}
NEXT = {"first_day": "2030-09-04", "last_day": "2031-06-17"}


def cal(*years: dict[str, Any]) -> dict[str, Any]:
    return {"school_years": [copy.deepcopy(y) for y in years]}


def year(**changes: Any) -> dict[str, Any]:
    return {**YEAR, **changes}


# (id, calendar value, a fragment the message must contain)
BAD_CALENDARS: list[tuple[str, Any, str]] = [
    ("top level is a list", [YEAR], "calendar"),
    ("top level is null", None, "calendar"),
    ("top level is a string", "school_years", "calendar"),
    ("school_years missing", {}, "school_years"),
    ("unknown top-level key", {**cal(YEAR), "district": "X"}, "district"),
    ("school_years empty", {"school_years": []}, "school_years"),
    ("school_years an object", {"school_years": YEAR}, "school_years"),
    ("school_years null", {"school_years": None}, "school_years"),
    ("school year a string", {"school_years": ["2029-2030"]}, "school_years[0]"),
    ("school year null", {"school_years": [None]}, "school_years[0]"),
    ("school year unknown key", cal(year(days=180)), "days"),
    ("first_day missing", cal({"last_day": "2030-06-18"}), "first_day"),
    ("last_day missing", cal({"first_day": "2029-09-05"}), "last_day"),
    ("first_day not a real date", cal(year(first_day="2029-02-30")), "school_years[0].first_day"),
    ("last_day without leading zeros", cal(year(last_day="2030-6-18")), "last_day"),
    ("first_day compact ISO", cal(year(first_day="20290905")), "first_day"),
    ("first_day week date", cal(year(first_day="2029-W36-3")), "first_day"),
    ("first_day null", cal(year(first_day=None)), "first_day"),
    ("first_day a number", cal(year(first_day=20290905)), "first_day"),
    ("name a number", cal(year(name=2029)), "name"),
    ("name null", cal(year(name=None)), "name"),
    ("closed a string", cal(year(closed="2029-10-08")), "closed"),
    ("closed an object", cal(year(closed={"start": "2029-10-08", "end": "2029-10-08"})), "closed"),
    ("closed null", cal(year(closed=None)), "closed"),
    ("closed entry a number", cal(year(closed=[20291008])), "closed[0]"),
    ("closed entry null", cal(year(closed=["2029-10-08", None])), "closed[1]"),
    ("closed entry a list", cal(year(closed=[["2029-10-08"]])), "closed[0]"),
    ("closed entry not a real date", cal(year(closed=["2029-02-29"])), "closed[0]"),
    ("closed range without end", cal(year(closed=[{"start": "2029-12-24"}])), "end"),
    ("closed range without start", cal(year(closed=[{"end": "2029-12-24"}])), "start"),
    ("closed range extra key", cal(year(closed=[{"start": "2029-12-24", "end": "2030-01-01", "why": "x"}])), "why"),
    ("closed range bad date", cal(year(closed=[{"start": "2029-12-24", "end": "2030-01-32"}])), "closed[0].end"),
    ("closed range reversed", cal(year(closed=[{"start": "2030-01-01", "end": "2029-12-24"}])), "closed[0]"),
    ("year reversed", cal(year(first_day="2030-06-19")), "school_years[0]"),
    ("years overlap by one day", cal(YEAR, {"first_day": "2030-06-18", "last_day": "2031-06-17"}), "overlaps"),
    ("year inside another", cal(YEAR, {"first_day": "2029-10-01", "last_day": "2029-10-31"}), "overlaps"),
    ("same year twice", cal(YEAR, YEAR), "overlaps"),
    ("overlap listed out of order", cal(NEXT, YEAR, {"first_day": "2030-06-01", "last_day": "2030-09-04"}), "overlaps"),
]


@pytest.mark.parametrize(("value", "where"), [b[1:] for b in BAD_CALENDARS], ids=[b[0] for b in BAD_CALENDARS])
def test_bad_calendar_is_rejected_with_one_line_saying_where(value, where):
    with pytest.raises(EngineInputError) as rejected:
        parse_calendar(value)
    message = str(rejected.value)
    assert len(message.splitlines()) == 1
    assert message.startswith("calendar")
    assert where in message


GOOD_CALENDARS: list[tuple[str, Any]] = [
    ("minimal", cal({"first_day": "2029-09-05", "last_day": "2030-06-18"})),
    ("one-day year on a Saturday", cal({"first_day": "2029-09-08", "last_day": "2029-09-08"})),
    ("empty closed list and empty name", cal(year(closed=[], name=""))),
    (
        "closures repeated, overlapping, on weekends, outside the year",
        cal(
            year(
                closed=[
                    "2029-10-08",
                    "2029-10-08",
                    "2029-10-06",
                    "2028-01-01",
                    {"start": "2029-12-24", "end": "2030-01-01"},
                    {"start": "2029-12-31", "end": "2030-01-03"},
                    {"start": "2030-06-01", "end": "2030-09-30"},
                    {"start": "2029-11-11", "end": "2029-11-11"},
                ]
            )
        ),
    ),
    ("adjacent years", cal(YEAR, {"first_day": "2030-06-19", "last_day": "2031-06-17"})),
    ("years out of order with a gap", cal(NEXT, year(first_day="2025-09-03", last_day="2026-06-16"), YEAR)),
    ("unicode name", cal(year(name="Année scolaire 2029–2030"))),
]


@pytest.mark.parametrize("value", [g[1] for g in GOOD_CALENDARS], ids=[g[0] for g in GOOD_CALENDARS])
def test_valid_calendar_is_accepted_and_round_trips(value):
    parsed = parse_calendar(value)
    assert parse_calendar(calendar_to_json(parsed)) == parsed


BAD_CASES: list[tuple[str, Any, str]] = [
    ("top level a list", [], "case"),
    ("top level null", None, "case"),
    ("unknown top-level key", {"school": "X"}, "school"),
    ("student a string", {"student": "Sam"}, "student"),
    ("student null", {"student": None}, "student"),
    ("unknown student key", {"student": {"name": "Sam"}}, "name"),
    ("date_of_birth null", {"student": {"date_of_birth": None}}, "date_of_birth"),
    ("date_of_birth not real", {"student": {"date_of_birth": "2016-02-30"}}, "student.date_of_birth"),
    ("events a list", {"events": [["consent_received", "2029-10-01"]]}, "events"),
    ("events null", {"events": None}, "events"),
    ("unknown event key", {"events": {"consent_recieved": "2029-10-01"}}, "consent_recieved"),
    ("event null", {"events": {"consent_received": None}}, "events.consent_received"),
    ("event not real", {"events": {"consent_received": "2029-02-30"}}, "events.consent_received"),
    ("event 29 Feb of a common year", {"events": {"team_meeting": "2029-02-29"}}, "events.team_meeting"),
    ("event short month", {"events": {"team_meeting": "2029-9-03"}}, "events.team_meeting"),
    ("event a number", {"events": {"team_meeting": 20291006}}, "events.team_meeting"),
    ("event with time", {"events": {"team_meeting": "2029-10-06T09:00"}}, "events.team_meeting"),
    ("event object", {"events": {"team_meeting": {"date": "2029-10-06"}}}, "events.team_meeting"),
    ("facts a list", {"facts": []}, "facts"),
    ("facts null", {"facts": None}, "facts"),
    ("unknown fact", {"facts": {"eligible": True}}, "eligible"),
    ("boolean fact as string", {"facts": {"reevaluation_waived": "true"}}, "facts.reevaluation_waived"),
    ("boolean fact as 1", {"facts": {"placement_decision_pending": 1}}, "facts.placement_decision_pending"),
    ("boolean fact as 0", {"facts": {"summary_given_at_meeting": 0}}, "facts.summary_given_at_meeting"),
    ("boolean fact null", {"facts": {"other_district_responsible": None}}, "other_district_responsible"),
    ("eligibility capitalised", {"facts": {"eligibility": "Eligible"}}, "facts.eligibility"),
    ("eligibility boolean", {"facts": {"eligibility": True}}, "facts.eligibility"),
    ("eligibility null", {"facts": {"eligibility": None}}, "facts.eligibility"),
    ("hearing_filed_by other", {"facts": {"hearing_filed_by": "school"}}, "facts.hearing_filed_by"),
    ("hearing_filed_by a list", {"facts": {"hearing_filed_by": ["parent"]}}, "facts.hearing_filed_by"),
]


@pytest.mark.parametrize(("value", "where"), [b[1:] for b in BAD_CASES], ids=[b[0] for b in BAD_CASES])
def test_bad_case_is_rejected_with_one_line_saying_where(value, where):
    with pytest.raises(EngineInputError) as rejected:
        parse_case(value)
    message = str(rejected.value)
    assert len(message.splitlines()) == 1
    assert message.startswith("case")
    assert where in message


GOOD_CASES: list[tuple[str, Any]] = [
    ("empty", {}),
    ("empty parts", {"student": {}, "events": {}, "facts": {}}),
    ("all false", {"facts": {"reevaluation_waived": False, "summary_given_at_meeting": False}}),
    (
        "full",
        {
            "student": {"date_of_birth": "2016-05-02"},
            "events": {"referral_received": "2029-09-17", "consent_received": "2029-10-01"},
            "facts": {
                "eligibility": "not_eligible",
                "hearing_filed_by": "district",
                "summary_given_at_meeting": True,
                "parent_requested_complete_iep": False,
            },
        },
    ),
    ("events in any order", {"events": {"team_meeting": "2029-09-17", "consent_received": "2029-10-01"}}),
]


@pytest.mark.parametrize("value", [g[1] for g in GOOD_CASES], ids=[g[0] for g in GOOD_CASES])
def test_valid_case_is_accepted_and_round_trips(value):
    parsed = parse_case(value)
    assert parse_case(case_to_json(parsed)) == parsed


def test_message_quotes_a_hostile_key_on_one_line():
    with pytest.raises(EngineInputError) as rejected:
        parse_case({"events": {"bad\nkey\u2028": "2029-10-01"}})
    assert len(str(rejected.value).splitlines()) == 1
    assert str(rejected.value).isascii()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{"school_years": [', "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"school_years": NaN}', "not valid JSON"),
        (b'{"school_years": []} trailing', "not valid JSON"),
        (b'{"name": "\xff"}', "not UTF-8"),
        (b"\xef\xbb\xbf{}", "not valid JSON"),  # a byte order mark is not JSON text
        (b"[" * 100_000 + b"]" * 100_000, "calendar file"),
    ],
)
def test_unreadable_json_is_rejected(tmp_path, content, fragment):
    path = tmp_path / "cal.json"
    path.write_bytes(content)
    with pytest.raises(EngineInputError) as rejected:
        parse_calendar(load_json_file(path, "calendar"))
    assert fragment in str(rejected.value)
    assert len(str(rejected.value).splitlines()) == 1


def test_missing_file_and_directory_are_rejected(tmp_path):
    for path in (tmp_path / "missing.json", tmp_path):
        with pytest.raises(EngineInputError, match="cannot be read"):
            load_json_file(path, "case")
