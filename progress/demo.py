"""seed_demo step: district-wide quarters for the school years around today, each goal's responsible staff (the
case manager) with a numeric target for reading goals, and SYNTHETIC progress reports for the periods whose report
date has passed: most sent, some finalised but not sent, some not written (so the oversight pages show overdue
reports). Bulk inserts only; students whose IEPs already have reports are skipped, so running it again adds
nothing. Demo documents are recorded without printing a PDF (printing thousands would make seeding slow); the
text says so where the PDF would be."""

import random
import re
import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from iep.models import IEP
from students.models import District

from .models import GoalPlan, MarkingPeriod, ProgressDocument, ProgressReport
from .selectors import goals_in_force, school_periods, shared_periods_of
from .services import progress_deadlines_refresh

# (name, start, end, report due) as (month, day) of the school year starting in September
QUARTERS = [("Quarter 1", (9, 2), (11, 7), (11, 14)), ("Quarter 2", (11, 10), (1, 30), (2, 6)),
            ("Quarter 3", (2, 2), (4, 10), (4, 17)), ("Quarter 4", (4, 13), (6, 15), (6, 22))]
NUMBER = re.compile(r"(\d+) words per minute")
BATCH = 1000
DEMO_NOTE = "Synthetic demo record: not printed."


def _on(first_year: int, month_day: tuple[int, int]) -> date:
    month, day = month_day
    return date(first_year if month >= 7 else first_year + 1, month, day)


def seed_periods(district: District, today: date) -> int:
    """The district's quarters for last, this and next school year (years that have none yet)."""
    have = set(MarkingPeriod.objects.shared().filter(district=district).values_list("school_year", flat=True))
    current = today.year if today.month >= 7 else today.year - 1
    rows = []
    for first in (current - 1, current, current + 1):
        label = f"{first}-{(first + 1) % 100:02d}"
        if label in have:
            continue
        rows += [MarkingPeriod(district=district, school_year=label, name=name, start=_on(first, start),
                               end=_on(first, end), report_due=_on(first, due)) for name, start, end, due in QUARTERS]
    MarkingPeriod.objects.bulk_create(rows)
    return len(rows)


def seed_progress(*, result, seed: int, stdout=None, today: date | None = None) -> int:
    """Seed periods, goal plans and past reports of the demo district; returns the reports created."""
    today = today or timezone.localdate()
    started = time.monotonic()
    district = result.district
    seed_periods(district, today)
    ieps = list(IEP.objects.current().filter(student__district=district, progress_reports__isnull=True)
                .select_related("student").order_by("pk"))
    made = 0
    for begin in range(0, len(ieps), BATCH):
        with transaction.atomic():
            made += _seed_batch(ieps[begin:begin + BATCH], seed, today)
    ids = list(IEP.objects.current().filter(student__district=district).values_list("student_id", flat=True))
    progress_deadlines_refresh(student_ids=ids)
    if stdout is not None:
        stdout.write(f"Progress reports: {made:,} synthetic reports for past periods in "
                     f"{time.monotonic() - started:.1f} s.")
    return made


def _seed_batch(ieps: list[IEP], seed: int, today: date) -> int:
    periods = shared_periods_of({iep.student.district_id for iep in ieps})
    goals = goals_in_force(ieps)
    plans, reports, documents, responsible = [], [], [], []
    finalised_at = timezone.now()
    for iep in ieps:
        student = iep.student
        rng = random.Random(f"{seed}:progress:{student.sasid}")
        owed = [p for p in school_periods(student.district_id, student.school_id, periods)
                if iep.start_date <= p.report_due <= iep.end_date and p.report_due < today]
        for goal in goals.get(iep.pk, []):
            content = goal.content or {}
            numbers = NUMBER.findall(content.get("baseline", "")) + NUMBER.findall(content.get("target", ""))
            target = Decimal(numbers[1]) if len(numbers) == 2 else None
            plans.append(GoalPlan(goal=goal, target_value=target, unit="words per minute" if target else ""))
            if iep.case_manager_id:
                responsible.append((goal, iep.case_manager_id))
        for index, period in enumerate(owed):
            last = index == len(owed) - 1
            roll = rng.random()
            if last and roll < 0.12:
                continue  # not written: overdue
            sent = not last or roll >= 0.3
            for goal in goals.get(iep.pk, []):
                content = goal.content or {}
                numbers = [int(n) for n in NUMBER.findall(content.get("baseline", "") + content.get("target", ""))]
                value = on = None
                if len(numbers) == 2:
                    share = (index + 1) / (len(owed) + 2)
                    value = Decimal(round(numbers[0] + (numbers[1] - numbers[0]) * share + rng.randint(-3, 3)))
                    on = period.end - timedelta(days=rng.randint(1, 10))
                enough = rng.random() < 0.8
                reports.append(ProgressReport(
                    student=student, iep=iep, goal=goal, period=period, status="finalised", revision=1,
                    narrative=f"Progress in {content.get('area', 'this goal').lower()} during {period.name}: "
                              + rng.choice(["steady gains with the planned supports.",
                                            "gains in structured settings; generalisation is emerging.",
                                            "slower progress after absences; skills are being retaught."]),
                    measured_value=value, measured_on=on,
                    benchmarks=[{"text": b, "status": rng.choice(["met", "in_progress", "in_progress"])}
                                for b in content.get("benchmarks") or []],
                    sufficient="yes" if enough else "no",
                    sufficiency_reason=("On track to meet the goal by the end of the IEP period." if enough else
                                        "Progress is below the rate needed; the Team will review the supports."),
                    updated_at=finalised_at, finalised_at=finalised_at))
            documents.append(ProgressDocument(
                student=student, iep=iep, period=period, status=ProgressDocument.Status.FAILED, error=DEMO_NOTE,
                finalised_at=finalised_at, sent_on=period.report_due - timedelta(days=rng.randint(0, 2)) if sent
                else None, sent_method="mail" if sent else ""))
    GoalPlan.objects.bulk_create(plans, ignore_conflicts=True)
    by_goal = {p.goal_id: p.pk for p in GoalPlan.objects.filter(goal__in=[g for g, _u in responsible])}
    through = GoalPlan.responsible.through
    through.objects.bulk_create([through(goalplan_id=by_goal[g.pk], user_id=u) for g, u in responsible
                                 if g.pk in by_goal], ignore_conflicts=True)
    ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
    ProgressDocument.objects.bulk_create(documents, batch_size=BATCH)
    return len(reports)
