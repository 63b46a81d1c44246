"""The deadline engine: Massachusetts special-education deadlines counted against a school calendar.

Pure Python (no Django imports), specified by `spec/timelines.md`. Typical use::

    calendar = parse_calendar(cal_json)          # validate + compile (school days cached per calendar)
    case = parse_case(case_json)                 # validate
    results = compute(case, calendar)            # list[DeadlineResult] in output order
    output = results_to_json(results)            # {"deadlines": [...]} as in spec 4.5

Bad input raises `EngineInputError` (a ValueError) with a one-line message.
"""

from .calendar import ClosedRange, SchoolCalendar, SchoolYear
from .case import DATE_OF_BIRTH, EVENT_KEYS, FACT_KEYS, Case, Facts
from .compute import CALENDAR_EXHAUSTED, DeadlineResult, compute, render_json, results_to_json
from .dates import add_months, parse_date
from .parse import (
    EngineInputError,
    calendar_to_json,
    case_to_json,
    load_json_file,
    parse_calendar,
    parse_case,
    read_inputs,
)
from .rules import RULES, Rule, Unit

__all__ = [
    "CALENDAR_EXHAUSTED",
    "DATE_OF_BIRTH",
    "EVENT_KEYS",
    "FACT_KEYS",
    "RULES",
    "Case",
    "ClosedRange",
    "DeadlineResult",
    "EngineInputError",
    "Facts",
    "Rule",
    "SchoolCalendar",
    "SchoolYear",
    "Unit",
    "add_months",
    "calendar_to_json",
    "case_to_json",
    "compute",
    "load_json_file",
    "parse_calendar",
    "parse_case",
    "parse_date",
    "read_inputs",
    "render_json",
    "results_to_json",
]
