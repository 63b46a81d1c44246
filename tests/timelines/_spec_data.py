"""Shared test data: the tiny calendar of spec section 5 and a small helper to run a case dict."""

from __future__ import annotations

from typing import Any

from timelines.engine import compute, parse_calendar, parse_case, results_to_json

# Spec section 5: two short, fictitious school years; coverage 2027-04-01 ... 2027-10-29.
EXAMPLE_CALENDAR: dict[str, Any] = {
    "school_years": [
        {
            "name": "2026-2027",
            "first_day": "2027-04-01",
            "last_day": "2027-06-15",
            "closed": [{"start": "2027-04-19", "end": "2027-04-23"}, "2027-05-31"],
        },
        {
            "name": "2027-2028",
            "first_day": "2027-09-01",
            "last_day": "2027-10-29",
            "closed": ["2027-09-06", "2027-10-11"],
        },
    ]
}


def run(case: dict[str, Any], calendar: dict[str, Any] | None = None) -> list[tuple[str, str | None, str | None]]:
    """(key, due, error) of every output entry, in output order, as the command would print them."""
    output = results_to_json(compute(parse_case(case), parse_calendar(calendar or EXAMPLE_CALENDAR)))
    return [(e["key"], e["due"], e.get("error")) for e in output["deadlines"]]


def dues(case: dict[str, Any], calendar: dict[str, Any] | None = None) -> dict[str, str | None]:
    """key -> due of every output entry."""
    return {key: due for key, due, _ in run(case, calendar)}
