"""Deadline bench: engine throughput, then a full recompute of N students including the database writes.

    DATABASE_URL=postgres://... python -m bench.deadlines [--students 12000] [--engine-cases 50000]

Seeds the demo district (seed_demo's functions) up to N students when it has fewer. Measures the recompute
cold (Deadline table emptied first) and warm (nothing changed since: ~0 rows written). The last line printed
is one JSON object.
"""

import argparse
import json
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.deadlines", description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=12_000)
    parser.add_argument("--engine-cases", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    from bench.setup import django_ready

    if not django_ready("deadlines"):
        return 2
    from django.db import connection

    from bench.engine_throughput import measure_engine
    from students.demo import DEMO_DISTRICT_CODE, seed_people
    from students.models import Student
    from timelines.demo import seed_timelines
    from timelines.models import Deadline, StudentFacts, TimelineEvent
    from timelines.services import deadlines_recompute

    engine = measure_engine(args.engine_cases)
    print(f"engine: {engine['engine_cases_per_s']:,} cases/s ({engine['cases']:,} cases, one process)")

    have = Student.objects.filter(district__org_code=DEMO_DISTRICT_CODE).count()
    with_events = TimelineEvent.objects.filter(student__district__org_code=DEMO_DISTRICT_CODE).values(
        "student_id").distinct().count()
    if have < args.students or with_events < min(have, args.students) * 0.9:
        started = time.perf_counter()
        result = seed_people(students=max(have, args.students), seed=args.seed)
        seed_timelines(result=result, seed=args.seed, stdout=None)
        print(f"seeded the demo district up to {args.students:,} students in {time.perf_counter() - started:.1f} s")
    ids = list(Student.objects.filter(district__org_code=DEMO_DISTRICT_CODE).order_by("pk")
               .values_list("pk", flat=True)[: args.students])

    def analyze(*models):  # what autovacuum does after bulk changes; keeps the planner on the indexes
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {model._meta.db_table}")

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Deadline._meta.db_table}")
    analyze(Student, TimelineEvent, StudentFacts, Deadline)
    started = time.perf_counter()
    cold_rows = deadlines_recompute(student_ids=ids)
    cold = time.perf_counter() - started
    print(f"recompute cold: {len(ids):,} students in {cold:.2f} s, {cold_rows:,} rows written "
          f"({cold_rows / cold:,.0f} rows/s)")
    analyze(Deadline)
    started = time.perf_counter()
    warm_rows = deadlines_recompute(student_ids=ids)
    warm = time.perf_counter() - started
    print(f"recompute warm: {len(ids):,} students in {warm:.2f} s, {warm_rows:,} rows written")
    print(json.dumps({"engine_cases_per_s": engine["engine_cases_per_s"], "students": len(ids),
                      "recompute_s": round(cold, 3), "rows_written": cold_rows,
                      "warm_recompute_s": round(warm, 3), "warm_rows_written": warm_rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
