"""Statewide synthetic data for the benches: several districts, each a full demo district of its own.

`ensure_statewide(districts=20, students=10_000)` creates (or tops up) districts with DESE-like codes 7000xxxx
beside the demo district, each with schools, staff in every role, students, IEPs, timeline events and deadlines,
through the same seeders as `seed_demo`. Staff usernames carry their district (`d70010000.chair.lincoln`); every
account's password is the demo password. Deterministic for a seed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

STUDENTS_PER_DISTRICT_MAX = 100_000  # SASIDs of district k start at 1,000,000 + k * 100,000


@dataclass
class Statewide:
    district_ids: list[int]
    students: int
    seeded_s: float


def district_code(index: int) -> str:
    return f"{7000 + index:04d}0000"


def ensure_statewide(*, districts: int, students: int, seed: int = 2026, log=print) -> Statewide:
    """At least `students` students in each of `districts` synthetic districts, with their IEPs and deadlines."""
    from iep.demo import seed_ieps
    from students.demo import seed_people
    from students.models import District, Student
    from timelines.dashboard_demo import seed_snapshots
    from timelines.demo import seed_timelines

    if students > STUDENTS_PER_DISTRICT_MAX:
        raise ValueError(f"at most {STUDENTS_PER_DISTRICT_MAX:,} students per district")
    started = time.perf_counter()
    ids = []
    for index in range(districts):
        code = district_code(index)
        district = District.objects.filter(org_code=code).first()
        have = Student.objects.filter(district=district).count() if district else 0
        if have < students:
            log(f"seeding district {code}: {have:,} -> {students:,} students", flush=True)
            result = seed_people(students=students, seed=seed + index, district_code=code,
                                 district_name=f"Statewide Bench District {index + 1}",
                                 sasid_offset=1_000_000 + index * STUDENTS_PER_DISTRICT_MAX)
            seed_ieps(result=result, seed=seed + index)
            seed_timelines(result=result, seed=seed + index)
            seed_snapshots(result=result, seed=seed + index)
            district = result.district
        ids.append(district.pk)
    return Statewide(district_ids=ids, students=Student.objects.filter(district_id__in=ids).count(),
                     seeded_s=round(time.perf_counter() - started, 1))
