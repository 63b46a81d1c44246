"""A district's school calendar and school-day counting (spec sections 1.3 to 1.5).

A `SchoolCalendar` compiles its school years once, when it is built, into a sorted array of the
ordinals (`date.toordinal()`) of every school day; counting N school days after or before a date is
then one `bisect` and one index. Pure Python, no Django.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

# Above this many school days the ordinals are kept in a compact int array (a few bytes a day) instead of a
# list of int objects; bisect on a list is about twice as fast, and real calendars stay far below this.
_COMPACT_ABOVE = 100_000


@dataclass(frozen=True, slots=True)
class ClosedRange:
    """Closed dates `start`..`end` inclusive (a single closed date has start == end)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"closed range ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True, slots=True)
class SchoolYear:
    """One school year: students attend on weekdays from `first_day` to `last_day` except `closed` dates."""

    first_day: date
    last_day: date
    closed: tuple[ClosedRange, ...] = ()
    name: str | None = None

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError(f"school year ends ({self.last_day}) before it starts ({self.first_day})")

    @property
    def label(self) -> str:
        """The name if the calendar gave one, else the year's first and last day."""
        return self.name if self.name is not None else f"{self.first_day}..{self.last_day}"


def _is_weekday(ordinal: int) -> bool:
    # date.fromordinal(1) is Monday 0001-01-01, so (ordinal - 1) % 7 is date.weekday().
    return (ordinal - 1) % 7 < 5


def _school_day_ordinals(year: SchoolYear) -> list[int]:
    """Ordinals of the year's school days (1.3): weekdays in [first_day, last_day] outside its closures.

    Closures are clipped to the year and merged first, so a closure of any length costs nothing per day.
    """
    first, last = year.first_day.toordinal(), year.last_day.toordinal()
    clipped = sorted(
        (max(c.start.toordinal(), first), min(c.end.toordinal(), last))
        for c in year.closed
        if c.end.toordinal() >= first and c.start.toordinal() <= last
    )
    days: list[int] = []
    open_from = first
    for start, end in clipped:
        if start > open_from:
            days.extend(o for o in range(open_from, start) if _is_weekday(o))
        open_from = max(open_from, end + 1)
    days.extend(o for o in range(open_from, last + 1) if _is_weekday(o))
    return days


@lru_cache(maxsize=64)
def _compile(years: tuple[SchoolYear, ...]) -> tuple[Sequence[int], list[int]]:
    """The sorted school-day ordinals and the years' last-day ordinals; cached, as calendars repeat."""
    days: list[int] = []
    for year in years:
        days.extend(_school_day_ordinals(year))
    return (array("i", days) if len(days) > _COMPACT_ABOVE else days), [y.last_day.toordinal() for y in years]


@dataclass(frozen=True, slots=True)
class SchoolCalendar:
    """The school years of one calendar, sorted by first day; they must not overlap.

    Build it with `parse_calendar` (validating JSON) or directly from `SchoolYear`s. The fields after
    `years` are derived in `__post_init__` (the school-day list comes from a cache keyed by the years, so
    rebuilding the same calendar is cheap) and take no part in equality.
    """

    years: tuple[SchoolYear, ...]
    _days: Sequence[int] = field(init=False, repr=False, compare=False)
    _year_last_days: list[int] = field(init=False, repr=False, compare=False)
    first_covered: int = field(init=False, repr=False, compare=False)  # ordinal of C0 (1.4)
    last_covered: int = field(init=False, repr=False, compare=False)  # ordinal of C1 (1.4)

    def __post_init__(self) -> None:
        years = tuple(sorted(self.years, key=lambda y: y.first_day))
        if not years:
            raise ValueError("a school calendar needs at least one school year")
        for earlier, later in zip(years, years[1:], strict=False):
            if later.first_day <= earlier.last_day:
                raise ValueError(f"school years {earlier.label} and {later.label} overlap")
        days, year_last_days = _compile(years)
        object.__setattr__(self, "years", years)
        object.__setattr__(self, "_days", days)
        object.__setattr__(self, "_year_last_days", year_last_days)
        object.__setattr__(self, "first_covered", years[0].first_day.toordinal())
        # Years do not overlap, so the one that starts last also ends last.
        object.__setattr__(self, "last_covered", years[-1].last_day.toordinal())

    @property
    def school_day_count(self) -> int:
        """How many school days the calendar lists."""
        return len(self._days)

    def covers(self, day: date) -> bool:
        """Whether `day` lies in C0..C1, where every date is known to be a school day or not (1.4)."""
        return self.first_covered <= day.toordinal() <= self.last_covered

    def is_school_day(self, day: date) -> bool:
        """Whether `day` is a school day (1.3). Dates outside the coverage are not school days."""
        ordinal = day.toordinal()
        i = bisect_left(self._days, ordinal)
        return i < len(self._days) and self._days[i] == ordinal

    def school_days_after(self, day: date, n: int) -> date | None:
        """Day n of the count that starts after `day` (1.5), or None when the count is calendar_exhausted.

        `day` itself is never counted. Exhausted when some day between `day` and the calendar's start is
        unknown (day < C0 - 1) or fewer than n school days follow `day`. n must be at least 1.
        """
        if n < 1:
            raise ValueError(f"count at least one school day, not {n}")
        ordinal = day.toordinal()
        if ordinal < self.first_covered - 1:
            return None
        i = bisect_right(self._days, ordinal) + n - 1
        return date.fromordinal(self._days[i]) if i < len(self._days) else None

    def school_days_before(self, day: date, n: int) -> date | None:
        """Day n of the count that runs back from `day` (1.5), or None when it is calendar_exhausted.

        `day` itself is never counted. Exhausted when some day between the calendar's end and `day` is
        unknown (day > C1 + 1) or fewer than n school days precede `day`. n must be at least 1.
        """
        if n < 1:
            raise ValueError(f"count at least one school day, not {n}")
        ordinal = day.toordinal()
        if ordinal > self.last_covered + 1:
            return None
        i = bisect_left(self._days, ordinal) - n
        return date.fromordinal(self._days[i]) if i >= 0 else None

    def school_days_between(self, after: date, through: date) -> int:
        """Number of school days d with after < d <= through."""
        return max(0, bisect_right(self._days, through.toordinal()) - bisect_right(self._days, after.toordinal()))

    def year_ending_on_or_after(self, day: date) -> SchoolYear | None:
        """The first school year (in date order) whose last day is on or after `day`, if any (1.7 step 2)."""
        i = bisect_left(self._year_last_days, day.toordinal())
        return self.years[i] if i < len(self.years) else None
