"""Every write of the timelines app: calendars, events, facts, and the recompute of stored deadlines.

The engine (timelines.engine) is pure and knows no database; this module feeds it from the models and
stores what it returns, writing only the rows that changed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from config import ical
from students.models import District, Student

from . import engine
from .exceptions import CalendarImportError
from .models import (
    APPLICATION_DEADLINE_LABELS,
    EVENT_LABELS,
    FACT_FIELDS,
    Deadline,
    SchoolCalendar,
    StudentFacts,
    TimelineEvent,
)
from .satisfaction import LAPSES, SATISFIED_BY

log = logging.getLogger(__name__)

CHUNK = 2000  # students per transaction / per Celery task
DUE_SOON_DAYS = 7
# A calendar that covers one Saturday: no school days at all, so every school-day count is calendar_exhausted
# (the engine refuses an empty list of school years; a district without a calendar must still get its
# calendar-day deadlines, and its school-day ones shown as "calendar missing").
_NO_CALENDAR = engine.SchoolCalendar((engine.SchoolYear(date(1, 1, 6), date(1, 1, 6)),))


# ---------------------------------------------------------------- calendars

def engine_calendar(rows: Iterable[SchoolCalendar]) -> engine.SchoolCalendar:
    """The engine's compiled calendar for a district's school years (no rows: a calendar with no school days)."""
    years = tuple(engine.SchoolYear(row.first_day, row.last_day,
                                    tuple(engine.ClosedRange(start, end) for start, end, _d in row.closures()),
                                    row.label) for row in rows)
    if not years:
        return _NO_CALENDAR
    try:
        return engine.SchoolCalendar(years)
    except ValueError:  # overlapping years slipped past validation (e.g. a raw SQL edit): count nothing
        log.warning("event=calendar_invalid district=%s", rows[0].district_id if isinstance(rows, list) else "?")
        return _NO_CALENDAR


def engine_calendars(district_ids: Iterable[int]) -> dict[int, engine.SchoolCalendar]:
    """One compiled calendar per district (one query for all of them)."""
    by_district: dict[int, list[SchoolCalendar]] = {pk: [] for pk in district_ids}
    for row in SchoolCalendar.objects.filter(district_id__in=list(by_district)).order_by("first_day"):
        by_district[row.district_id].append(row)
    return {pk: engine_calendar(rows) for pk, rows in by_district.items()}


def calendar_to_json(district: District) -> dict[str, Any]:
    """The district's school years in the spec's CAL.json shape (4.2): single closed days as date strings."""
    years = []
    for row in SchoolCalendar.objects.for_district(district.pk):
        closed: list[Any] = [start.isoformat() if start == end else {"start": start.isoformat(), "end": end.isoformat()}
                             for start, end, _d in row.closures()]
        years.append({"name": row.label, "first_day": row.first_day.isoformat(),
                      "last_day": row.last_day.isoformat(), "closed": closed})
    return {"school_years": years}


def _closures_from_engine(year: engine.SchoolYear) -> list[dict[str, str]]:
    return [{"start": c.start.isoformat(), "end": c.end.isoformat(), "description": ""} for c in year.closed]


@transaction.atomic
def calendar_import(*, district: District, data: object, user: User | None = None) -> list[SchoolCalendar]:
    """Create or replace the district's school years from a CAL.json document (spec 4.2).

    The engine's parser validates the whole document first (CalendarImportError, nothing written); years
    are matched by name (a year without a name is named after its first and last year, e.g. 2025-26).
    The result must not overlap the district's other years (CalendarImportError; the transaction rolls
    back, so nothing is written). Recomputes the district after commit.
    """
    saved = calendar_years_replace(district=district, data=data, user=user)
    _recompute_district_on_commit(district.pk)
    return saved


def calendar_years_replace(*, district: District, data: object, user: User | None = None) -> list[SchoolCalendar]:
    """`calendar_import` without the recompute (the demo seeder recomputes in bulk itself). Call in a transaction."""
    try:
        parsed = engine.parse_calendar(data, "calendar")
    except (engine.EngineInputError, ValueError) as exc:
        raise CalendarImportError(str(exc)) from exc
    labels = [year.name or f"{year.first_day.year}-{str(year.last_day.year)[-2:]}" for year in parsed.years]
    for label in labels:
        if len(label) > 20:
            raise CalendarImportError(f"calendar school_years name {label!r} is longer than 20 characters")
    saved = []
    for label, year in zip(labels, parsed.years, strict=True):
        row = (SchoolCalendar.objects.select_for_update().filter(district=district, label=label).first()
               or SchoolCalendar(district=district, label=label))
        row.first_day, row.last_day, row.closed = year.first_day, year.last_day, _closures_from_engine(year)
        overlap = (SchoolCalendar.objects.filter(district=district, first_day__lte=row.last_day,
                                                 last_day__gte=row.first_day)
                   .exclude(pk=row.pk).exclude(label__in=labels).first())
        if overlap is not None:
            raise CalendarImportError(f"school year {label} overlaps the district's school year {overlap.label}")
        row._history_user = user
        row.save()
        saved.append(row)
    return saved


@transaction.atomic
def calendar_save(*, calendar: SchoolCalendar, user: User | None = None) -> SchoolCalendar:
    """Save a validated school year (its form ran `full_clean`) and recompute its district after commit."""
    calendar._history_user = user
    calendar.save()
    _recompute_district_on_commit(calendar.district_id)
    return calendar


@transaction.atomic
def calendar_delete(*, calendar: SchoolCalendar, user: User | None = None) -> None:
    """Delete one school year and recompute its district after commit."""
    district_id = calendar.district_id
    calendar._history_user = user
    calendar.delete()
    _recompute_district_on_commit(district_id)


def _enqueue_on_commit(task, *args) -> None:
    """Record `task(*args)` in the outbox within the current transaction (decision 3): it commits or rolls
    back with the change, is sent right after commit, and if Redis is down then, `outbox_dispatch` sends it
    when Redis is back. The user never waits on, or sees an error from, the broker."""
    from jobs.services import outbox_enqueue

    outbox_enqueue(task=task.name, args=args)


def _recompute_district_on_commit(district_id: int) -> None:
    from .tasks import deadlines_recompute_district_task

    _enqueue_on_commit(deadlines_recompute_district_task, district_id)


# ---------------------------------------------------------------- iCalendar

def calendar_to_ics(district: District, now: datetime | None = None) -> str:
    """The district's school years as iCalendar (RFC 5545): one all-day VEVENT per closure and per first and
    last day of school. Lines end in CRLF and are folded at 75 octets."""
    stamp_text = (now or timezone.now()).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Massachusetts IEP//School calendar//EN",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{ical.text(district.name + ' school calendar')}"]

    def event(uid: str, start: date, end: date, summary: str) -> None:
        lines.extend(["BEGIN:VEVENT", f"UID:{ical.uid(uid)}@{ical.uid(district.org_code)}.iep.invalid",
                      f"DTSTAMP:{stamp_text}",
                      f"DTSTART;VALUE=DATE:{start:%Y%m%d}", f"DTEND;VALUE=DATE:{end + timedelta(days=1):%Y%m%d}",
                      f"SUMMARY:{ical.text(summary)}", "TRANSP:TRANSPARENT", "END:VEVENT"])

    for row in SchoolCalendar.objects.for_district(district.pk):
        event(f"{row.label}-first", row.first_day, row.first_day, f"First day of school ({row.label})")
        event(f"{row.label}-last", row.last_day, row.last_day, f"Last day of school ({row.label})")
        for number, (start, end, description) in enumerate(row.closures(), start=1):
            event(f"{row.label}-closed-{number}", start, end,
                  f"No school: {description}" if description else "No school")
    lines.append("END:VCALENDAR")
    return ical.document(lines)


# ---------------------------------------------------------------- events and facts

@transaction.atomic
def timeline_event_record(*, student: Student, key: str, on: date, user: User, note: str = "") -> TimelineEvent:
    """Record an event of the student's process; their deadlines are recomputed after commit."""
    event = TimelineEvent(student=student, key=key, date=on, note=note, recorded_by=user)
    event._history_user = user
    event.save()
    _recompute_student_on_commit(student.pk)
    return event


