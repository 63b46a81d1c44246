"""Validate CAL.json and CASE.json (spec 4.2 to 4.4) into engine objects, and write them back.

Every rejection is an `EngineInputError` whose message is one line naming the file, the place and the
problem, e.g. `case events.consent_received: "2029-02-30" is not a real date`. Exactly the inputs of
spec 4.4 are rejected. Pure Python, no Django.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from .calendar import ClosedRange, SchoolCalendar, SchoolYear
from .case import EVENT_KEYS, FACT_CHOICES, FACT_KEYS, Case, Facts
from .dates import NotADate, parse_date

_CALENDAR_KEYS = frozenset({"school_years"})
_YEAR_KEYS = frozenset({"name", "first_day", "last_day", "closed"})
_RANGE_KEYS = frozenset({"start", "end"})
_CASE_KEYS = frozenset({"student", "events", "facts"})
_STUDENT_KEYS = frozenset({"date_of_birth"})
_EVENT_KEYS = frozenset(EVENT_KEYS)
_FACT_KEYS = frozenset(FACT_KEYS)
_FACT_CHOICES = dict(FACT_CHOICES)


class EngineInputError(ValueError):
    """Bad input (spec 4.4). `str()` is one line that says what is wrong and where."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.splitlines()))


def _show(value: object) -> str:
    """A short, one-line, ASCII rendering of a JSON value for an error message."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


def _key(key: str) -> str:
    """A key as it appears in a message: bare when it is a plain name, else quoted."""
    return key if key.isascii() and key.replace("_", "a").isalnum() else json.dumps(key, ensure_ascii=True)


def _object(value: object, where: str, allowed: frozenset[str], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """`value` as a JSON object with only `allowed` keys and every `required` one (4.4 items 2 and 3)."""
    if type(value) is not dict:
        raise EngineInputError(f"{where}: expected a JSON object, got {_show(value)}")
    if not allowed.issuperset(value):
        unknown = min(str(key) for key in value.keys() - allowed)
        raise EngineInputError(f"{where}: unknown key {_key(unknown)} (allowed: {', '.join(sorted(allowed))})")
    for key in required:
        if key not in value:
            raise EngineInputError(f"{where}: missing required key {key}")
    return value


def _date(value: object, where: str, key: str = "") -> date:
    """The date `value` names; `where` and `key` (joined by a dot) say where it was, for the message."""
    try:
        return parse_date(value)
    except NotADate as exc:
        raise EngineInputError(f"{where}{'.' if key else ''}{key}: {_show(value)} {exc}") from None


# --- CAL.json ---------------------------------------------------------------------------------------------


def _closed_entry(value: object, where: str) -> ClosedRange:
    if type(value) is str:
        day = _date(value, where)
        return ClosedRange(day, day)
    if type(value) is not dict:
        raise EngineInputError(f"{where}: expected a date string or a {{start, end}} object, got {_show(value)}")
    entry = _object(value, where, _RANGE_KEYS, ("start", "end"))
    start, end = _date(entry["start"], where, "start"), _date(entry["end"], where, "end")
    if end < start:
        raise EngineInputError(f"{where}: end {end} precedes start {start}")
    return ClosedRange(start, end)


def _school_year(value: object, where: str) -> SchoolYear:
    year = _object(value, where, _YEAR_KEYS, ("first_day", "last_day"))
    first_day = _date(year["first_day"], where, "first_day")
    last_day = _date(year["last_day"], where, "last_day")
    if last_day < first_day:
        raise EngineInputError(f"{where}: last_day {last_day} precedes first_day {first_day}")
    name = year.get("name")
    if "name" in year and type(name) is not str:
        raise EngineInputError(f"{where}.name: expected a string, got {_show(name)}")
    closed = year.get("closed", [])
    if type(closed) is not list:
        raise EngineInputError(f"{where}.closed: expected a list, got {_show(closed)}")
    entries = tuple(_closed_entry(entry, f"{where}.closed[{i}]") for i, entry in enumerate(closed))
    return SchoolYear(first_day, last_day, entries, name)


def parse_calendar(obj: object, where: str = "calendar") -> SchoolCalendar:
    """Validate a CAL.json value (4.2) into a `SchoolCalendar`. `where` prefixes error messages (the file's role).

    The list of school days is compiled once per distinct set of school years (see `SchoolCalendar`), so a
    caller that rebuilds the same calendar for every student pays for the compile once.
    """
    top = _object(obj, where, _CALENDAR_KEYS, ("school_years",))
    raw_years = top["school_years"]
    if type(raw_years) is not list or not raw_years:
        raise EngineInputError(f"{where} school_years: expected a non-empty list, got {_show(raw_years)}")
    years = sorted(
        ((i, _school_year(raw, f"{where} school_years[{i}]")) for i, raw in enumerate(raw_years)),
        key=lambda item: item[1].first_day,
    )
    for (i, earlier), (j, later) in zip(years, years[1:], strict=False):
        if later.first_day <= earlier.last_day:
            raise EngineInputError(
                f"{where} school_years[{j}] ({later.first_day}..{later.last_day}) overlaps "
                f"school_years[{i}] ({earlier.first_day}..{earlier.last_day})"
            )
    return SchoolCalendar(tuple(year for _, year in years))


def calendar_to_json(calendar: SchoolCalendar) -> dict[str, Any]:
    """A CAL.json value for `calendar`; `parse_calendar` of it gives an equal calendar."""
    years = []
    for year in calendar.years:
        entry: dict[str, Any] = {"first_day": year.first_day.isoformat(), "last_day": year.last_day.isoformat()}
        if year.name is not None:
            entry["name"] = year.name
        if year.closed:
            entry["closed"] = [
                c.start.isoformat() if c.start == c.end else {"start": c.start.isoformat(), "end": c.end.isoformat()}
                for c in year.closed
            ]
        years.append(entry)
    return {"school_years": years}


# --- CASE.json --------------------------------------------------------------------------------------------


def _facts(value: object, where: str) -> Facts:
    raw = _object(value, where, _FACT_KEYS)
    for key, fact in raw.items():
        choices = _FACT_CHOICES.get(key)
        if choices is None:
            if fact is not True and fact is not False:  # JSON true/false only: not 1, not "true"
                raise EngineInputError(f"{where}.{key}: expected true or false, got {_show(fact)}")
        elif type(fact) is not str or fact not in choices:
            raise EngineInputError(f"{where}.{key}: expected one of {', '.join(choices)}, got {_show(fact)}")
    return Facts(**raw)


def parse_case(obj: object, where: str = "case") -> Case:
    """Validate a CASE.json value (4.3) into a `Case`. `where` prefixes error messages (the file's role)."""
    top = _object(obj, where, _CASE_KEYS)
    date_of_birth = None
    if "student" in top:
        student = _object(top["student"], f"{where} student", _STUDENT_KEYS)
        if "date_of_birth" in student:
            date_of_birth = _date(student["date_of_birth"], f"{where} student", "date_of_birth")
    events: dict[str, date] = {}
    if "events" in top:
        where_events = f"{where} events"
        raw_events = _object(top["events"], where_events, _EVENT_KEYS)
        events = {key: _date(value, where_events, key) for key, value in raw_events.items()}
    facts = _facts(top["facts"], f"{where} facts") if "facts" in top else _NO_FACTS
    return Case(events, facts, date_of_birth)


_NO_FACTS = Facts()


def case_to_json(case: Case) -> dict[str, Any]:
    """A CASE.json value for `case`; `parse_case` of it gives an equal case. Facts at their default are left out."""
    obj: dict[str, Any] = {"events": {key: day.isoformat() for key, day in case.events.items()}}
    if case.date_of_birth is not None:
        obj["student"] = {"date_of_birth": case.date_of_birth.isoformat()}
    facts = {key: getattr(case.facts, key) for key in FACT_KEYS if getattr(case.facts, key) != getattr(_NO_FACTS, key)}
    if facts:
        obj["facts"] = facts
    return obj


# --- files ------------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


MAX_FILE_BYTES = 10 * 1024 * 1024  # a district's calendar or one case is kilobytes; an endless file stops here


def load_json_file(path: str | Path, where: str, *, max_bytes: int = MAX_FILE_BYTES) -> object:
    """Read and decode one JSON file (UTF-8), or raise `EngineInputError` (4.4 item 1). Reads at most
    `max_bytes` + 1 bytes, so a huge or endless file (a pipe, /dev/zero) is refused without filling memory."""
    shown = json.dumps(str(path), ensure_ascii=True)
    try:
        with Path(path).open("rb") as file:
            data = file.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise EngineInputError(f"{where} file {shown}: cannot be read ({reason})") from None
    if len(data) > max_bytes:
        raise EngineInputError(f"{where} file {shown}: larger than {max_bytes // (1024 * 1024)} MB, the limit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EngineInputError(f"{where} file {shown}: not UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise EngineInputError(
            f"{where} file {shown}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise EngineInputError(f"{where} file {shown}: not valid JSON ({exc})") from None


def read_inputs(calendar_path: str | Path, case_path: str | Path) -> tuple[SchoolCalendar, Case]:
    """Load and validate both files of the command (4.1); nothing is computed before both are valid."""
    calendar = parse_calendar(load_json_file(calendar_path, "calendar"), "calendar")
    case = parse_case(load_json_file(case_path, "case"), "case")
    return calendar, case


__all__ = [
    "EngineInputError",
    "calendar_to_json",
    "case_to_json",
    "load_json_file",
    "parse_calendar",
    "parse_case",
    "read_inputs",
]
