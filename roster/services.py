"""Roster runs: store an upload, start a dry run or an apply, execute a run (docs/roster-import.md)."""

import logging
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import User
from jobs.services import outbox_enqueue
from students.models import District, Student

from . import tasks  # noqa: F401 (registers roster_run_task for the outbox)
from .exceptions import RosterInputError, RosterNotAllowed, RosterRowErrors
from .importer import Writer, existing_of, grading_periods
from .models import ImportRun, RosterMapping
from .parse import read_roster
from .sources import RosterSource, max_upload_bytes, open_source, stored_paths

logger = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".zip", ".csv")


def progress_key(run_id: int) -> str:
    return f"roster-run-progress:{run_id}"


def roster_progress(run_id: int) -> tuple[int, str]:
    """(percent, step) of a running run, as last reported (kept in the cache: the run's own row is only
    written when it ends, because its work is one transaction that other connections cannot see into)."""
    value = cache.get(progress_key(run_id))
    return tuple(value) if value else (0, "waiting for a worker")


def roster_mapping_default(*, district: District) -> RosterMapping:
    """The district's "Default" mapping (SASID from the identifier column, the default role table)."""
    mapping, _ = RosterMapping.objects.get_or_create(district=district, name="Default")
    return mapping


def roster_upload_store(*, files: list) -> str:
    """Save uploaded files (a zip, or CSV files) under MEDIA_ROOT/roster/<random>/; returns that folder.

    Only the base name is kept and only .zip/.csv are accepted, so an upload cannot name a path; the size
    limit (ROSTER_MAX_UPLOAD_MB) applies to each file and to the whole upload.
    """
    if not files:
        raise RosterInputError("Choose the roster files to upload (a zip, or CSV files).")
    total = sum(f.size for f in files)
    if total > max_upload_bytes():
        raise RosterInputError(f"The upload is larger than {settings.ROSTER_MAX_UPLOAD_MB} MB.")
    names = set()
    for upload in files:
        name = Path(upload.name or "").name
        if not name.lower().endswith(UPLOAD_SUFFIXES) or name.startswith("."):
            raise RosterInputError(f"{name or 'A file'} is neither a .zip nor a .csv file.")
        if name.lower() in names:
            raise RosterInputError(f"Two files are named {name}.")
        names.add(name.lower())
    relative = f"roster/{uuid.uuid4().hex}"
    folder = Path(settings.MEDIA_ROOT) / relative
    folder.mkdir(parents=True, exist_ok=True)
    for upload in files:
        with open(folder / Path(upload.name).name, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    return relative


@transaction.atomic
def roster_run_start(*, district: District, user: User | None, mapping: RosterMapping, upload_dir: str,
                     dry_run: bool = True, applied_from: ImportRun | None = None) -> ImportRun:
    """Record a run and queue it (the outbox sends it to a worker after commit)."""
    if mapping.district_id != district.pk:
        raise RosterNotAllowed("That mapping belongs to another district.")
    run = ImportRun.objects.create(district=district, started_by=user, mapping=mapping, upload_dir=upload_dir,
                                   dry_run=dry_run, applied_from=applied_from, run_date=timezone.localdate())
    cache.set(progress_key(run.pk), (0, "queued"), 3600)
    outbox_enqueue(task="roster.tasks.roster_run_task", args=[run.pk])
    return run


def roster_apply_start(*, dry_run: ImportRun, user: User | None) -> ImportRun:
    """Apply the files of a finished, error-free dry run (same files, same mapping)."""
    if not dry_run.dry_run or dry_run.status != ImportRun.Status.DONE:
        raise RosterNotAllowed("Only a finished dry run without errors can be applied.")
    if not dry_run.upload_dir:
        raise RosterNotAllowed("This run's files were not uploaded here; run the command again without --dry-run.")
    return roster_run_start(district=dry_run.district, user=user, mapping=dry_run.mapping or roster_mapping_default(
        district=dry_run.district), upload_dir=dry_run.upload_dir, dry_run=False, applied_from=dry_run)


def roster_run_execute(*, run_id: int, paths: list[Path] | None = None,
                       progress: Callable[[int, str], None] | None = None) -> ImportRun:
    """Execute one run: read and check the files, write everything in ONE transaction, record the outcome.

    All or nothing: any invalid row (or a database refusal) rolls the whole transaction back, and a dry run
    always rolls back, after counting exactly what an apply would write. The district's row is locked for the
    transaction, so two runs for one district never interleave. A finished run is never executed again (a
    duplicate delivery of the task returns it as it is).
    """
    run = ImportRun.objects.select_related("district", "mapping", "applied_from").get(pk=run_id)
    if run.finished:
        return run

    def report(percent: int, step: str) -> None:
        cache.set(progress_key(run.pk), (percent, step), 3600)
        if progress is not None:
            progress(percent, step)

    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    run.status = ImportRun.Status.RUNNING
    source: RosterSource | None = None
    try:
        report(5, "reading files")
        source = open_source(paths or stored_paths(run.upload_dir))
        run.files = source.describe()
        if run.applied_from and _hashes(run.files) != _hashes(run.applied_from.files):
            raise RosterInputError("The files changed since the dry run; run a new dry run.")
        mapping = run.mapping or roster_mapping_default(district=run.district)
        report(15, "checking rows")
        roster = read_roster(source, mapping, existing_of(run.district))
        run.format, run.mode = roster.format, roster.mode
        for code, file, line in roster.district_codes:
            if code != run.district.org_code:
                roster.error(file, line, f"district code {code!r} is not the code of {run.district.name} "
                                         f"({run.district.org_code}): these files are for another district")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # A crash in the moment after commit may lose the import (then run it again); it never leaves
                # half of one. Not waiting for the WAL flush of half a million rows saves seconds.
                # No nested loops: an INSERT ... WHERE NOT EXISTS (SELECT FROM the same table) planned as a
                # nested loop over a fresh, empty table re-reads every row the statement has inserted so far, for
                # every row (quadratic); hash anti-joins read the table once. Every statement here is set-sized.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                    cursor.execute("SET LOCAL enable_nestloop TO OFF")
            District.objects.select_for_update().filter(pk=run.district_id).first()
            writer = Writer(run=run, roster=roster, progress=report, mirror_unchanged_since=_same_files_applied(run))
            if roster.error_count == 0:
                writer.write()
            elif roster.enrollment_file is not None:
                writer.check_enrollments()  # list every enrollment error too, without writing
            errors = roster.errors + writer.errors
            if errors:
                raise RosterRowErrors(errors)
            if run.dry_run:
                transaction.set_rollback(True)
        run.counts, run.rows_written = writer.counts, writer.rows_written
        run.grading_periods = grading_periods(roster)
        run.status = ImportRun.Status.DONE
        run.message = _summary(run)
    except RosterInputError as exc:
        run.status, run.message = ImportRun.Status.INVALID, str(exc)
        run.errors, run.error_count = [{"file": "", "line": 0, "message": str(exc)}], 1
    except RosterRowErrors as exc:
        run.status = ImportRun.Status.INVALID
        run.errors = exc.errors[:10_000]
        run.error_count = max(len(exc.errors), roster.error_count)
        run.message = (f"{run.error_count} row error(s): nothing was written. Correct the files and run a dry "
                       "run again.")
    except DatabaseError as exc:
        run.status = ImportRun.Status.FAILED
        run.message = f"The database refused the import, so nothing was written: {str(exc).splitlines()[0][:300]}"
        run.errors, run.error_count = [{"file": "", "line": 0, "message": run.message}], 1
    except Exception as exc:  # a defect: record it on the run (it never stays "running"); no row data in the log
        run.status = ImportRun.Status.FAILED
        run.message = "The import stopped on an unexpected error; nothing was written."
        run.errors, run.error_count = [{"file": "", "line": 0, "message": run.message}], 1
        logger.error("roster run %s failed: %s", run.pk, type(exc).__name__, extra={"roster_run": run.pk})
    finally:
        if source is not None:
            source.close()
    if run.status == ImportRun.Status.DONE and not run.dry_run and run.rows_written >= VACUUM_AFTER_ROWS:
        _vacuum()
    run.finished_at = timezone.now()
    run.save()
    report(100, run.get_status_display())
    logger.info("roster run %s %s: %s rows written, %s errors", run.pk, run.status, run.rows_written,
                run.error_count, extra={"roster_run": run.pk, "district_id": run.district_id})
    return run


VACUUM_AFTER_ROWS = 20_000


def _vacuum() -> None:
    """PostgreSQL, after a large import: VACUUM ANALYZE the tables it filled, as autovacuum would a minute later.
    Until then every later read (the next import's comparisons, the student list) first has to set the hint bits
    of hundreds of thousands of fresh rows and plans with stale statistics. Not possible inside a transaction
    (e.g. when the caller wraps the run in one): skipped there."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    from accounts.models import RoleAssignment

    from .models import Enrollment, RosterClass, StaffLink

    with connection.cursor() as cursor:
        for model in (Student, Student.history.model, User, StaffLink, RoleAssignment, RosterClass, Enrollment):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")


def _same_files_applied(run: ImportRun) -> ImportRun | None:
    """The district's latest applied run, if it read byte-for-byte the same files with the same mapping.

    Classes, enrollments and academic sessions are mirror data only imports write, so after such a run they are
    already exactly what these files say: comparing 400,000 enrollments again would write nothing. Students,
    staff, guardians and roles are compared every time (they can be edited in the app)."""
    previous = (ImportRun.objects.filter(district_id=run.district_id, dry_run=False, status=ImportRun.Status.DONE)
                .exclude(pk=run.pk).order_by("-pk").first())
    if previous and previous.mapping_id == run.mapping_id and _hashes(previous.files) == _hashes(run.files):
        return previous
    return None


def _hashes(files: list[dict]) -> list[tuple[str, str]]:
    return sorted((f["name"], f["sha256"]) for f in files)


def _summary(run: ImportRun) -> str:
    if run.counts.get("mirror", {}).get("unchanged_since_run"):
        since = (" (classes, enrollments and sessions: the same files as run "
                 f"{run.counts['mirror']['unchanged_since_run']})")
    else:
        since = ""
    return _summary_text(run).removesuffix(".") + since + "."


def _summary_text(run: ImportRun) -> str:
    if run.rows_written == 0:
        return ("Dry run: applying these files would change nothing." if run.dry_run else
                "No changes: the files match what the district already holds, and nothing was written.")
    verb = "would write" if run.dry_run else "wrote"
    return f"{'Dry run: ' if run.dry_run else ''}the import {verb} {run.rows_written:,} rows."
