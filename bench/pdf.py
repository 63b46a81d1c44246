"""Speed of the printed documents: `python -m bench.pdf`.

Measures, on the configured database (DATABASE_URL; SQLite by default), with files in a temporary MEDIA_ROOT:
- a meeting summary (4 goals, 6 service lines) and a full IEP (10 goals, 12 service lines) rendered in one warm
  process: context + HTML + PDF, each on a distinct IEP (decision 12: no cache hits), median and p95;
- a repeated request for an unchanged document answered from the stored file (the cache);
- a batch of summaries through `celery -A config worker -c 2` started as a subprocess (needs REDIS_URL),
  bounded by BENCH_PDF_TIMEOUT seconds;
- Chromium's time for the same HTML (`chromium_summary_ms`) when /usr/bin/chromium exists.
Sizes: BENCH_PDF_SUMMARIES (30), BENCH_PDF_FULL (10), BENCH_PDF_BATCH (200). The bench's rows are deleted
at the end. The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

MEDIA = tempfile.mkdtemp(prefix="bench-pdf-")
os.environ["MEDIA_ROOT"] = MEDIA

from bench.setup import django_ready  # noqa: E402

django_ready("pdf", postgres=False)  # PDFs are measured on whichever database DATABASE_URL names

from django.db import transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from iep.models import IEP, RenderedDocument, Section  # noqa: E402
from iep.pdf.context import build_context  # noqa: E402
from iep.pdf.render import render_html, render_pdf  # noqa: E402
from iep.pdf.sample import sample_iep  # noqa: E402
from iep.pdf.services import document_render, document_request  # noqa: E402
from students.models import District, School, Student  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Fixture:
    """A bench district: one template IEP per size, cloned onto distinct students in bulk."""

    def __init__(self):
        tag = secrets.randbelow(10**7)
        self.district = District.objects.create(name=f"Bench District {tag}", org_code=f"9{tag:07d}")
        self.school = School.objects.create(district=self.district, name="Bench School", code=f"8{tag:07d}")
        self.user = User.objects.create(username=f"bench-chair-{tag}", first_name="Bench", last_name="Chair")
        self.tag, self.count = tag, 0
        # The district's school calendar, so the next steps carry real dates as a district's would.
        from timelines.engine.demo_calendar import massachusetts_calendar
        from timelines.services import calendar_import

        calendar_import(district=self.district, data=massachusetts_calendar(2025))

    def students(self, n: int) -> list[Student]:
        made = []
        for _ in range(n):
            self.count += 1
            made.append(Student(district=self.district, school=self.school, first_name=f"Bench{self.count}",
                                last_name=f"Student{self.tag}", sasid=f"9{self.tag % 10**5:05d}{self.count:04d}",
                                date_of_birth=date(2015, 3, 14), grade="05", primary_disability="specific_learning"))
        return Student.objects.bulk_create(made)

    @transaction.atomic
    def ieps(self, n: int, goals: int, lines: int) -> list[IEP]:
        """n IEPs like sample_iep(goals, lines), each of its own student: one built by the services, the
        others copied from it in bulk (goal ids in the grid remapped to each copy's goals)."""
        template = sample_iep(student=self.students(1)[0], user=self.user, goals=goals, lines=lines)
        sections = list(template.sections.all())
        copies = []
        for student in self.students(n - 1):
            copy = IEP.objects.get(pk=template.pk)
            copy.pk, copy.student = None, student
            copies.append(copy)
        copies = IEP.objects.bulk_create(copies)
        goal_rows = [Section(iep=copy, kind="goal", order=s.order, position=s.position, content=s.content,
                             version=s.version) for copy in copies for s in sections if s.kind == "goal"]
        goal_rows = Section.objects.bulk_create(goal_rows)
        template_goals = {s.position: s.pk for s in sections if s.kind == "goal"}
        new_goals: dict[int, dict[int, int]] = {}
        for goal in goal_rows:
            new_goals.setdefault(goal.iep_id, {})[template_goals[goal.position]] = goal.pk
        others = []
        for copy in copies:
            for s in sections:
                if s.kind == "goal":
                    continue
                content = s.content
                if s.kind == "service_grid":
                    mapping = new_goals[copy.pk]
                    content = {"lines": [{**line, "goals": [mapping[g] for g in line["goals"]]}
                                         for line in content.get("lines", [])]}
                others.append(Section(iep=copy, kind=s.kind, order=s.order, content=content, version=s.version))
        Section.objects.bulk_create(others)
        return [template, *copies]

    def delete(self):
        RenderedDocument.objects.filter(iep__student__district=self.district).delete()
        Student.objects.filter(district=self.district).delete()
        self.school.delete()
        self.district.delete()
        self.user.delete()


CPU: dict[str, list[float]] = {}


def time_renders(ieps: list[IEP], kind: str) -> list[float]:
    """Wall-clock ms per document; the process's CPU ms go to CPU[kind] (the work, without other load)."""
    times, cpu = [], CPU.setdefault(kind, [])
    for iep in ieps:
        started, started_cpu = time.perf_counter(), time.process_time()
        render_pdf(render_html(build_context(iep, kind)))
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return times


def cached_request_ms(fixture: Fixture, iep: IEP, repeats: int = 20) -> list[float]:
    document, _ = document_request(iep=iep, kind="summary", user=fixture.user)
    document_render(document_id=document.pk)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        again, must_render = document_request(iep=iep, kind="summary", user=fixture.user)
        times.append((time.perf_counter() - started) * 1000)
        assert again.pk == document.pk and again.is_ready and not must_render
    return times


def batch(fixture: Fixture, n: int, timeout: float) -> dict:
    from django.conf import settings

    if not settings.REDIS_URL:
        return {"batch_note": "no REDIS_URL: batch skipped"}
    from iep.tasks import iep_pdf_render_task

    ieps = fixture.ieps(n, goals=4, lines=6)
    documents = [document_request(iep=iep, kind="summary", user=fixture.user)[0] for iep in ieps]
    env = {**os.environ, "MEDIA_ROOT": MEDIA}
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "2", "-P", "prefork",
                               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING",
                               "-n", f"bench-pdf-{fixture.tag}@%h"],
                              env=env, cwd=Path(__file__).resolve().parent.parent)
    try:
        from config.celery import app

        ready_by = time.monotonic() + 60
        while not app.control.ping(destination=[f"bench-pdf-{fixture.tag}@{os.uname().nodename}"], timeout=0.5):
            if time.monotonic() > ready_by or worker.poll() is not None:
                return {"batch_note": "the worker did not start"}
        ids = [document.pk for document in documents]
        started = time.perf_counter()
        for pk in ids:
            iep_pdf_render_task.delay(pk)
        done = 0
        while time.perf_counter() - started < timeout:
            done = RenderedDocument.objects.filter(pk__in=ids, status="ready").count()
            if done == len(ids):
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        render_ms = list(RenderedDocument.objects.filter(pk__in=ids, render_ms__isnull=False)
                         .values_list("render_ms", flat=True))
        return {"batch_n": len(ids), "batch_done": done, "batch_s": round(elapsed, 2),
                "batch_render_median_ms": statistics.median(render_ms) if render_ms else None,
                "batch_per_s": round(done / elapsed, 2)}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def chromium_ms(html: str) -> float | None:
    chromium = "/usr/bin/chromium"
    if not os.path.exists(chromium):
        return None
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "summary.html", Path(folder) / "summary.pdf"
        source.write_text(html)
        started = time.perf_counter()
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={target}",
                        source.as_uri()], check=True, capture_output=True, timeout=60)
        return (time.perf_counter() - started) * 1000


