"""seed_demo step: Massachusetts school calendars, realistic timeline events dated relative to today, and a
bulk recompute, so the demo district has deadlines in every status (decision 10). Safe to run again:
students that already have events are left alone.
"""

import random
import time
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from students.demo import OTHER_DISTRICT_CODE, SeedResult
from students.models import District, Student

from .engine.demo_calendar import massachusetts_calendar
from .models import FACT_FIELDS, StudentFacts, TimelineEvent
from .services import calendar_years_replace, case_events_from_ieps, deadlines_recompute

BATCH = 5000
CALENDAR_FROM = 2025  # 2025-26 and 2026-27 always; more years when today is later (the years around today)


def calendar_first_years(today: date) -> range:
    """School years to load: 2025-26, 2026-27, and the years before, around and after today."""
    current = today.year if today.month >= 8 else today.year - 1
    return range(min(CALENDAR_FROM, current - 1), max(CALENDAR_FROM + 1, current + 1) + 1)


def seed_calendars(district: District, today: date) -> None:
    """Load the Massachusetts calendars (timelines.engine.demo_calendar) for the years around today."""
    years = calendar_first_years(today)
    document = massachusetts_calendar(years[0], years=len(years))
    for year in document["school_years"]:
        first, second = year["name"].split("-")
        year["name"] = f"{first}-{second[-2:]}"  # 2025-26, as districts write it
    with transaction.atomic():
        calendar_years_replace(district=district, data=document)


def _events_for(rng: random.Random, today: date) -> tuple[list[tuple[str, date]], dict]:
    """One student's events and facts: an episode of a realistic special-education process, dated so that
    the district shows deadlines in every status (upcoming, due soon, overdue, met, not applicable, and
    calendar missing where a count runs past the loaded calendars)."""
    def ago(low: int, high: int) -> date:
        return today - timedelta(days=rng.randint(low, high))

    roll = rng.random()
    facts: dict = {"eligibility": "eligible"}
    iep_start = ago(1, 380)  # annual review due within a year; the oldest 15 days are overdue
    events = [("iep_start", iep_start), ("last_evaluation", iep_start - timedelta(days=rng.choice((0, 365, 730))))]
    if roll < 0.10:  # annual review held: last cycle met, a new one open
        meeting = ago(2, 40)
        events = [("iep_start", meeting - timedelta(days=rng.randint(330, 360))), ("annual_review_meeting", meeting),
                  ("last_evaluation", meeting - timedelta(days=rng.choice((0, 365, 730))))]
    elif roll < 0.22:  # an initial evaluation under way
        referral = ago(0, 90)
        events = [("referral_received", referral)]
        facts = {}
        if referral < today - timedelta(days=8) and rng.random() < 0.85:
            consent = referral + timedelta(days=rng.randint(4, 12))
            events.append(("consent_received", consent))
            if rng.random() < 0.5:
                meeting = consent + timedelta(days=rng.randint(35, 70))
                events.append(("team_meeting", meeting))
                if meeting <= today:
                    eligible = rng.random() < 0.8
                    facts = {"eligibility": "eligible" if eligible else "not_eligible",
                             "parent_requested_complete_iep": rng.random() < 0.3}
                    events.append(("eligibility_determined", meeting))
                    if eligible and rng.random() < 0.5:
                        events.append(("iep_received_by_parent", meeting + timedelta(days=rng.randint(2, 9))))
    elif roll < 0.26:  # a disciplinary removal
        removal = ago(0, 25)
        events.append(("removal_decision", removal))
        if rng.random() < 0.5:
            events.append(("team_meeting", removal + timedelta(days=rng.randint(3, 12))))
    elif roll < 0.28:  # a dispute
        events += [("hearing_requested", ago(0, 45)), ("records_requested", ago(0, 20))]
        facts["hearing_filed_by"] = "parent" if rng.random() < 0.85 else "district"
    elif roll < 0.31:  # the parent rejected the proposed IEP
        received = ago(5, 50)
        events += [("iep_received_by_parent", received),
                   ("iep_rejected", received + timedelta(days=rng.randint(3, 20)))]
    elif roll < 0.33:  # an independent evaluation
        requested = ago(0, 60)
        events += [("disputed_evaluation_date", requested - timedelta(days=rng.randint(20, 200))),
                   ("iee_requested", requested)]
    elif roll < 0.34:  # found eligible, then reconsidered (seed_timelines flips the fact after a first
        meeting = ago(1, 3)  # recompute): the complete-IEP deadline is then no longer applicable
        events += [("team_meeting", meeting), ("eligibility_determined", meeting)]
        facts = {"eligibility": "eligible", "_reconsidered": True}
    elif roll < 0.345:  # an old extended evaluation from before the loaded calendars: "calendar missing"
        events.append(("extended_evaluation_start", ago(500, 540)))
    return [(key, day) for key, day in events if day <= today + timedelta(days=70)], facts


