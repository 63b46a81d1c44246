"""Date arithmetic of the deadline engine (spec sections 1.1, 1.2 and 1.6).

Pure Python, no Django. Dates are `datetime.date`; the school-day arithmetic lives in `calendar.py`.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

# 1.1: exactly ten ASCII characters. `fullmatch` (not `$`, which also matches before a final newline) and
# `[0-9]` (not `\d`, which matches any Unicode digit) keep out every other ISO 8601 spelling.
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class NotADate(ValueError):
    """A value that is not a `YYYY-MM-DD` string naming a real date; the message says which of the two."""


@lru_cache(maxsize=65_536)
def _parse_date_string(text: str) -> date:
    if not _DATE_SHAPE.fullmatch(text):
        raise NotADate("is not a date of the form YYYY-MM-DD")
    try:
        return date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:  # 2029-02-30, 0000-01-01, month 13 ...
        raise NotADate("is not a real date") from None


def parse_date(value: object) -> date:
    """Return the date a JSON value names, or raise `NotADate` (1.1: regex first, then a real date)."""
    if type(value) is not str:
        raise NotADate("is not a date string (YYYY-MM-DD)")
    return _parse_date_string(value)


def is_leap_year(year: int) -> bool:
    """Proleptic Gregorian leap year."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    """Number of days in `month` (1-12) of `year`."""
    if month == 2 and is_leap_year(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to the month's last day (1.6); OverflowError past year 9999."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    if not 1 <= year <= 9999:
        raise OverflowError("date value out of range")
    month = month0 + 1
    return date(year, month, min(day.day, days_in_month(year, month)))


def add_days(day: date, days: int) -> date:
    """`day` + `days` calendar days (negative goes back); OverflowError outside years 1-9999.

    Ordinal arithmetic: several times faster than building a `timedelta`.
    """
    try:
        return date.fromordinal(day.toordinal() + days)
    except ValueError:
        raise OverflowError("date value out of range") from None


# `date.isoformat` behind a small cache: the same trigger and due dates recur across a caseload, and the
# engine formats one or two dates per deadline.
iso = lru_cache(maxsize=8192)(date.isoformat)
