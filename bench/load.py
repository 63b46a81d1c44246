"""Load as staff work: `python -m bench.load`.

    python -m bench.load [--districts 20] [--students 10000] [--users 50] [--seconds 60] [--workers 4]

Needs PostgreSQL in DATABASE_URL and Redis in REDIS_URL. Seeds statewide data when missing (bench/statewide.py:
`--districts` districts of `--students` students, with IEPs and deadlines), collects static files, then starts on
loopback, with the production settings (DJANGO_ENV=production, the connection pool on): gunicorn
(`config/gunicorn.py`, `--workers` processes) and one Celery worker for the jobs the pages queue. Locust
(bench/locustfile.py) then plays `--users` staff members of those districts, each signed in with their own
account, for `--seconds` seconds, twice:
  - paced: 0.5-1.5 s between actions, as people work (bars: no errors; p95 under 250 ms for every page view but
    the PDF request);
  - unpaced: no pauses, to find the saturation throughput (bar: at least 100 requests/s on the 2-core machine).
Prints each page's p50/p95 and request count, the errors, the throughput, and the SQL queries of one view of each
page (counted in this process with Django's test client). The last line is one JSON object with `users`, `errors`,
`p95_ms_max` (the largest p95 over page views, PDF requests aside), `max_rps`, and a p95 per page.
Bounded: each run stops after `--seconds`; every process it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDF = "PDF request"
ROLE_MIX = ["special_educator"] * 4 + ["general_educator"] * 3 + ["team_chair"] * 2 + ["building_admin"] + \
    ["district_admin"]


def _key(name: str) -> str:
    """A page's name as a JSON key: "IEP at a glance" -> "iep_at_a_glance"."""
    return re.sub(r"[^a-z0-9]+", "_", name.split(" (")[0].lower()).strip("_")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"bench.load: the server on port {port} did not start")


def build_plan(district_ids: list[int], users: int) -> dict:
    """`users` staff accounts across the districts (roles mixed as in a district), each with the students, IEPs
    and (for Team members) draft sections of their own that the Locust users act on."""
    from django.urls import reverse

    from accounts import access
    from accounts.models import RoleAssignment, TeamMembership
    from iep.models import IEP, Section
    from students.demo import DEMO_PASSWORD

    accounts, taken = [], set()
    for index in range(users):
        role, district_id = ROLE_MIX[index % len(ROLE_MIX)], district_ids[index % len(district_ids)]
        assignment = (RoleAssignment.objects.filter(role=role, district_id=district_id, user__is_active=True)
                      .exclude(user_id__in=[a["user_id"] for a in accounts]).select_related("user")
                      .order_by("user_id").first())
        if assignment is None:
            continue
        user = assignment.user
        if role in ("building_admin", "district_admin"):
            students = list(access.visible_students(user).order_by("pk").values_list("pk", "last_name")[:40])
        else:
            team = TeamMembership.objects.filter(user=user).values("student_id")
            students = list(access.visible_students(user).filter(pk__in=team).order_by("pk")
                            .values_list("pk", "last_name")[:40])
        if not students:
            continue
        ids = [pk for pk, _name in students]
        ieps = list(IEP.objects.filter(student_id__in=ids).order_by("-pk").values_list("pk", flat=True)[:40])
        sections = []
        if role not in ("building_admin", "district_admin"):
            for section in (Section.objects.filter(iep__student_id__in=ids, iep__status=IEP.Status.DRAFT, kind="vision")
                            .exclude(pk__in=taken).order_by("pk")[:3]):
                taken.add(section.pk)
                sections.append(section)
        dashboard = {"team_chair": reverse("dashboard:caseload"),
                     "building_admin": reverse("dashboard:school", args=[assignment.school_id or 0]),
                     "district_admin": reverse("dashboard:district", args=[district_id])}.get(
                         role, reverse("dashboard:teams"))
        accounts.append({"user_id": user.pk, "username": user.username, "role": role, "students": ids,
                         "names": sorted({name[:4] for _pk, name in students}), "ieps": ieps or [0],
                         "sections": [s.pk for s in sections], "versions": {s.pk: s.version for s in sections},
                         "dashboard": dashboard})
    return {"password": DEMO_PASSWORD, "accounts": accounts}


