"""Compute a case's deadlines from the rule table (spec sections 1 and 3) and shape the output (4.5).

Pure Python, no Django, no notion of "today". Each unit has one counting function and one phrase for
the `basis` sentence, both chosen from tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import NamedTuple

from .calendar import SchoolCalendar
from .case import Case
from .dates import add_days, add_months, iso
from .rules import END_OF_YEAR_GRACE_DAYS, END_OF_YEAR_WINDOW, RULES_BY_TRIGGER, Rule, Unit

CALENDAR_EXHAUSTED = "calendar_exhausted"

_NOT_ENOUGH_SCHOOL_DAYS = ": the calendar does not cover enough school days"
# Dates name the years 0001-9999 only (1.1). A deadline that would fall outside them cannot be written as a
# date; it is reported like an exhausted one (due null), the only error value the output contract has.
_OUT_OF_RANGE = ": the deadline would fall outside the years 0001-9999"


class DeadlineResult(NamedTuple):
    """One deadline of a case: `due` is None exactly when `error` is set (then "calendar_exhausted").

    `trigger` is the event key (or "student.date_of_birth") and `trigger_date` the date counted from;
    `basis` is a human-readable sentence for the application, not compared by tests. A NamedTuple rather
    than a frozen dataclass: as immutable, and three times faster to build (the engine builds millions).
    """

    key: str
    due: date | None
    citation: str
    basis: str
    trigger: str
    trigger_date: date
    error: str | None = None


# A counting function takes (amount, trigger date, calendar) and returns the due date (None: the calendar
# is exhausted) and, when the rule's usual phrase does not explain it, a sentence of its own.
Count = Callable[[int, date, SchoolCalendar], tuple[date | None, str | None]]


def _calendar_days(n: int, anchor: date, calendar: SchoolCalendar) -> tuple[date | None, str | None]:
    return add_days(anchor, n), None


def _calendar_days_before(n: int, anchor: date, calendar: SchoolCalendar) -> tuple[date | None, str | None]:
    return add_days(anchor, -n), None


def _school_days(n: int, anchor: date, calendar: SchoolCalendar) -> tuple[date | None, str | None]:
    return calendar.school_days_after(anchor, n), None


def _school_days_before(n: int, anchor: date, calendar: SchoolCalendar) -> tuple[date | None, str | None]:
    return calendar.school_days_before(anchor, n), None


def _school_days_end_of_year(n: int, anchor: date, calendar: SchoolCalendar) -> tuple[date | None, str | None]:
    """n school days after consent, unless consent came 30 to 45 school days before the end of its school
    year (603 CMR 28.05(1)); then 14 calendar days after that year's last day (spec 1.7 steps 1 to 4)."""
    if anchor.toordinal() >= calendar.first_covered - 1:  # step 1: else the plain count is exhausted
        year = calendar.year_ending_on_or_after(anchor)  # step 2
        if year is not None:
            left = calendar.school_days_between(anchor, year.last_day)  # step 3: k
            if END_OF_YEAR_WINDOW[0] <= left <= END_OF_YEAR_WINDOW[1]:
                return add_days(year.last_day, END_OF_YEAR_GRACE_DAYS), (
                    f"{END_OF_YEAR_GRACE_DAYS} calendar days after the last day of school year {year.label} "
                    f"({iso(year.last_day)}): consent_received ({iso(anchor)}) came {left} school days before the "
                    "end of the school year"
                )
    return calendar.school_days_after(anchor, n), None  # step 4


def _months(n: int, anchor: date, calendar: SchoolCalendar) -> tuple[date | None, str | None]:
    return add_months(anchor, n), None


def _years(n: int, anchor: date, calendar: SchoolCalendar) -> tuple[date | None, str | None]:
    return add_months(anchor, 12 * n), None


def _years_period(n: int, anchor: date, calendar: SchoolCalendar) -> tuple[date | None, str | None]:
    return add_days(add_months(anchor, 12 * n), -1), None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# unit: (counting function, phrase of the basis sentence; the trigger's date follows in parentheses)
