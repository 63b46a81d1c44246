"""Properties of the engine over random calendars and cases (hypothesis), checked against a slow, literal
reading of spec sections 1.3 to 1.7. `HYPOTHESIS_PROFILE=thorough` runs ten times as many examples."""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from timelines.engine import (
    EVENT_KEYS,
    FACT_KEYS,
    RULES,
    SchoolCalendar,
    Unit,
    add_months,
    calendar_to_json,
    case_to_json,
    compute,
    parse_calendar,
    parse_case,
    parse_date,
    results_to_json,
)

EXAMPLES = 2000 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 200
check = settings(max_examples=EXAMPLES, deadline=None)

ONE = timedelta(days=1)


# --- strategies -------------------------------------------------------------------------------------------


@st.composite
def calendars(draw: st.DrawFn, min_length: int = 0, max_length: int = 200, max_closure: int = 15) -> dict[str, Any]:
    """A CAL.json value: 1-3 non-overlapping years (gaps or adjacency), any weekday, closures of every kind."""
    start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
    years = []
    for i in range(draw(st.integers(1, 3))):
        if i:
            start += timedelta(days=draw(st.integers(1, 120)))  # 1 = adjacent to the previous year
        length = draw(st.integers(min_length, max_length))
        last = start + timedelta(days=length)
        closed: list[Any] = []
        for _ in range(draw(st.integers(0, 6))):
            day = start + timedelta(days=draw(st.integers(-10, length + 10)))
            span = draw(st.integers(0, max_closure))
            closed.append(
                day.isoformat() if span == 0 else {"start": day.isoformat(), "end": (day + timedelta(span)).isoformat()}
            )
        year: dict[str, Any] = {"first_day": start.isoformat(), "last_day": last.isoformat()}
        if closed or draw(st.booleans()):
            year["closed"] = closed
        if draw(st.booleans()):
            year["name"] = f"year {i}"
        years.append(year)
        start = last
    return {"school_years": draw(st.permutations(years))}


def near(calendar: SchoolCalendar) -> st.SearchStrategy[date]:
    """Dates from a month before the calendar's coverage to a month after it."""
    c0, c1 = date.fromordinal(calendar.first_covered), date.fromordinal(calendar.last_covered)
    return st.dates(min_value=c0 - timedelta(days=30), max_value=c1 + timedelta(days=30))


cases = st.fixed_dictionaries(
    {},
    optional={
        "student": st.fixed_dictionaries({}, optional={"date_of_birth": st.dates().map(date.isoformat)}),
        "events": st.dictionaries(st.sampled_from(EVENT_KEYS), st.dates().map(date.isoformat), max_size=8),
        "facts": st.fixed_dictionaries(
            {},
            optional={
                key: (
                    st.sampled_from(("eligible", "not_eligible"))
                    if key == "eligibility"
                    else st.sampled_from(("parent", "district"))
                    if key == "hearing_filed_by"
                    else st.booleans()
                )
                for key in FACT_KEYS
            },
        ),
    },
)


# --- a literal reading of the spec (slow on purpose) ------------------------------------------------------


