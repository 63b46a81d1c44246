"""Bench: how fast is role-scoped access at district scale (issue 3).

    python -m bench.access [--students 200000] [--repeat 200] [--seed 7] [--explain]

Needs PostgreSQL in DATABASE_URL. Seeds the demo district with students.demo.seed_people when it holds fewer
students than asked. Times, over distinct users where the district has enough of them:
  - a teacher's visible students: first page of 25 ordered by name, plus the count (what the list page runs),
  - a building administrator's, the same,
  - one `can(user, "view", student)` check on a fresh user object (no per-request cache).
Prints p50/p95 and the number of SQL queries of each; the last line is one JSON object.
Targets: teacher list at most 2 queries and p95 under 10 ms at 200,000 students.
"""

import argparse
import json
import random
import statistics
import sys
import time


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plan of the teacher list")
    args = parser.parse_args(argv)

    from bench.setup import django_ready

    if not django_ready("access"):
        return 2
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts import access
    from accounts.models import Role, TeamMembership, User
    from students.demo import DEMO_DISTRICT_CODE, seed_people
    from students.models import Student

    have = Student.objects.filter(district__org_code=DEMO_DISTRICT_CODE).count()
    if have < args.students:
        print(f"seeding: {have} -> {args.students} students ...", flush=True)
        started = time.perf_counter()
        seed_people(students=args.students, seed=args.seed)
        print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
    total = Student.objects.count()
    rng = random.Random(args.seed)
    access.view_student_permission_id()  # once per process, as in a server

    def users_with(role: str) -> list[int]:
        ids = list(User.objects.filter(district__org_code=DEMO_DISTRICT_CODE, is_active=True,
                                       role_assignments__role=role).values_list("pk", flat=True).distinct())
        rng.shuffle(ids)
        return ids

    teachers = [pk for pk in users_with(Role.GENERAL_EDUCATOR) + users_with(Role.SPECIAL_EDUCATOR)]
    admins = users_with(Role.BUILDING_ADMIN)
    if not teachers or not admins:
        print("the demo district has no teachers or building administrators", file=sys.stderr)
        return 2

    def time_list(user_ids: list[int]) -> tuple[list[float], int, int]:
        timings, queries, seen = [], 0, 0
        for index in range(args.repeat):
            user = User.objects.get(pk=user_ids[index % len(user_ids)])  # what the auth middleware loads
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                visible = access.visible_students(user)
                page = list(visible.order_by("last_name", "first_name", "pk")[:25])
                count = visible.count()
                timings.append((time.perf_counter() - started) * 1000)
            queries = max(queries, len(captured))
            seen = max(seen, count, len(page))
        return timings, queries, seen

    def time_check() -> tuple[list[float], int]:
        pairs = list(TeamMembership.objects.filter(user_id__in=teachers[: args.repeat])
                     .values_list("user_id", "student_id")[: args.repeat * 5])
        rng.shuffle(pairs)
        timings, queries = [], 0
        for user_id, student_id in pairs[: args.repeat]:
            user, student = User.objects.get(pk=user_id), Student.objects.get(pk=student_id)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                allowed = access.can(user, "view", student)
                timings.append((time.perf_counter() - started) * 1000)
            assert allowed, "a Team member must see the student"
            queries = max(queries, len(captured))
        return timings, queries

    teacher_ms, teacher_queries, teacher_seen = time_list(teachers)
    admin_ms, admin_queries, admin_seen = time_list(admins)
    check_ms, check_queries = time_check()

    def line(label, values, queries, extra=""):
        print(f"{label:<28} p50 {statistics.median(values):7.2f} ms   p95 {_percentile(values, 0.95):7.2f} ms   "
              f"queries {queries}{extra}")

    print(f"students in the database: {total}; {len(set(teachers))} teachers, {len(admins)} building admins; "
          f"{args.repeat} repetitions each")
    line("teacher list (25 + count)", teacher_ms, teacher_queries, f"   up to {teacher_seen} students visible")
    line("building admin list", admin_ms, admin_queries, f"   up to {admin_seen} students visible")
    line("can(user, 'view', student)", check_ms, check_queries)
    if args.explain:
        user = User.objects.get(pk=teachers[0])
        with connection.cursor() as cursor:
            sql, params = access.visible_students(user).order_by("last_name", "first_name", "pk")[:25].query \
                .sql_with_params()
            cursor.execute("EXPLAIN ANALYZE " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
    print(json.dumps({
        "students": total,
        "repeat": args.repeat,
        "teacher_list_p50_ms": round(statistics.median(teacher_ms), 2),
        "teacher_list_p95_ms": round(_percentile(teacher_ms, 0.95), 2),
        "teacher_list_queries": teacher_queries,
        "building_admin_list_p50_ms": round(statistics.median(admin_ms), 2),
        "building_admin_list_p95_ms": round(_percentile(admin_ms, 0.95), 2),
        "building_admin_list_queries": admin_queries,
        "perm_check_p50_ms": round(statistics.median(check_ms), 2),
        "perm_check_p95_ms": round(_percentile(check_ms, 0.95), 2),
        "perm_check_queries": check_queries,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