def main() -> None:
    summaries = int(os.environ.get("BENCH_PDF_SUMMARIES", 30))
    fulls = int(os.environ.get("BENCH_PDF_FULL", 10))
    batch_n = int(os.environ.get("BENCH_PDF_BATCH", 200))
    timeout = float(os.environ.get("BENCH_PDF_TIMEOUT", 240))
    fixture = Fixture()
    try:
        warm = fixture.ieps(3, goals=4, lines=6)
        time_renders(warm, "summary")  # warm-up: fonts loaded, templates compiled
        CPU.clear()
        summary = time_renders(fixture.ieps(summaries, goals=4, lines=6), "summary")
        full_ieps = fixture.ieps(fulls, goals=10, lines=12)
        full = time_renders(full_ieps, "full")
        cache = cached_request_ms(fixture, warm[0])
        result = {
            "summary_median_ms": round(statistics.median(summary), 1),
            "summary_p95_ms": round(percentile(summary, 0.95), 1),
            "full_iep_median_ms": round(statistics.median(full), 1),
            "full_iep_p95_ms": round(percentile(full, 0.95), 1),
            "summary_cpu_median_ms": round(statistics.median(CPU["summary"]), 1),
            "full_iep_cpu_median_ms": round(statistics.median(CPU["full"]), 1),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "cached_request_median_ms": round(statistics.median(cache), 2),
            "cached_request_p95_ms": round(percentile(cache, 0.95), 2),
            "summaries": summaries, "full_ieps": fulls,
        }
        print(f"summary (4 goals, 6 lines), {summaries} distinct IEPs: median {result['summary_median_ms']} ms,"
              f" p95 {result['summary_p95_ms']} ms")
        print(f"full IEP (10 goals, 12 lines), {fulls} distinct IEPs: median {result['full_iep_median_ms']} ms,"
              f" p95 {result['full_iep_p95_ms']} ms")
        print(f"CPU time per document (this process only): summary {result['summary_cpu_median_ms']} ms, full IEP"
              f" {result['full_iep_cpu_median_ms']} ms; load average {result['load_average_1m']} on"
              f" {os.cpu_count()} CPUs")
        print(f"cached request: median {result['cached_request_median_ms']} ms,"
              f" p95 {result['cached_request_p95_ms']} ms")
        chromium = chromium_ms(render_html(build_context(warm[1], "summary")))
        if chromium is not None:
            result["chromium_summary_ms"] = round(chromium, 1)
        result.update(batch(fixture, batch_n, timeout))
        if "batch_per_s" in result:
            print(f"batch: {result['batch_done']}/{result['batch_n']} summaries through 2 workers in "
                  f"{result['batch_s']} s = {result['batch_per_s']}/s")
        else:
            result["batch_per_s"] = None
            print(result["batch_note"])
    finally:
        fixture.delete()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
