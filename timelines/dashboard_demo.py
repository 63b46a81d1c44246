"""seed_demo step (issue 7): today's overdue snapshot of the demo district, and 11 earlier weeks of SYNTHETIC
snapshots (a deterministic random walk ending at today's real counts) so the demo dashboard shows a trend.
Weeks that already have a snapshot are left alone, so running it again changes nothing already stored."""

import random
from datetime import date, timedelta

from django.utils import timezone

from students.demo import SeedResult
from students.models import School

from .dashboard_services import deadline_snapshots_take
from .models import DeadlineSnapshot

BACKFILL_WEEKS = 11


def seed_snapshots(*, result: SeedResult, seed: int, stdout=None, today: date | None = None) -> int:
    """Store today's snapshot of the demo district, then backfill earlier weeks; returns the rows added."""
    today = today or timezone.localdate()
    district = result.district
    deadline_snapshots_take(on=today, district_id=district.pk)
    current = dict(DeadlineSnapshot.objects.filter(district=district, date=today).values_list("school_id", "overdue"))
    have = set(DeadlineSnapshot.objects.filter(district=district, date__lt=today).values_list("school_id", "date"))
    rng = random.Random(seed)
    rows = []
    for school in School.objects.filter(district=district).order_by("pk"):
        level = float(current.get(school.pk, 0))
        for weeks_back in range(1, BACKFILL_WEEKS + 1):
            level = max(0.0, level * rng.uniform(0.9, 1.2) + rng.uniform(-1, 2))  # walking back: a falling trend
            day = today - timedelta(weeks=weeks_back)
            if (school.pk, day) not in have:
                rows.append(DeadlineSnapshot(district=district, school=school, date=day, overdue=round(level)))
    DeadlineSnapshot.objects.bulk_create(rows, ignore_conflicts=True)
    if stdout is not None:
        stdout.write(f"Dashboards: today's overdue snapshot stored, {len(rows):,} synthetic earlier weekly "
                     "snapshots added for the trend.")
    return len(rows)