UNITS: Mapping[Unit, tuple[Count, Callable[[int, str], str]]] = {
    Unit.CALENDAR_DAYS: (_calendar_days, lambda n, trigger: f"{n} calendar days after {trigger}"),
    Unit.CALENDAR_DAYS_BEFORE: (_calendar_days_before, lambda n, trigger: f"{n} calendar days before {trigger}"),
    Unit.SCHOOL_DAYS: (_school_days, lambda n, trigger: f"{n} school days after {trigger}"),
    Unit.SCHOOL_DAYS_BEFORE: (_school_days_before, lambda n, trigger: f"{n} school days before {trigger}"),
    Unit.SCHOOL_DAYS_EOY: (_school_days_end_of_year, lambda n, trigger: f"{n} school days after {trigger}"),
    Unit.MONTHS: (_months, lambda n, trigger: f"{n} months after {trigger}"),
    Unit.YEARS: (_years, lambda n, trigger: f"{n} years after {trigger}"),
    Unit.YEARS_PERIOD: (_years_period, lambda n, trigger: f"last day of the {n}-year period beginning on {trigger}"),
    # Age N is the N-th birthday: N years after the date of birth (1.6).
    Unit.AGE: (_years, lambda n, trigger: f"{_ordinal(n)} birthday, from {trigger}"),
}


class _Step(NamedTuple):
    """One rule as `compute` runs it for one of its triggers (the rule table compiled once, at import)."""

    rule: Rule
    count: Count
    phrase: str  # e.g. "45 school days after consent_received"
    several_triggers: bool  # the anchor must be chosen among the rule's triggers


_PLAN: Mapping[str, tuple[_Step, ...]] = {
    trigger: tuple(
        _Step(rule, UNITS[rule.unit][0], UNITS[rule.unit][1](rule.amount, trigger), len(rule.triggers) > 1)
        for rule in rules
    )
    for trigger, rules in RULES_BY_TRIGGER.items()
}


def _is_anchor(rule: Rule, trigger: str, events: Mapping[str, date]) -> bool:
    """Whether `trigger` is the rule's anchor: the latest of its triggers present (first listed on a tie).

    Only `annual_review` has several triggers, and they are all events."""
    latest = max((t for t in rule.triggers if t in events), key=events.__getitem__)
    return latest == trigger


def _sort_key(result: DeadlineResult) -> tuple[bool, date, str]:
    return (result.due is None, result.due or date.min, result.key)


def compute(case: Case, calendar: SchoolCalendar) -> list[DeadlineResult]:
    """Every deadline of `case` whose trigger is present and whose condition holds, in output order (4.5):
    by due date, undated (calendar_exhausted) entries last, ties by key."""
    results: list[DeadlineResult] = []
    for trigger, anchor in case.trigger_dates():
        for rule, count, phrase, several_triggers in _PLAN.get(trigger, ()):
            if several_triggers and not _is_anchor(rule, trigger, case.events):
                continue
            if rule.condition is not None and not rule.condition(case):
                continue
            try:
                due, basis = count(rule.amount, anchor, calendar)
                why_undated = _NOT_ENOUGH_SCHOOL_DAYS
            except OverflowError:
                due, basis, why_undated = None, None, _OUT_OF_RANGE
            if basis is None:
                basis = f"{phrase} ({iso(anchor)})" if due is not None else f"{phrase} ({iso(anchor)}){why_undated}"
            error = None if due is not None else CALENDAR_EXHAUSTED
            results.append(DeadlineResult(rule.key, due, rule.citation, basis, trigger, anchor, error))
    results.sort(key=_sort_key)
    return results


def results_to_json(results: Sequence[DeadlineResult]) -> dict[str, list[dict[str, str | None]]]:
    """The output object of 4.5: `key`, `due`, `citation`, `basis`, and `error` only when `due` is null."""
    entries: list[dict[str, str | None]] = []
    for result in results:
        entry: dict[str, str | None] = {
            "key": result.key,
            "due": iso(result.due) if result.due is not None else None,
            "citation": result.citation,
            "basis": result.basis,
        }
        if result.error is not None:
            entry["error"] = result.error
        entries.append(entry)
    return {"deadlines": entries}


def render_json(results: Sequence[DeadlineResult]) -> str:
    """The output of the command: one JSON object on one line (ASCII, so any terminal encoding can print it)."""
    return json.dumps(results_to_json(results), ensure_ascii=True)
