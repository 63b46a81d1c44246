"""Dashboard bench: server time of the district dashboard, a drill-down page and a CSV export, and their queries.

    DATABASE_URL=postgres://... python -m bench.dashboard [--students 12000] [--runs 30]

Seeds the demo district with seed_demo (people, IEPs, timelines, snapshots) when it has fewer than N students,
then ANALYZEs (what autovacuum does after bulk loads). Requests go through Django's test Client in-process,
signed in as district.admin; the raw SQL aggregate behind the dashboard is timed alone. The last line printed
is one JSON object.
"""

import argparse
import json
import statistics
import sys
import time


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=12_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    if args.students < 1 or args.runs < 1:
        print("--students and --runs must be positive", file=sys.stderr)
        return 2
    from bench.setup import django_ready

    if not django_ready("dashboard"):
        return 2
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from accounts.models import User
    from students.demo import DEMO_DISTRICT_CODE
    from students.models import District, Student
    from timelines import dashboard_selectors as sel

    have = Student.objects.filter(district__org_code=DEMO_DISTRICT_CODE).count()
    if have < args.students:
        started = time.perf_counter()
        call_command("seed_demo", students=args.students, quiet=True, force=True)
        print(f"seeded the demo district up to {args.students:,} students in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    district = District.objects.get(org_code=DEMO_DISTRICT_CODE)
    students = Student.objects.filter(district=district).count()
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    admin = User.objects.get(username="district.admin")
    client = Client()
    client.force_login(admin)

    def measure(url: str) -> tuple[float, float, int]:
        response = client.get(url)  # warm up (and check)
        assert response.status_code == 200, (url, response.status_code)
        queries = []  # counted with an execute wrapper: the request_started signal empties connection.queries
        with connection.execute_wrapper(lambda execute, sql, params, many, context: (queries.append(sql),
                                                                                     execute(sql, params, many,
                                                                                             context))[1]):
            client.get(url)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times), percentile(times, 95), len(queries)

    figures = {}
    for name, url in [("dashboard", f"/dashboard/districts/{district.pk}/"),
                      ("drilldown", f"/dashboard/deadlines/?district={district.pk}&status=overdue&sort=due"),
                      ("export", f"/dashboard/deadlines.csv?district={district.pk}&status=overdue&sort=due&page=1"),
                      ("export_all", f"/dashboard/deadlines.csv?district={district.pk}&status=due_soon&sort=due")]:
        p50, p95, queries = measure(url)
        figures[name] = {"p50": round(p50, 1), "p95": round(p95, 1), "queries": queries}
        print(f"{name:10s} {url}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} SQL queries")

    today = timezone.localdate()
    # The aggregate alone, as the dashboard issues it (one GROUP BY with FILTERed counts), through a cursor.
    from datetime import timedelta

    from django.db.models import Count, Q

    rows = (sel.scoped_deadlines(admin, district_id=district.pk)
            .filter(Q(status=sel.S.OVERDUE) | Q(status__in=sel.PENDING, due__lte=today + timedelta(days=30)))
            .annotate(chair=sel._chair_relation())
            .values("student__school_id", "key", "chair__user_id").order_by()
            .annotate(overdue=Count("pk", filter=Q(status=sel.S.OVERDUE)),
                      due_7=Count("pk", filter=Q(status=sel.S.DUE_SOON)),
                      due_30=Count("pk", filter=Q(status__in=sel.PENDING))))
    sql, params = rows.query.sql_with_params()
    times = []
    with connection.cursor() as cursor:
        for _ in range(args.runs):
            started = time.perf_counter()
            cursor.execute(sql, params)
            groups = cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    raw = statistics.median(times)
    print(f"raw SQL aggregate: median {raw:.1f} ms, p95 {percentile(times, 95):.1f} ms ({len(groups)} groups)")
    deadlines = sel.scoped_deadlines(admin, district_id=district.pk).count()
    print(f"{students:,} students, {deadlines:,} deadlines in the district")
    print(json.dumps({"students": students, "deadlines": deadlines,
                      "dashboard_p50_ms": figures["dashboard"]["p50"], "dashboard_p95_ms": figures["dashboard"]["p95"],
                      "drilldown_p50_ms": figures["drilldown"]["p50"], "drilldown_p95_ms": figures["drilldown"]["p95"],
                      "export_p50_ms": figures["export"]["p50"], "export_p95_ms": figures["export"]["p95"],
                      "export_all_due_soon_p95_ms": figures["export_all"]["p95"],
                      "dashboard_queries": figures["dashboard"]["queries"],
                      "drilldown_queries": figures["drilldown"]["queries"],
                      "export_queries": figures["export"]["queries"], "raw_sql_ms": round(raw, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