def count_queries(plan: dict) -> dict[str, int]:
    """SQL queries of one view of each page, as the first planned user of each kind sees it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from accounts.models import User

    try:
        setup_test_environment()  # the test client's host is allowed
    except RuntimeError:
        pass  # already set up: the bench runs inside the test suite
    member = next((a for a in plan["accounts"] if a["sections"]), plan["accounts"][0])
    client = Client()
    client.force_login(User.objects.get(pk=member["user_id"]))
    pages = {"IEP page": f"/ieps/{member['ieps'][0]}/", "IEP at a glance": f"/ieps/{member['ieps'][0]}/glance/",
             "student list": "/students/", "student search": f"/students/?q={member['names'][0]}",
             "timeline": f"/students/{member['students'][0]}/timeline/", "caseload or dashboard": member["dashboard"],
             "other (dashboard index)": "/dashboard/"}
    counts = {}
    for name, path in pages.items():
        client.get(path)  # warm per-process caches, as a running server has them
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"bench.load: {name} answered {status} before the run")
        counts[name] = len(captured)
    return counts


def run_locust(*, port: int, plan_path: str, users: int, seconds: int, paced: bool, out: str) -> dict:
    env = {**os.environ, "BENCH_LOAD_PLAN": plan_path, "BENCH_LOAD_PACED": "1" if paced else "0"}
    subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                    "--users", str(users), "--spawn-rate", str(max(1, users // 2)), "--run-time", f"{seconds}s",
                    "--stop-timeout", "10", "--host", f"http://127.0.0.1:{port}", "--csv", out, "--only-summary",
                    "--loglevel", "WARNING"], cwd=ROOT, env=env, check=False, timeout=seconds + 120,
                   stdout=subprocess.DEVNULL)
    pages, total = {}, {}
    with open(f"{out}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            entry = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                     "p50_ms": float(row["50%"] or 0), "p95_ms": float(row["95%"] or 0),
                     "rps": float(row["Requests/s"] or 0)}
            if row["Name"] == "Aggregated":
                total = entry
            else:
                pages[row["Name"]] = entry
    return {"pages": pages, "total": total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=20)
    parser.add_argument("--students", type=int, default=10_000, help="students per district")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60, help="length of each of the two runs")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    args = parser.parse_args(argv)
    if min(args.districts, args.students, args.users, args.seconds, args.workers) < 1:
        print("bench.load: every size must be at least 1", file=sys.stderr)
        return 2
    if not os.environ.get("REDIS_URL"):
        print("bench.load needs Redis (the pages queue jobs): set REDIS_URL=redis://...", file=sys.stderr)
        return 2
    from bench.setup import django_ready

    if not django_ready("load"):
        return 2
    from django.db import connection

    from bench.statewide import ensure_statewide

    state = ensure_statewide(districts=args.districts, students=args.students)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    plan = build_plan(state.district_ids, args.users)
    if not plan["accounts"]:
        print("bench.load: no staff accounts to play", file=sys.stderr)
        return 2
    queries = count_queries(plan)
    workdir = tempfile.mkdtemp(prefix="bench-load-")
    plan_path = os.path.join(workdir, "plan.json")
    Path(plan_path).write_text(json.dumps(plan))
    port = _free_port()
    server_env = {**os.environ, "DJANGO_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                  "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_POOL": "true", "GUNICORN_BIND": f"127.0.0.1:{port}",
                  "GUNICORN_WORKERS": str(args.workers), "MEDIA_ROOT": os.path.join(workdir, "media"),
                  "LOG_LEVEL": "WARNING"}
    # The production settings serve hashed static files from a manifest that only collectstatic writes.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT,
                   env=server_env, check=True)
    server_log = open(os.path.join(workdir, "server.log"), "w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py",
                               "config.wsgi:application", "--access-logfile", "/dev/null"],
                              cwd=ROOT, env=server_env, stdout=server_log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "1",
                               "--loglevel", "WARNING"], cwd=ROOT, env=server_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        runs = {}
        for label, paced in (("paced", True), ("unpaced", False)):
            runs[label] = run_locust(port=port, plan_path=plan_path, users=len(plan["accounts"]),
                                     seconds=args.seconds, paced=paced, out=os.path.join(workdir, label))
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    paced = runs["paced"]
    if any(run["total"].get("failures") for run in runs.values()):
        print("server log (last lines):\n" + "".join(open(os.path.join(workdir, "server.log")).readlines()[-20:]))
    for label, run in runs.items():
        print(f"{label}: {run['total'].get('requests', 0):,} requests, {run['total'].get('failures', 0)} errors, "
              f"{run['total'].get('rps', 0):.1f} requests/s")
        for name, page in sorted(run["pages"].items()):
            print(f"  {name:<26} n={page['requests']:6d}  p50 {page['p50_ms']:7.0f} ms  p95 {page['p95_ms']:7.0f} ms"
                  f"  failures {page['failures']}" + (f"  queries {queries[name]}" if name in queries else ""))
    views = {name: page for name, page in paced["pages"].items() if name not in (PDF, "sign in", "sign-in page")}
    result = {
        "districts": args.districts, "students": state.students, "users": len(plan["accounts"]),
        "seconds": args.seconds, "errors": sum(run["total"].get("failures", 0) for run in runs.values()),
        "p95_ms_max": max((page["p95_ms"] for page in views.values()), default=0),
        "paced_rps": paced["total"].get("rps", 0), "max_rps": runs["unpaced"]["total"].get("rps", 0),
        **{f"p95_ms_{_key(name)}": page["p95_ms"] for name, page in paced["pages"].items()},
        **{f"queries_{_key(name)}": count for name, count in queries.items()},
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