def timelines_refresh_student(*, student_id: int) -> None:
    """Recompute one student's deadlines after the current transaction commits (their IEPs changed)."""
    _recompute_student_on_commit(student_id)


@transaction.atomic
def timeline_event_correct(*, event: TimelineEvent, on: date, note: str, user: User) -> TimelineEvent:
    """Correct an event's date or note; the earlier version stays in its history. Recomputes after commit."""
    event = TimelineEvent.objects.select_for_update().get(pk=event.pk)
    event.date, event.note, event.recorded_by = on, note, user
    event._history_user = user
    event.save()
    _recompute_student_on_commit(event.student_id)
    return event


@transaction.atomic
def student_facts_update(*, student: Student, user: User, **facts: Any) -> StudentFacts:
    """Set the student's facts (spec 2.3; only the names in FACT_FIELDS). Recomputes after commit."""
    unknown = set(facts) - set(FACT_FIELDS)
    if unknown:
        raise ValueError(f"unknown facts: {sorted(unknown)}")
    row, _ = StudentFacts.objects.select_for_update().get_or_create(student=student)
    for name, value in facts.items():
        setattr(row, name, value)
    row.updated_by = user
    row._history_user = user
    row.save()
    _recompute_student_on_commit(student.pk)
    return row


def _recompute_student_on_commit(student_id: int) -> None:
    from .tasks import deadlines_recompute_task

    _enqueue_on_commit(deadlines_recompute_task, [student_id])