class Literal:
    """Spec 1.3 to 1.7 read word by word, from the CAL.json value, walking one day at a time."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.years = sorted(
            (
                parse_date(y["first_day"]),
                parse_date(y["last_day"]),
                [
                    (parse_date(c), parse_date(c))
                    if isinstance(c, str)
                    else (parse_date(c["start"]), parse_date(c["end"]))
                    for c in y.get("closed", [])
                ],
            )
            for y in raw["school_years"]
        )
        self.c0 = min(y[0] for y in self.years)
        self.c1 = max(y[1] for y in self.years)

    def school_day(self, d: date) -> bool:
        return d.weekday() < 5 and any(
            first <= d <= last and not any(s <= d <= e for s, e in closed) for first, last, closed in self.years
        )

    def after(self, x: date, n: int) -> date | None:
        if x < self.c0 - ONE:
            return None
        d, counted = x, 0
        while d < self.c1:
            d += ONE
            counted += self.school_day(d)
            if counted == n:
                return d
        return None

    def before(self, y: date, n: int) -> date | None:
        if y > self.c1 + ONE:
            return None
        d, counted = y, 0
        while d > self.c0:
            d -= ONE
            counted += self.school_day(d)
            if counted == n:
                return d
        return None

    def iep_proposal(self, c: date) -> date | None:
        if c < self.c0 - ONE:
            return None
        ending = [last for first, last, _ in self.years if last >= c]
        if ending:
            last = ending[0]
            k = sum(self.school_day(c + timedelta(days=i)) for i in range(1, (last - c).days + 1))
            if 30 <= k <= 45:
                return last + timedelta(days=14)
        return self.after(c, 45)


# --- school days ------------------------------------------------------------------------------------------


@check
@given(st.data(), calendars())
def test_school_day_counts_match_the_literal_reading(data, raw):
    calendar, literal = parse_calendar(raw), Literal(raw)
    x = data.draw(near(calendar))
    n = data.draw(st.integers(1, 60))
    assert calendar.is_school_day(x) == literal.school_day(x)
    assert calendar.school_days_after(x, n) == literal.after(x, n)
    assert calendar.school_days_before(x, n) == literal.before(x, n)


@check
@given(st.data(), calendars())
def test_end_of_year_rule_matches_the_literal_reading(data, raw):
    calendar, literal = parse_calendar(raw), Literal(raw)
    consent = data.draw(near(calendar))
    (result,) = [
        r
        for r in compute(parse_case({"events": {"consent_received": consent.isoformat()}}), calendar)
        if r.key == "iep_proposal"
    ]
    assert result.due == literal.iep_proposal(consent)
    assert (result.error is None) == (result.due is not None)


@check
@given(st.data(), calendars())
def test_a_school_day_deadline_is_a_school_day_after_the_trigger(data, raw):
    calendar = parse_calendar(raw)
    x, n = data.draw(near(calendar)), data.draw(st.integers(1, 60))
    due = calendar.school_days_after(x, n)
    if due is not None:
        assert due > x and calendar.is_school_day(due)
        assert calendar.school_days_between(x, due) == n
    back = calendar.school_days_before(x, n)
    if back is not None:
        assert back < x and calendar.is_school_day(back)
        assert calendar.school_days_between(back, x - ONE) == n - 1


@check
@given(st.data(), calendars())
def test_n_plus_one_school_days_is_strictly_later_than_n(data, raw):
    calendar = parse_calendar(raw)
    x, n = data.draw(near(calendar)), data.draw(st.integers(1, 60))
    now, later = calendar.school_days_after(x, n), calendar.school_days_after(x, n + 1)
    if now is None:
        assert later is None
    elif later is not None:
        assert later > now
    now, earlier = calendar.school_days_before(x, n), calendar.school_days_before(x, n + 1)
    if now is None:
        assert earlier is None
    elif earlier is not None:
        assert earlier < now


@check
@given(st.data(), calendars())
def test_a_later_trigger_never_gives_an_earlier_school_day_deadline(data, raw):
    calendar = parse_calendar(raw)
    x1, x2 = sorted((data.draw(near(calendar)), data.draw(near(calendar))))
    n = data.draw(st.integers(1, 60))
    first, second = calendar.school_days_after(x1, n), calendar.school_days_after(x2, n)
    if first is not None and second is not None:
        assert first <= second
    if first is None and x1 >= date.fromordinal(calendar.first_covered) - ONE:
        assert second is None  # once the calendar runs out, a later trigger cannot bring it back
    first, second = calendar.school_days_before(x1, n), calendar.school_days_before(x2, n)
    if first is not None and second is not None:
        assert first <= second


@check
@given(st.data(), calendars(min_length=120, max_length=300, max_closure=10))
def test_a_later_consent_never_gives_an_earlier_iep_proposal_in_full_school_years(data, raw):
    calendar = parse_calendar(raw)
    assume(all(calendar.school_days_between(y.first_day - ONE, y.last_day) >= 46 for y in calendar.years))
    c1, c2 = sorted((data.draw(near(calendar)), data.draw(near(calendar))))
    dues = [
        next(
            r.due
            for r in compute(parse_case({"events": {"consent_received": c.isoformat()}}), calendar)
            if r.key == "iep_proposal"
        )
        for c in (c1, c2)
    ]
    if None not in dues:
        assert dues[0] <= dues[1]


@check
@given(st.data(), calendars())
def test_weekends_and_closed_days_are_never_school_days(data, raw):
    calendar = parse_calendar(raw)
    d = data.draw(near(calendar))
    if d.weekday() >= 5:
        assert not calendar.is_school_day(d)
    for year in calendar.years:
        for closed in year.closed:
            for i in range(min((closed.end - closed.start).days + 1, 40)):
                day = closed.start + timedelta(days=i)
                if year.first_day <= day <= year.last_day:  # a closure binds only its own year (1.3)
                    assert not calendar.is_school_day(day)
    assert not calendar.is_school_day(calendar.years[0].first_day - ONE)
    assert not calendar.is_school_day(calendar.years[-1].last_day + ONE)


# --- calendar days, months, years -------------------------------------------------------------------------

CALENDAR_DAY_RULES = [r for r in RULES if r.unit in (Unit.CALENDAR_DAYS, Unit.CALENDAR_DAYS_BEFORE)]


@check
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), calendars())
def test_calendar_day_deadlines_are_exact_date_arithmetic_whatever_the_calendar(day, raw):
    facts = {"eligibility": "not_eligible"}
    events = {r.triggers[0]: day.isoformat() for r in CALENDAR_DAY_RULES} | {"consent_received": day.isoformat()}
    results = {r.key: r for r in compute(parse_case({"events": events, "facts": facts}), parse_calendar(raw))}
    for rule in CALENDAR_DAY_RULES:
        if rule.key in ("complete_iep_on_request", "initial_iep_meeting_idea"):
            continue  # conditions need "eligible"; covered by the rule tests
        sign = -1 if rule.unit is Unit.CALENDAR_DAYS_BEFORE else 1
        assert results[rule.key].due == day + timedelta(days=sign * rule.amount)
        assert results[rule.key].error is None


@check
@given(st.dates(max_value=date(9000, 1, 1)), st.integers(0, 240))
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(day, months):
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day.day or (moved.day < day.day and (moved + ONE).day == 1)


@check
@given(st.dates(max_value=date(9000, 1, 1)), st.dates(max_value=date(9000, 1, 1)))
def test_month_and_year_rules_are_monotone(a, b):
    a, b = sorted((a, b))
    assert add_months(a, 16) <= add_months(b, 16)
    assert add_months(a, 12) - ONE <= add_months(b, 12) - ONE


# --- round trips and output -------------------------------------------------------------------------------


@check
@given(st.dates())
def test_date_strings_round_trip(day):
    assert parse_date(day.isoformat()) == day


@check
@given(calendars())
def test_calendar_round_trips(raw):
    parsed = parse_calendar(raw)
    again = parse_calendar(calendar_to_json(parsed))
    assert again == parsed
    assert calendar_to_json(again) == calendar_to_json(parsed)
    assert again.school_day_count == parsed.school_day_count


@check
@given(cases)
def test_case_round_trips(raw):
    parsed = parse_case(raw)
    assert parse_case(case_to_json(parsed)) == parsed


@check
@given(cases, calendars())
def test_output_is_ordered_and_error_means_null(raw, cal):
    calendar = parse_calendar(cal)
    out = results_to_json(compute(parse_case(raw), calendar))["deadlines"]
    assert out == results_to_json(compute(parse_case(raw), calendar))["deadlines"]  # deterministic
    keys = [(e["due"] is None, e["due"] or "", e["key"]) for e in out]
    assert keys == sorted(keys)
    assert len({e["key"] for e in out}) == len(out)
    for entry in out:
        assert ("error" in entry) == (entry["due"] is None)
        assert entry.get("error", "calendar_exhausted") == "calendar_exhausted"
