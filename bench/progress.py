"""Speed of progress reporting: `python -m bench.progress`.

Self-seeding on the configured database (DATABASE_URL), with files in a temporary MEDIA_ROOT, and deleting what it
made at the end:
- the provider worklist page (GET /progress/worklist/ through Django's test client, session signed in): a provider
  on the Teams of 40 students with 4 goals each (160 goals), half the reports already drafted; p95 over --repeat
  (BENCH_PROGRESS_REPEAT, 30) requests, and the number of queries one request makes (it must not grow with the
  caseload);
- finalising and rendering a period's progress reports for a school of --school (BENCH_PROGRESS_SCHOOL, 500)
  students, 3 goals each, every report ready: the finalising runs here, the PDFs through `celery -A config worker
  -c 2` started as a subprocess (needs REDIS_URL), bounded by --timeout (BENCH_PROGRESS_TIMEOUT, 600) seconds;
  reports per second is documents rendered over the wall-clock time from the first task sent to the last PDF stored.
The last line is one JSON object with worklist_p95_ms, worklist_queries and reports_per_s.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

MEDIA = tempfile.mkdtemp(prefix="bench-progress-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["MEDIA_ROOT"] = MEDIA

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import TeamMembership, User  # noqa: E402
from iep.models import IEP, Section  # noqa: E402
from iep.models.iep import default_end  # noqa: E402
from iep.models.sections import KIND_ORDER  # noqa: E402
from progress.models import MarkingPeriod, ProgressDocument, ProgressReport  # noqa: E402
from progress.services import reports_finalise  # noqa: E402
from students.models import District, School, Student  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Fixture:
    def __init__(self):
        self.tag = secrets.randbelow(10**7)
        self.district = District.objects.create(name=f"Bench District {self.tag}", org_code=f"7{self.tag:07d}",
                                                require_2fa_for_admins=False)
        self.school = School.objects.create(district=self.district, name="Bench School", code=f"6{self.tag:07d}")
        self.chair = User.objects.create(username=f"bench-prog-chair-{self.tag}", first_name="Bench",
                                         last_name="Chair", district=self.district)
        self.provider = User.objects.create(username=f"bench-prog-sped-{self.tag}", first_name="Bench",
                                            last_name="Provider", district=self.district)
        today = timezone.localdate()
        self.period = MarkingPeriod.objects.create(district=self.district, school_year="bench", name="Bench term",
                                                   start=today - timedelta(days=60), end=today,
                                                   report_due=today + timedelta(days=7))
        self.count = 0

    @transaction.atomic
    def students(self, n: int, goals: int, provider: bool, reports: str) -> list[Student]:
        """n students with an accepted IEP in force of `goals` goals each; the chair (and the provider) on their
        Teams; reports: "half" drafted, "ready" all ready, or "none"."""
        today = timezone.localdate()
        made = []
        for _ in range(n):
            self.count += 1
            made.append(Student(district=self.district, school=self.school, first_name=f"Bench{self.count}",
                                last_name=f"Progress{self.tag}", sasid=f"8{self.tag % 10**5:05d}{self.count:04d}",
                                date_of_birth=today.replace(year=today.year - 10), grade="05",
                                primary_disability="specific_learning"))
        students = Student.objects.bulk_create(made)
        members = [TeamMembership(student=s, user=self.chair, team_role="chair") for s in students]
        if provider:
            members += [TeamMembership(student=s, user=self.provider) for s in students]
        TeamMembership.objects.bulk_create(members)
        start = today - timedelta(days=100)
        ieps = IEP.objects.bulk_create([IEP(student=s, status="accepted", start_date=start, end_date=default_end(start))
                                        for s in students])
        rows = Section.objects.bulk_create([
            Section(iep=iep, kind="goal", order=KIND_ORDER["goal"], position=number, version=1, content={
                "area": f"Area {number}", "target": f"Reaches 100 on measure {number}.", "baseline": "At 60.",
                "benchmarks": ["80 by mid-year", "90 by spring"]}) for iep in ieps for number in range(1, goals + 1)])
        by_iep = {iep.pk: iep for iep in ieps}
        reports_made = []
        for index, goal in enumerate(rows):
            iep = by_iep[goal.iep_id]
            if reports == "none" or (reports == "half" and index % 2):
                continue
            ready = reports == "ready"
            reports_made.append(ProgressReport(
                student_id=iep.student_id, iep=iep, goal=goal, period=self.period,
                status="ready" if ready else "draft", revision=1, narrative="Reached 84 on the measure.",
                measured_value=84, measured_on=today - timedelta(days=3),
                benchmarks=[{"text": b, "status": "met"} for b in goal.content["benchmarks"]],
                sufficient="yes" if ready else "", sufficiency_reason="On track." if ready else ""))
        ProgressReport.objects.bulk_create(reports_made)
        return students

    def delete(self):
        Student.objects.filter(district=self.district).delete()
        MarkingPeriod.objects.filter(district=self.district).delete()
        self.school.delete()
        User.objects.filter(pk__in=[self.chair.pk, self.provider.pk]).delete()
        self.district.delete()


def worklist(fixture: Fixture, repeat: int) -> dict:
    fixture.students(40, goals=4, provider=True, reports="half")
    client = Client(HTTP_HOST="localhost")
    client.force_login(fixture.provider)
    client.get("/progress/worklist/")  # warm-up
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get("/progress/worklist/")
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)  # this process's work, whatever else loads the CPU
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/progress/worklist/")
    items = response.content.decode().count('class="app-work-item')
    return {"worklist_p95_ms": round(percentile(times, 0.95), 1),
            "worklist_median_ms": round(statistics.median(times), 1),
            "worklist_cpu_p95_ms": round(percentile(cpu, 0.95), 1), "worklist_queries": len(queries),
            "worklist_items": items}


def school_reports(fixture: Fixture, n: int, timeout: float) -> dict:
    from django.conf import settings

    students = fixture.students(n, goals=3, provider=False, reports="ready")
    started = time.perf_counter()
    documents = [reports_finalise(student=s, period=fixture.period, user=fixture.chair, enqueue=False).pk
                 for s in students]
    finalise_s = time.perf_counter() - started
    if not settings.REDIS_URL:
        return {"reports_per_s": None, "reports_note": "no REDIS_URL: rendering through workers skipped",
                "finalise_per_s": round(n / finalise_s, 1)}
    from config.celery import app
    from progress.tasks import progress_document_render_task

    name = f"bench-progress-{fixture.tag}@{os.uname().nodename}"
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "2", "-P", "prefork",
                               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING",
                               "-n", name], env={**os.environ, "MEDIA_ROOT": MEDIA},
                              cwd=Path(__file__).resolve().parent.parent)
    try:
        ready_by = time.monotonic() + 60
        while not app.control.ping(destination=[name], timeout=0.5):
            if time.monotonic() > ready_by or worker.poll() is not None:
                return {"reports_per_s": None, "reports_note": "the worker did not start"}
        started = time.perf_counter()
        for pk in documents:
            progress_document_render_task.delay(pk)
        done = 0
        while time.perf_counter() - started < timeout:
            done = ProgressDocument.objects.filter(pk__in=documents, status="ready").count()
            if done == len(documents):
                break
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
        return {"reports_per_s": round(done / elapsed, 2), "reports_done": done, "reports_n": len(documents),
                "reports_s": round(elapsed, 1), "finalise_per_s": round(n / finalise_s, 1)}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.progress", description=__doc__.splitlines()[0])
    parser.add_argument("--school", type=int, default=int(os.environ.get("BENCH_PROGRESS_SCHOOL", 500)),
                        help="students of the school whose reports are rendered (default 500)")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_PROGRESS_REPEAT", 30)),
                        help="worklist requests timed (default 30)")
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("BENCH_PROGRESS_TIMEOUT", 600)),
                        help="seconds to wait for the workers (default 600)")
    options = parser.parse_args(argv)
    if options.school < 1 or options.repeat < 1:
        parser.error("--school and --repeat must be at least 1")
    repeat, school, timeout = options.repeat, options.school, options.timeout
    call_command("migrate", verbosity=0)
    fixture = Fixture()
    try:
        result = worklist(fixture, repeat)
        print(f"worklist, 40 students and 160 goals: p95 {result['worklist_p95_ms']} ms, "
              f"{result['worklist_queries']} queries, {result['worklist_items']} reports listed")
        result.update(school_reports(fixture, school, timeout))
        print(f"progress reports of a {school}-student school through 2 worker processes: "
              f"{result.get('reports_per_s')} per second ({result.get('reports_done')}/{result.get('reports_n')})")
        result["load_average_1m"] = round(os.getloadavg()[0], 2)
    finally:
        fixture.delete()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
