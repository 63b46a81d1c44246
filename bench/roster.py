"""Roster import bench: a Boston-sized synthetic OneRoster 1.1 set into an empty district, again, then a delta.

    DATABASE_URL=postgres://... python -m bench.roster [--size 50000] [--keep]

--size is the number of students (default 50,000, Boston's size); staff are a tenth of it, schools 120 per
50,000 (at least 2), enrollments 8 per student (400,000). Self-seeding: the bench district (code 99000000) is
emptied first, then the generated zip is imported three times: into the empty district, unchanged (must write
zero rows), and a delta with 5% of the students changed or leaving. Peak RSS is the process's maximum resident
set (the generator included). The last line printed is one JSON object.
"""

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BENCH_CODE = "99000000"
SEATS = 25  # students per class; each class also has one teacher enrollment


def _write(folder: Path, name: str, header: list[str], rows) -> None:
    with open(folder / name, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def sizes(students: int) -> dict:
    return {"students": students, "staff": max(4, students // 10), "schools": max(2, students * 120 // 50_000),
            "enrollments": students * 8}


def generate(folder: Path, *, students: int, seed: int = 2026, district_code: str = BENCH_CODE,
             delta_fraction: float = 0.0) -> dict:
    """Write a OneRoster 1.1 bulk set (or, with delta_fraction, a delta of that many students) into `folder`."""
    rng = random.Random(seed)
    n = sizes(students)
    delta = delta_fraction > 0
    mode = "delta" if delta else "bulk"
    manifest = [("manifest.version", "1.0"), ("oneroster.version", "1.1"), ("file.orgs", "bulk" if not delta else
                                                                                   "absent"),
                ("file.users", mode), ("file.demographics", mode), ("file.classes", "absent" if delta else "bulk"),
                ("file.enrollments", "absent" if delta else "bulk"),
                ("file.academicSessions", "absent" if delta else "bulk")]
    _write(folder, "manifest.csv", ["propertyName", "value"], manifest)
    school_ids = [f"org-{i}" for i in range(n["schools"])]
    user_header = ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
                   "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
                   "agentSourcedIds", "grades", "password"]

    def student_row(i, status="active", suffix=""):
        return [f"stu-{i}", status, "2026-08-31T12:00:00Z", "true", school_ids[i % len(school_ids)], "student",
                f"s{i}", "", f"Given{i % 997}", f"Family{i % 1499}{suffix}", "", f"98{i:08d}", "", "", "", "",
                f"{(i % 12) + 1:02d}", ""]

    def born(i):
        return f"{2008 + i % 12}-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}"

    if delta:
        chosen = rng.sample(range(students), int(students * delta_fraction))
        leavers = set(chosen[: len(chosen) // 10])
        _write(folder, "users.csv", user_header,
               (student_row(i, "tobedeleted") if i in leavers else student_row(i, suffix="x") for i in chosen))
        _write(folder, "demographics.csv", ["sourcedId", "status", "dateLastModified", "birthDate"],
               ([f"stu-{i}", "active", "2026-09-15T12:00:00Z", born(i)] for i in chosen if i not in leavers))
        return {"changed": len(chosen) - len(leavers), "left": len(leavers)}

    orgs = [["district-1", "active", "2026-08-31T12:00:00Z", "Bench Roster District", "district", district_code, ""]]
    orgs += [[sid, "active", "2026-08-31T12:00:00Z", f"Bench School {i}", "school", f"{97_000_000 + i:08d}",
              "district-1"] for i, sid in enumerate(school_ids)]
    _write(folder, "orgs.csv", ["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
                                "parentSourcedId"], orgs)

    def users():
        for i in range(students):
            yield student_row(i)
        for t in range(n["staff"]):
            role = "administrator" if t % 40 == 0 else "teacher"
            yield [f"tch-{t}", "active", "2026-08-31T12:00:00Z", "true", school_ids[t % len(school_ids)], role,
                   f"bench.staff{t}", "", f"Staff{t % 211}", f"Member{t}", "", f"T{t}", f"bench.staff{t}@example.org",
                   "", "", "", "", ""]
    _write(folder, "users.csv", user_header, users())
    _write(folder, "demographics.csv", ["sourcedId", "status", "dateLastModified", "birthDate"],
           ([f"stu-{i}", "active", "2026-08-31T12:00:00Z", born(i)] for i in range(students)))
    classes = max(1, n["enrollments"] // (SEATS + 1))
    _write(folder, "classes.csv", ["sourcedId", "status", "dateLastModified", "title", "classCode", "classType",
                                   "location", "courseSourcedId", "grades", "subjects", "schoolSourcedId",
                                   "termSourcedIds"],
           ([f"cls-{c}", "active", "2026-08-31T12:00:00Z", f"Section {c}", "", "scheduled", "", "", "", "",
             school_ids[c % len(school_ids)], "term-1"] for c in range(classes)))

    def enrollments():
        for c in range(classes):
            teacher = c % n["staff"]
            yield [f"enr-t{c}", "active", "2026-08-31T12:00:00Z", f"cls-{c}", school_ids[c % len(school_ids)],
                   f"tch-{teacher}", "teacher", "true", "", ""]
            for seat in range(SEATS):
                student = (c * SEATS + seat) % students
                yield [f"enr-{c}-{seat}", "active", "2026-08-31T12:00:00Z", f"cls-{c}",
                       school_ids[c % len(school_ids)], f"stu-{student}", "student", "", "", ""]
    _write(folder, "enrollments.csv", ["sourcedId", "status", "dateLastModified", "classSourcedId",
                                       "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
                                       "endDate"], enrollments())
    sessions = [["sy-2027", "active", "2026-08-31T12:00:00Z", "2026-2027", "schoolYear", "2026-08-27", "2027-06-16",
                 "", "2027"]]
    quarters = [("2026-08-27", "2026-11-06"), ("2026-11-09", "2027-01-29"), ("2027-02-01", "2027-04-09"),
                ("2027-04-12", "2027-06-16")]
    sessions += [[f"gp-{q + 1}", "active", "2026-08-31T12:00:00Z", f"Quarter {q + 1}", "gradingPeriod", start, end,
                  "sy-2027", "2027"] for q, (start, end) in enumerate(quarters)]
    _write(folder, "academicSessions.csv", ["sourcedId", "status", "dateLastModified", "title", "type", "startDate",
                                            "endDate", "parentSourcedId", "schoolYear"], sessions)
    return {"classes": classes, "enrollments": classes * (SEATS + 1)}


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return target


def empty_district(code: str = BENCH_CODE):
    """The bench district, emptied of everything earlier runs imported (raw SQL: the bench owns it)."""
    from django.db import connection, transaction

    from students.models import District

    district, _ = District.objects.get_or_create(org_code=code, defaults={"name": "Bench Roster District"})
    d = district.pk
    statements = [
        "DELETE FROM roster_enrollment WHERE district_id = %s", "DELETE FROM roster_rosterclass WHERE district_id = %s",
        "DELETE FROM roster_academicsession WHERE district_id = %s",
        "DELETE FROM accounts_historicalroleassignment WHERE district_id = %s",
        "DELETE FROM accounts_roleassignment WHERE district_id = %s",
        "DELETE FROM roster_stafflink WHERE district_id = %s",
        "DELETE FROM students_historicalguardian WHERE student_id IN (SELECT id FROM students_student "
        "WHERE district_id = %s)",
        "DELETE FROM students_guardian WHERE student_id IN (SELECT id FROM students_student WHERE district_id = %s)",
        "DELETE FROM students_historicalstudent WHERE district_id = %s",
        "DELETE FROM students_student WHERE district_id = %s",
        "DELETE FROM accounts_user WHERE district_id = %s",
        "DELETE FROM roster_schoollink WHERE district_id = %s",
        "DELETE FROM students_school WHERE district_id = %s",
        "DELETE FROM roster_importrun WHERE district_id = %s",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [d])
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    return district


def run_import(district, paths: list[Path], *, dry_run: bool = False):
    from django.utils import timezone

    from roster.models import ImportRun
    from roster.services import roster_mapping_default, roster_run_execute

    run = ImportRun.objects.create(district=district, mapping=roster_mapping_default(district=district),
                                   source=ImportRun.Source.COMMAND, dry_run=dry_run, run_date=timezone.localdate())
    started = time.perf_counter()
    run = roster_run_execute(run_id=run.pk, paths=paths)
    elapsed = time.perf_counter() - started
    if run.status != ImportRun.Status.DONE:
        raise SystemExit(f"bench.roster: run {run.pk} {run.status}: {run.message} {run.errors[:3]}")
    return run, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.roster", description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=50_000, help="students (default 50,000)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench.roster measures PostgreSQL's bulk path: set DATABASE_URL=postgres://... (the SQLite path is "
              "tested, not benched)", file=sys.stderr)
    n = sizes(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        full, delta = Path(tmp) / "full", Path(tmp) / "delta"
        full.mkdir()
        delta.mkdir()
        started = time.perf_counter()
        shape = generate(full, students=args.size, seed=args.seed)
        generate(delta, students=args.size, seed=args.seed, delta_fraction=0.05)
        archive = zip_folder(full, Path(tmp) / "roster.zip")
        print(f"generated {n['students']:,} students, {n['staff']:,} staff, {n['schools']} schools, "
              f"{shape['enrollments']:,} enrollments in {time.perf_counter() - started:.1f} s "
              f"({archive.stat().st_size / 1e6:.1f} MB zipped)")
        district = empty_district()
        first, first_s = run_import(district, [archive])
        print(f"first import: {first_s:.1f} s, {first.rows_written:,} rows written; {first.counts}")
        again, again_s = run_import(district, [archive])
        print(f"unchanged re-import: {again_s:.1f} s, {again.rows_written:,} rows written ({again.message})")
        changed, delta_s = run_import(district, [delta])
        print(f"delta (5% of students): {delta_s:.1f} s, {changed.rows_written:,} rows written; {changed.counts}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"students": n["students"], "staff": n["staff"], "enrollments": shape["enrollments"],
                      "first_import_s": round(first_s, 2), "reimport_s": round(again_s, 2),
                      "reimport_rows_written": again.rows_written, "delta_import_s": round(delta_s, 2),
                      "peak_rss_mb": round(peak, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
