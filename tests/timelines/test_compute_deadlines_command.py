"""The command contract of spec section 4, run as a user runs it: a subprocess, through both doors
(`manage.py compute_deadlines` and `python -m timelines.engine`). Valid input: exit 0, one JSON object on
stdout, nothing on stderr. Bad input (4.4): exit 2, exactly one line on stderr, nothing on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ._spec_data import EXAMPLE_CALENDAR

ROOT = Path(__file__).resolve().parents[2]
DOORS = {
    "manage.py": [sys.executable, str(ROOT / "manage.py"), "compute_deadlines"],
    "engine": [sys.executable, "-m", "timelines.engine"],
}


def invoke(door: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DOORS[door], *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False
    )


def write(path: Path, content: Any) -> str:
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return str(path)


def assert_rejected(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.endswith("\n") and done.stderr.count("\n") == 1, repr(done.stderr)
    assert "Traceback" not in done.stderr
    return done.stderr


@pytest.fixture(params=list(DOORS))
def door(request) -> str:
    return request.param


def test_valid_input_prints_exactly_one_json_object(door, tmp_path):
    case = {
        "events": {
            "team_meeting": "2027-06-10",
            "eligibility_determined": "2027-06-10",
            "placement_meeting_scheduled": "2027-09-08",
            "removal_decision": "2027-10-20",
        },
        "facts": {
            "eligibility": "eligible",
            "summary_given_at_meeting": True,
            "parent_requested_complete_iep": True,
            "placement_decision_pending": True,
            "other_district_responsible": True,
        },
    }
    done = invoke(
        door,
        "--calendar",
        write(tmp_path / "cal.json", EXAMPLE_CALENDAR),
        "--case",
        write(tmp_path / "case.json", case),
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.endswith("\n") and done.stdout.count("\n") == 1
    output = json.loads(done.stdout)
    assert [(e["key"], e["due"], e.get("error")) for e in output["deadlines"]] == [
        ("complete_iep_on_request", "2027-06-15", None),
        ("placement_meeting_notice", "2027-06-15", None),
        ("initial_iep_meeting_idea", "2027-07-10", None),
        ("complete_iep", "2027-09-02", None),
        ("placement_meeting", "2027-09-10", None),
        ("manifestation_determination", None, "calendar_exhausted"),
    ]
    assert all(set(e) >= {"key", "due", "citation", "basis"} for e in output["deadlines"])


def test_empty_case_prints_empty_deadlines(door, tmp_path):
    done = invoke(
        door, "--calendar", write(tmp_path / "cal.json", EXAMPLE_CALENDAR), "--case", write(tmp_path / "case.json", {})
    )
    assert (done.returncode, done.stderr, json.loads(done.stdout)) == (0, "", {"deadlines": []})


GOOD_CASE = {"events": {"consent_received": "2027-05-03"}}
YEAR = EXAMPLE_CALENDAR["school_years"][0]

# (id, CAL.json content, CASE.json content, a fragment of the message): one or more per item of 4.4.
BAD_INPUTS: list[tuple[str, Any, Any, str]] = [
    ("1 calendar not JSON", b'{"school_years": [', GOOD_CASE, "calendar"),
    ("1 case not UTF-8", EXAMPLE_CALENDAR, b'{"events": {"consent_received": "2027-05-03\xff"}}', "case"),
    ("1 case empty file", EXAMPLE_CALENDAR, b"", "case"),
    ("2 calendar top level a list", [YEAR], GOOD_CASE, "calendar"),
    ("2 school_years empty", {"school_years": []}, GOOD_CASE, "school_years"),
    ("2 closed not a list", {"school_years": [{**YEAR, "closed": "2027-05-31"}]}, GOOD_CASE, "closed"),
    ("2 events null", EXAMPLE_CALENDAR, {"events": None}, "events"),
    ("3 unknown event key", EXAMPLE_CALENDAR, {"events": {"consent": "2027-05-03"}}, "consent"),
    ("3 missing first_day", {"school_years": [{"last_day": "2027-06-15"}]}, GOOD_CASE, "first_day"),
    ("3 unknown fact", EXAMPLE_CALENDAR, {"facts": {"eligible": True}}, "eligible"),
    ("4 event not a real date", EXAMPLE_CALENDAR, {"events": {"consent_received": "2029-02-30"}}, "consent_received"),
    ("4 event null", EXAMPLE_CALENDAR, {"events": {"consent_received": None}}, "consent_received"),
    ("4 calendar date compact", {"school_years": [{**YEAR, "last_day": "20270615"}]}, GOOD_CASE, "last_day"),
    ("4 date_of_birth bad", EXAMPLE_CALENDAR, {"student": {"date_of_birth": "2016-2-29"}}, "date_of_birth"),
    (
        "5 closed range reversed",
        {"school_years": [{**YEAR, "closed": [{"start": "2027-05-02", "end": "2027-05-01"}]}]},
        GOOD_CASE,
        "closed[0]",
    ),
    (
        "5 year reversed",
        {"school_years": [{"first_day": "2027-06-15", "last_day": "2027-04-01"}]},
        GOOD_CASE,
        "school_years[0]",
    ),
    (
        "5 years overlap",
        {"school_years": [YEAR, {"first_day": "2027-06-15", "last_day": "2027-10-29"}]},
        GOOD_CASE,
        "overlaps",
    ),
    ("6 fact wrong type", EXAMPLE_CALENDAR, {"facts": {"placement_decision_pending": "true"}}, "placement_decision"),
    ("6 fact outside enumeration", EXAMPLE_CALENDAR, {"facts": {"hearing_filed_by": "school"}}, "hearing_filed_by"),
    ("6 name not a string", {"school_years": [{**YEAR, "name": 2027}]}, GOOD_CASE, "name"),
]


@pytest.mark.parametrize(("calendar", "case", "fragment"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_exits_2_with_one_line_and_no_output(door, tmp_path, calendar, case, fragment):
    stderr = assert_rejected(
        invoke(
            door, "--calendar", write(tmp_path / "cal.json", calendar), "--case", write(tmp_path / "case.json", case)
        )
    )
    assert fragment in stderr


def test_missing_and_unreadable_files_exit_2(door, tmp_path):
    cal = write(tmp_path / "cal.json", EXAMPLE_CALENDAR)
    case = write(tmp_path / "case.json", GOOD_CASE)
    assert "missing.json" in assert_rejected(invoke(door, "--calendar", str(tmp_path / "missing.json"), "--case", case))
    assert "case" in assert_rejected(invoke(door, "--calendar", cal, "--case", str(tmp_path)))  # a directory


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--calendar", "cal.json"],
        ["--case", "case.json"],
        ["--calendar", "a", "--case", "b", "--bogus"],
        ["--calendar", "a", "--case", "b", "extra\nline"],
    ],
    ids=["no options", "no --case", "no --calendar", "unknown option", "stray argument with a newline"],
)
def test_argument_errors_exit_2_with_one_line(door, args):
    assert_rejected(invoke(door, *args))
