"""Writes of the deadline dashboards: the daily overdue snapshot behind the trend, and export logging."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import AccessLogEntry, User
from students.models import School

from .models import Deadline, DeadlineSnapshot


@transaction.atomic
def deadline_snapshots_take(*, on: date | None = None, district_id: int | None = None) -> int:
    """Store today's overdue count of every school (of one district, or all), zeros included; returns the
    number of rows written. Idempotent: a second run the same day replaces that day's rows (one upsert per
    school and day, guarded by the unique (school, date) constraint). Run after the nightly recompute, so the
    statuses it counts have moved on with the date.
    """
    on = on or timezone.localdate()
    schools = School.objects.all() if district_id is None else School.objects.filter(district_id=district_id)
    overdue = dict(Deadline.objects.filter(student__active=True, student__school__in=schools)
                   .values_list("student__school_id").order_by()
                   .annotate(n=Count("pk", filter=Q(status=Deadline.Status.OVERDUE))))
    rows = [DeadlineSnapshot(district_id=district, school_id=school, date=on, overdue=overdue.get(school, 0),
                             taken_at=timezone.now())
            for school, district in schools.values_list("pk", "district_id")]
    DeadlineSnapshot.objects.bulk_create(rows, update_conflicts=True, unique_fields=["school", "date"],
                                         update_fields=["overdue", "taken_at"], batch_size=1000)
    return len(rows)


def export_log(*, user: User, student_ids: Iterable[int], purpose: str, path: str, ip: str | None) -> int:
    """Append one access-log entry (part "export") per distinct student in an export (decision 14: an export
    discloses each listed student's record); one bulk INSERT, so a large export costs one statement per 2,000
    students. Returns the number of entries."""
    ids = sorted(set(student_ids))
    AccessLogEntry.objects.bulk_create(
        [AccessLogEntry(user=user, username=user.get_username(), student_id=pk, part=AccessLogEntry.Part.EXPORT,
                        purpose=purpose[:200], path=path[:500], method="GET", ip=ip or None) for pk in ids],
        batch_size=2000)
    return len(ids)
