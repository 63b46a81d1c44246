"""Reads of the timelines app: ids to recompute, a student's timeline, a district's calendars."""

from collections.abc import Iterator
from datetime import date

from django.db.models import Case, IntegerField, QuerySet, Value, When

from students.models import District, Student

from .models import Deadline, SchoolCalendar, TimelineEvent

STATUS_ORDER = [Deadline.Status.OVERDUE, Deadline.Status.CALENDAR_MISSING, Deadline.Status.DUE_SOON,
                Deadline.Status.UPCOMING, Deadline.Status.MET, Deadline.Status.NOT_APPLICABLE]


def student_id_chunks(*, district_id: int | None = None, size: int = 2000) -> Iterator[list[int]]:
    """Active students' ids (of one district, or all), in id order, `size` at a time (keyset pagination)."""
    students = Student.objects.active()
    if district_id is not None:
        students = students.filter(district_id=district_id)
    last = 0
    while True:
        chunk = list(students.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def district_by_reference(reference: str) -> District | None:
    """A district by id or by DESE organization code (8 digits)."""
    reference = reference.strip()
    if len(reference) == 8 and reference.isdigit():
        return District.objects.filter(org_code=reference).first()
    if reference.isascii() and reference.isdigit() and len(reference) <= 18:
        return District.objects.filter(pk=int(reference)).first()
    return None


def student_events(student: Student) -> QuerySet[TimelineEvent]:
    return student.timeline_events.select_related("recorded_by").order_by("-date", "-pk")


def student_deadlines(student: Student) -> QuerySet[Deadline]:
    """The student's deadlines: overdue and calendar-missing first, then by due date."""
    order = Case(*[When(status=status, then=Value(i)) for i, status in enumerate(STATUS_ORDER)],
                 output_field=IntegerField())
    return student.deadlines.annotate(status_order=order).order_by("status_order", "due", "key")


def district_calendars(district: District) -> QuerySet[SchoolCalendar]:
    return SchoolCalendar.objects.for_district(district.pk)


def next_deadline(deadlines: list[Deadline], today: date) -> Deadline | None:
    """The open deadline due soonest on or after today."""
    open_ = [d for d in deadlines if d.due and d.due >= today
             and d.status in (Deadline.Status.UPCOMING, Deadline.Status.DUE_SOON)]
    return min(open_, key=lambda d: (d.due, d.key), default=None)