# ---------------------------------------------------------------- recompute

def case_events_from_ieps(student_ids: list[int]) -> dict[int, dict[str, date]]:
    """Event dates that come from IEP records rather than TimelineEvents: {student_id: {event key: date}}.

    From each student's current IEP (the latest accepted or partially accepted one): `iep_start` (its start),
    `annual_review_meeting` (its meeting date, when it was an annual review) and `last_evaluation` (decision 11:
    the Team meeting that considered the most recent evaluation, recorded on the IEP). One query for the chunk;
    a recorded TimelineEvent of the same key wins when it is later (the caller keeps the latest date).
    """
    from iep.models import IEP

    current = (IEP.objects.filter(student_id__in=student_ids, student_id__gte=min(student_ids, default=0),
                                  student_id__lte=max(student_ids, default=0),
                                  status__in=[IEP.Status.ACCEPTED, IEP.Status.PARTIALLY_ACCEPTED])
               .order_by("student_id", "-start_date", "-pk")
               .values_list("student_id", "start_date", "meeting_type", "meeting_date", "last_evaluation_date"))
    events: dict[int, dict[str, date]] = {}
    for student_id, start, meeting_type, meeting, last_evaluation in current:
        if student_id in events:  # an older IEP of a student already seen
            continue
        found = {"iep_start": start}
        if meeting_type == IEP.MeetingType.ANNUAL_REVIEW and meeting:
            found["annual_review_meeting"] = meeting
        if last_evaluation:
            found["last_evaluation"] = last_evaluation
        events[student_id] = found
    return events


def deadline_status(due: date | None, met_on: date | None, today: date) -> str:
    """Met, calendar missing (due unknown), overdue, due within 7 days, or upcoming, relative to `today`."""
    if met_on is not None:
        return Deadline.Status.MET
    if due is None:
        return Deadline.Status.CALENDAR_MISSING
    if due < today:
        return Deadline.Status.OVERDUE
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return Deadline.Status.DUE_SOON
    return Deadline.Status.UPCOMING