# Event keys an accepted IEP supplies (timelines.services.case_events_from_ieps): not invented for such students.
IEP_EVENT_KEYS = {"iep_start", "annual_review_meeting", "last_evaluation"}


def seed_timelines(*, result: SeedResult, seed: int, stdout=None, today: date | None = None) -> int:
    """Calendars for both demo districts, events and facts for the demo district's students that have none,
    then one bulk recompute of the district. Returns the number of deadline rows written."""
    started = time.monotonic()
    today = today or timezone.localdate()
    district = result.district
    seed_calendars(district, today)
    other = District.objects.filter(org_code=OTHER_DISTRICT_CODE).first()
    if other is not None:
        seed_calendars(other, today)
    have_events = TimelineEvent.objects.filter(student__district=district).values("student_id")
    new_ids = list(Student.objects.filter(district=district).exclude(pk__in=have_events).order_by("pk")
                   .values_list("pk", flat=True))
    reconsidered: list[int] = []
    for start in range(0, len(new_ids), BATCH):
        events, facts = [], []
        batch = new_ids[start:start + BATCH]
        from_ieps = case_events_from_ieps(batch)  # students whose current IEP already gives these dates
        for student_id in batch:
            rng = random.Random(seed * 7_919 + student_id)
            student_events, student_facts = _events_for(rng, today)
            if student_id in from_ieps:
                student_events = [(key, day) for key, day in student_events if key not in IEP_EVENT_KEYS]
            events += [TimelineEvent(student_id=student_id, key=key, date=day,
                                     note="Demo data" if key == "iep_start" else "") for key, day in student_events]
            if student_facts.pop("_reconsidered", False):
                reconsidered.append(student_id)
            if student_facts:
                facts.append(StudentFacts(student_id=student_id, **{k: v for k, v in student_facts.items()
                                                                     if k in FACT_FIELDS}))
        with transaction.atomic():  # demo rows in bulk: no history rows for them (they were never "corrected")
            TimelineEvent.objects.bulk_create(events, batch_size=BATCH)
            StudentFacts.objects.bulk_create(facts, batch_size=BATCH, ignore_conflicts=True)
    ids = list(Student.objects.filter(district=district).values_list("pk", flat=True))
    written = deadlines_recompute(student_ids=ids)
    if reconsidered:
        flipped = list(StudentFacts.objects.filter(student_id__in=reconsidered))
        for row in flipped:
            row.eligibility = StudentFacts.Eligibility.NOT_ELIGIBLE
        bulk_update_with_history(flipped, StudentFacts, ["eligibility"], batch_size=BATCH)
        written += deadlines_recompute(student_ids=reconsidered)
    if stdout is not None:
        stdout.write(f"Timelines: calendars loaded, events for {len(new_ids):,} students, {written:,} deadline rows "
                     f"written in {time.monotonic() - started:.1f} s.")
    return written
