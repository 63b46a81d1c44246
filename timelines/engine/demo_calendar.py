"""A realistic, synthetic Massachusetts school calendar in the CAL.json shape (spec 4.2).

Used by the throughput bench and the demo-data seeder. It follows the usual pattern of Massachusetts
districts: school starts on the Wednesday before Labor Day, its 185 scheduled days then run to
mid-June, and schools close on the state holidays and the three vacation weeks. Pure Python, no Django.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

# 603 CMR 27.03: a district schedules at least 185 days (180 days of school plus 5 for emergencies).
SCHOOL_DAYS_PER_YEAR = 185


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (0 = Monday) of the month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(holiday: date) -> date:
    """A fixed-date holiday that falls on a weekend is observed on the Friday before or the Monday after."""
    return {5: holiday - timedelta(days=1), 6: holiday + timedelta(days=1)}.get(holiday.weekday(), holiday)


def massachusetts_school_year(first_year: int) -> dict[str, Any]:
    """One school year (`first_year`-`first_year + 1`) as a CAL.json school-year object."""
    spring = first_year + 1
    labor_day = _nth_weekday(first_year, 9, 0, 1)
    first_day = labor_day - timedelta(days=5)  # the Wednesday before Labor Day
    thanksgiving = _nth_weekday(first_year, 11, 3, 4)
    february_break = _nth_weekday(spring, 2, 0, 3)  # the week of Presidents' Day
    april_break = _nth_weekday(spring, 4, 0, 3)  # the week of Patriots' Day
    single_days = [
        labor_day,
        _nth_weekday(first_year, 10, 0, 2),  # Columbus Day / Indigenous Peoples Day
        _observed(date(first_year, 11, 11)),  # Veterans Day
        _nth_weekday(spring, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(spring, 5, 0, -1),  # Memorial Day
        _observed(date(spring, 6, 19)),  # Juneteenth
    ]
    ranges = [
        (thanksgiving - timedelta(days=1), thanksgiving + timedelta(days=1)),  # Wednesday to Friday
        (date(first_year, 12, 24), date(spring, 1, 1)),  # winter vacation
        (february_break, february_break + timedelta(days=4)),
        (april_break, april_break + timedelta(days=4)),
    ]
    closed = set(single_days)
    for start, end in ranges:
        closed.update(start + timedelta(days=i) for i in range((end - start).days + 1))
    last_day, counted = first_day - timedelta(days=1), 0
    while counted < SCHOOL_DAYS_PER_YEAR:
        last_day += timedelta(days=1)
        if last_day.weekday() < 5 and last_day not in closed:
            counted += 1
    return {
        "name": f"{first_year}-{spring}",
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        "closed": [d.isoformat() for d in single_days]
        + [{"start": start.isoformat(), "end": end.isoformat()} for start, end in ranges],
    }


def massachusetts_calendar(first_year: int, years: int = 2) -> dict[str, Any]:
    """A CAL.json object with `years` consecutive school years, the first starting in `first_year`.

    `massachusetts_calendar(2025)` covers 2025-2026 and 2026-2027.
    """
    return {"school_years": [massachusetts_school_year(first_year + i) for i in range(years)]}