def met_on(key: str, trigger: str, cycle: date, due: date | None, events: dict[str, date], facts: engine.Facts,
           today: date) -> date | None:
    """The date the deadline `key` counted from `cycle` was met, or None (see timelines.satisfaction)."""
    best = None
    for satisfier in SATISFIED_BY[key]:
        happened = events.get(satisfier.event)
        if happened is None or happened > today:
            continue
        since = cycle if satisfier.window_days is None or due is None else due - timedelta(days=satisfier.window_days)
        if happened < since:
            continue
        if satisfier.event == trigger and happened == cycle and not satisfier.trigger_meets:
            continue
        if satisfier.only_if is not None and getattr(facts, satisfier.only_if[0]) != satisfier.only_if[1]:
            continue
        best = happened if best is None or happened < best else best
    if best is None and key in LAPSES and due is not None and due < today:
        best = due
    return best


# (school_id, trigger, due, error, citation, basis, status, met_on) per (student_id, key, cycle)
_Row = tuple[int, str, date | None, str, str, str, str, date | None]
_FIELDS = ("school_id", "trigger", "due", "error", "citation", "basis", "status", "met_on")


def _facts_of(values: tuple | None) -> engine.Facts:
    if values is None:
        return engine.Facts()
    facts = dict(zip(FACT_FIELDS, values, strict=True))
    facts["eligibility"] = facts["eligibility"] or None
    return engine.Facts(**facts)


_BASIS_WORDS = re.compile(r"\b(student\.date_of_birth|[a-z]+(?:_[a-z]+)+)\b")
_ACRONYMS = {"iep": "IEP", "iee": "IEE", "iaes": "IAES", "team": "Team"}


def _in_words(key: str) -> str:
    if key == "student.date_of_birth":
        return "date of birth"
    if key not in EVENT_LABELS:
        return key
    return " ".join(_ACRONYMS.get(word, word) for word in key.split("_"))


def readable_basis(basis: str) -> str:
    """The engine's basis with event keys in words: "45 school days after consent_received (2025-10-06)" reads
    "45 school days after consent received (2025-10-06)"; acronyms stay capitalised ("IEP start")."""
    return _BASIS_WORDS.sub(lambda match: _in_words(match.group(1)), basis)


def _desired_rows(student: tuple, events: dict[str, date], facts: engine.Facts, calendar: engine.SchoolCalendar,
                  existing: dict[tuple[str, date], _Row], today: date) -> dict[tuple[str, date], _Row]:
    """What the student's deadline rows should be: this cycle's from the engine; earlier cycles' kept if met,
    else met (if an event has met them since) or no longer applicable."""
    _pk, _district_id, school_id, date_of_birth = student
    desired: dict[tuple[str, date], _Row] = {}
    for result in engine.compute(engine.Case(events, facts, date_of_birth), calendar):
        met = met_on(result.key, result.trigger, result.trigger_date, result.due, events, facts, today)
        desired[(result.key, result.trigger_date)] = (
            school_id, result.trigger, result.due, result.error or "", result.citation, readable_basis(result.basis),
            deadline_status(result.due, met, today), met)
    for ident, row in existing.items():
        if ident in desired or row[6] == Deadline.Status.MET:
            continue
        met = met_on(ident[0], row[1], ident[1], row[2], events, facts, today)
        status = Deadline.Status.MET if met else Deadline.Status.NOT_APPLICABLE
        desired[ident] = (school_id, *row[1:6], status, met)
    return desired


def deadlines_recompute(*, student_ids: Iterable[int], now: datetime | None = None, chunk_size: int = CHUNK,
                        progress: Callable[[int], None] | None = None) -> int:
    """Recompute and store the deadlines of `student_ids`; return how many rows were written.

    Each chunk is one transaction that first locks its students' rows (FOR NO KEY UPDATE, in id order), so
    two workers on the same students serialise and the second, reading the first one's rows, writes
    nothing: the job is idempotent and safe twice at once. Only rows whose values changed are written, in
    one multi-row upsert per chunk. Statuses are relative to today in America/New_York (decision 7).
    """
    today = timezone.localdate(now)
    ids = sorted(set(student_ids))
    written = 0
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start:start + chunk_size]
        written += _recompute_chunk(chunk, today, now or timezone.now())
        if progress:
            progress(len(chunk))
    return written


@transaction.atomic
def _recompute_chunk(ids: list[int], today: date, computed_at: datetime) -> int:
    students = list(Student.objects.select_for_update(no_key=True, of=("self",)).filter(pk__in=ids).order_by("pk")
                    .values_list("pk", "district_id", "school_id", "date_of_birth"))
    if not students:
        return 0
    ids = [row[0] for row in students]
    events: dict[int, dict[str, date]] = {}
    # The id range next to the IN list lets PostgreSQL walk one index range; order_by() drops Meta.ordering sorts.
    in_chunk = {"student_id__in": ids, "student_id__gte": ids[0], "student_id__lte": ids[-1]}
    for student_id, key, day in TimelineEvent.objects.filter(**in_chunk).order_by().values_list("student_id", "key",
                                                                                               "date"):
        known = events.setdefault(student_id, {})
        if key not in known or day > known[key]:
            known[key] = day  # the latest date per key is the current process (spec 2.1)
    from meetings.selectors import case_events_from_meetings  # held meetings, consents received (docs/meetings.md)

    derived = [case_events_from_ieps(ids), case_events_from_meetings(ids)]
    for student_id, extra in ((sid, found) for source in derived for sid, found in source.items()):
        known = events.setdefault(student_id, {})
        for key, day in extra.items():
            if key not in known or day > known[key]:
                known[key] = day
    facts = {row[0]: row[1:] for row in StudentFacts.objects.filter(**in_chunk).order_by()
             .values_list("student_id", *FACT_FIELDS)}
    existing: dict[int, dict[tuple[str, date], _Row]] = {}
    # Application rows (progress reports) are written by their own service, never by the engine's recompute.
    for student_id, key, cycle, *rest in Deadline.objects.filter(**in_chunk).exclude(
            key__in=APPLICATION_DEADLINE_LABELS).order_by().values_list(
            "student_id", "key", "cycle", *_FIELDS):
        existing.setdefault(student_id, {})[(key, cycle)] = tuple(rest)
    calendars = engine_calendars({row[1] for row in students})
    changed: list[tuple] = []
    for student in students:
        student_id = student[0]
        mine = existing.get(student_id, {})
        desired = _desired_rows(student, events.get(student_id, {}), _facts_of(facts.get(student_id)),
                                calendars[student[1]], mine, today)
        for (key, cycle), row in desired.items():
            if mine.get((key, cycle)) != row:
                changed.append((student_id, key, cycle, *row))
    if changed:
        (_upsert_copy if connection.vendor == "postgresql" else _upsert_orm)(changed, computed_at)
    return len(changed)


_COLUMNS = ("student_id", "key", "cycle", *_FIELDS)


def _upsert_orm(rows: list[tuple], computed_at: datetime) -> None:
    """Multi-row INSERT ... ON CONFLICT (student, key, cycle) DO UPDATE, 500 rows a statement (SQLite)."""
    Deadline.objects.bulk_create([Deadline(computed_at=computed_at, **dict(zip(_COLUMNS, row, strict=True)))
                                  for row in rows], batch_size=500, update_conflicts=True,
                                 unique_fields=["student", "key", "cycle"], update_fields=[*_FIELDS, "computed_at"])


def _upsert_copy(rows: list[tuple], computed_at: datetime) -> None:
    """PostgreSQL: COPY the changed rows into a temporary table, then one INSERT ... ON CONFLICT DO UPDATE.

    About three times the throughput of multi-row INSERTs built by the ORM (bench/deadlines.py measures it).
    """
    table = Deadline._meta.db_table
    columns = ", ".join(_COLUMNS)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in (*_FIELDS, "computed_at"))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS deadline_upsert ON COMMIT DELETE ROWS AS "
                       f"SELECT {columns}, computed_at FROM {table} WITH NO DATA")
        cursor.execute("TRUNCATE deadline_upsert")  # inside an outer transaction (tests) nothing has committed yet
        with cursor.cursor.copy(f"COPY deadline_upsert ({columns}, computed_at) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, computed_at))
        cursor.execute(f"INSERT INTO {table} ({columns}, computed_at) SELECT {columns}, computed_at "
                       f"FROM deadline_upsert ON CONFLICT (student_id, key, cycle) DO UPDATE SET {updates}")
