"""Writes of progress reporting (docs/progress-reports.md). Keyword-only arguments; refusals from exceptions.py;
roles are the doors' question (accounts.access)."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import TeamMembership, User
from iep.models import IEP, Section
from iep.services.locks import lease_release, lease_renew, lease_take
from jobs.services import outbox_enqueue
from students.models import District, Guardian, School, Student
from timelines.models import Deadline
from timelines.services import deadline_status

from .exceptions import InvalidInput, NotReady, ReportFinalised, ReportLocked, StaleReport
from .models import (
    GoalPlan,
    MarkingPeriod,
    ProgressDocument,
    ProgressReport,
    ProgressSchedule,
    ReportLock,
    sha256_hex,
)
from .selectors import goals_in_force, iep_in_force, periods_owed, student_period_reports

YEAR = re.compile(r"^(\d{4})-(\d{2})$")
NARRATIVE_MAX, REASON_MAX, STEPS_MAX, NOTE_MAX = 4000, 2000, 2000, 500
PROGRESS_KEY = "progress_report"
PROGRESS_CITATION = "603 CMR 28.07(3); 34 CFR 300.320(a)(3)"


# ---------------------------------------------------------------- marking periods

def _check_period(*, district: District, school: School | None, iep: IEP | None, school_year: str, name: str,
                  start, end, report_due, exclude_pk: int | None = None, others: list | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the period a name (e.g. Term 1)."]
    elif len(name) > 60:
        errors["name"] = ["At most 60 characters."]
    match = YEAR.match(school_year or "")
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        errors["school_year"] = ["Write the school year as YYYY-YY, e.g. 2025-26."]
    for key, value in (("start", start), ("end", end), ("report_due", report_due)):
        if not isinstance(value, date):
            errors[key] = ["Enter a valid date."]
    if school is not None and school.district_id != district.pk:
        errors["school"] = ["That school is not in this district."]
    if errors:
        raise InvalidInput(errors)
    if end < start:
        errors["end"] = ["The period ends before it starts."]
    if report_due < start:
        errors["report_due"] = ["The report date is before the period starts."]
    if errors:
        raise InvalidInput(errors)
    same_scope = MarkingPeriod.objects.filter(district=district, school=school, iep=iep)
    if exclude_pk:
        same_scope = same_scope.exclude(pk=exclude_pk)
    clash = same_scope.filter(start__lte=end, end__gte=start).first()
    if clash is None and others:
        clash = next((o for o in others if o.school_id == (school.pk if school else None)
                      and o.start <= end and o.end >= start), None)
    if clash is not None:
        raise InvalidInput({"start": [f"This period overlaps {clash.name} ({clash.school_year}, "
                                      f"{clash.start:%m/%d/%Y}–{clash.end:%m/%d/%Y})."]})
    return {"district": district, "school": school, "iep": iep, "school_year": school_year, "name": name,
            "start": start, "end": end, "report_due": report_due}


@transaction.atomic
def period_save(*, district: District, school: School | None = None, school_year: str, name: str, start, end,
                report_due, period: MarkingPeriod | None = None, now: datetime | None = None) -> MarkingPeriod:
    """Create (or change) one marking period of a school or of the district. Refuses (InvalidInput, naming the
    field) an end before the start, a report date before the start, and an overlap with another period of the
    same school (or of the district-wide list); nothing is written then. The district row is locked first, so two
    saves of overlapping periods at once serialise and the second sees the first."""
    District.objects.select_for_update().filter(pk=district.pk).first()
    if period is not None and period.reports.exists() and (start, end, report_due) != (
            period.start, period.end, period.report_due):
        raise InvalidInput({"start": ["Reports were written for this period; its dates can no longer change."]})
    values = _check_period(district=district, school=school, iep=None, school_year=school_year, name=name,
                           start=start, end=end, report_due=report_due, exclude_pk=period.pk if period else None)
    if period is None:
        period = MarkingPeriod.objects.create(**values)
    else:
        for key, value in values.items():
            setattr(period, key, value)
        period.save()
    progress_deadlines_refresh_district(district_id=district.pk, now=now)
    return period


@transaction.atomic
def period_delete(*, period: MarkingPeriod, now: datetime | None = None) -> None:
    """Remove a period nobody reported on yet (InvalidInput otherwise)."""
    if period.reports.exists():
        raise InvalidInput({"period": ["Reports were written for this period; it cannot be removed."]})
    district_id = period.district_id
    Deadline.objects.filter(key=PROGRESS_KEY, cycle=period.report_due, student__district_id=district_id).delete()
    period.delete()
    progress_deadlines_refresh_district(district_id=district_id, now=now)


CSV_COLUMNS = ["school_code", "school_year", "name", "start", "end", "report_due"]


def _csv_date(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@transaction.atomic
def periods_import_csv(*, district: District, text: str, now: datetime | None = None) -> list[MarkingPeriod]:
    """Import marking periods from CSV (header: school_code, school_year, name, start, end, report_due; dates
    YYYY-MM-DD; an empty school_code means the whole district). All or nothing: the first bad row is refused with
    its line number and field (InvalidInput), and nothing is written."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput({"file": ["The file is empty."]})
    if "\x00" in text:
        raise InvalidInput({"file": ["The file is not text."]})
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput({"file": [f"Missing column(s): {', '.join(missing)}. Expected: {', '.join(CSV_COLUMNS)}."]})
    schools = {s.code: s for s in School.objects.filter(district=district)}
    District.objects.select_for_update().filter(pk=district.pk).first()
    made: list[MarkingPeriod] = []
    for line, row in enumerate(reader, start=2):
        if line > 2001:
            raise InvalidInput({"file": ["At most 2,000 periods per file."]})
        code = (row.get("school_code") or "").strip()
        if code and code not in schools:
            raise InvalidInput({"school_code": [f"Line {line}: no school with code {code!r} in this district."]})
        try:
            values = _check_period(district=district, school=schools.get(code) if code else None, iep=None,
                                   school_year=(row.get("school_year") or "").strip(), name=row.get("name") or "",
                                   start=_csv_date(row.get("start")), end=_csv_date(row.get("end")),
                                   report_due=_csv_date(row.get("report_due")), others=made)
        except InvalidInput as exc:
            raise InvalidInput({key: [f"Line {line}: {m}" for m in msgs] for key, msgs in exc.errors.items()}) from exc
        made.append(MarkingPeriod(**values))
    if not made:
        raise InvalidInput({"file": ["The file has no periods."]})
    created = MarkingPeriod.objects.bulk_create(made)
    progress_deadlines_refresh_district(district_id=district.pk, now=now)
    return created


# ---------------------------------------------------------------- an IEP's schedule and goals

@transaction.atomic
def schedule_set(*, iep: IEP, mode: str, dates: list | None = None, now: datetime | None = None) -> ProgressSchedule:
    """Choose the IEP's schedule: with report cards, or custom report dates (each date inside the IEP period; each
    becomes a period from the day after the previous date). Custom periods that have reports are kept as they are:
    changing them is refused."""
    if mode not in ProgressSchedule.Mode.values:
        raise InvalidInput({"mode": ["Choose with report cards or custom dates."]})
    custom = []
    if mode == ProgressSchedule.Mode.CUSTOM:
        if not isinstance(dates, list) or not dates or len(dates) > 12:
            raise InvalidInput({"dates": ["Give between 1 and 12 report dates."]})
        parsed = sorted({d if isinstance(d, date) else _csv_date(str(d)) for d in dates},
                        key=lambda d: d or date.min)
        if None in parsed:
            raise InvalidInput({"dates": ["Every report date must be a date (YYYY-MM-DD)."]})
        outside = [d for d in parsed if not iep.start_date <= d <= iep.end_date]
        if outside:
            raise InvalidInput({"dates": [f"{outside[0]:%m/%d/%Y} is outside the IEP period "
                                          f"({iep.start_date:%m/%d/%Y}–{iep.end_date:%m/%d/%Y})."]})
        custom = parsed
    if iep.custom_periods.filter(reports__isnull=False).exists():
        raise InvalidInput({"mode": ["Reports were written for this IEP's custom dates; the schedule is kept."]})
    iep.custom_periods.all().delete()
    begin = iep.start_date
    for number, day in enumerate(custom, start=1):
        year = day.year if day.month >= 7 else day.year - 1
        MarkingPeriod.objects.create(district_id=iep.student.district_id, school_id=iep.student.school_id, iep=iep,
                                     school_year=f"{year}-{(year + 1) % 100:02d}", name=f"Progress report {number}",
                                     start=begin, end=day, report_due=day)
        begin = day + timedelta(days=1)
    schedule, _ = ProgressSchedule.objects.update_or_create(iep=iep, defaults={"mode": mode})
    progress_deadlines_refresh(student_ids=[iep.student_id], now=now)
    return schedule


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = ["Enter a number."]
        return None
    if not number.is_finite() or abs(number) >= Decimal("10000000") or number.as_tuple().exponent < -2:
        errors[field] = ["Enter a number below 10,000,000 with at most two decimals."]
        return None
    return number


@transaction.atomic
def goal_plan_update(*, goal: Section, responsible: list[User], target_value=None, unit: str = "") -> GoalPlan:
    """Name a goal's responsible staff (Team members of the student only) and its optional numeric target."""
    if not goal.is_goal:
        raise InvalidInput({"goal": ["Not a goal."]})
    errors: dict[str, list[str]] = {}
    team = set(TeamMembership.objects.filter(student_id=goal.iep.student_id).values_list("user_id", flat=True))
    strangers = [u for u in responsible if u.pk not in team]
    if strangers:
        errors["responsible"] = ["Responsible staff must be members of the student's Team."]
    target = _decimal(target_value, "target_value", errors)
    unit = (unit or "").strip()
    if len(unit) > 40:
        errors["unit"] = ["At most 40 characters."]
    if target is not None and not unit:
        errors["unit"] = ["Give the unit of the target (e.g. words per minute)."]
    if errors:
        raise InvalidInput(errors)
    plan, _ = GoalPlan.objects.update_or_create(goal=goal, defaults={"target_value": target, "unit": unit})
    plan.responsible.set(responsible)
    return plan


# ---------------------------------------------------------------- reports

def report_owed_check(*, goal: Section, period: MarkingPeriod) -> IEP:
    """The IEP whose `goal` owes a report for `period`, or InvalidInput naming the field: a goal not in force (its
    IEP is not the one in force on the report date, or the goal was rejected) or a period outside the IEP."""
    if not goal.is_goal:
        raise InvalidInput({"goal": ["Not a goal."]})
    iep = goal.iep
    if not iep.start_date <= period.report_due <= iep.end_date:
        raise InvalidInput({"period": [f"{period.name} ({period.report_due:%m/%d/%Y}) is outside the IEP period "
                                       f"({iep.start_date:%m/%d/%Y}–{iep.end_date:%m/%d/%Y})."]})
    in_force = iep_in_force(iep.student_id, period.report_due)
    if in_force is None or in_force.pk != iep.pk:
        raise InvalidInput({"goal": ["This goal's IEP is not the one in force on the report date "
                                     f"({period.report_due:%m/%d/%Y})."]})
    if period.pk not in {p.pk for p in periods_owed(iep)}:
        raise InvalidInput({"period": [f"{period.name} is not on this IEP's schedule of progress reporting."]})
    if goal.pk not in {g.pk for g in goals_in_force([iep]).get(iep.pk, [])}:
        raise InvalidInput({"goal": ["This goal was rejected by the parent; it is not in force."]})
    return iep


def report_start(*, goal: Section, period: MarkingPeriod, user: User, now: datetime | None = None) -> ProgressReport:
    """The current report on `goal` for `period`, created (empty draft, one row per benchmark) on first use. The
    partial unique constraint settles two first uses at once: the loser reads the winner's row."""
    existing = ProgressReport.objects.filter(goal=goal, period=period, current=True).first()
    if existing:
        return existing
    iep = report_owed_check(goal=goal, period=period)
    benchmarks = [{"text": str(text), "status": ""} for text in (goal.content or {}).get("benchmarks") or []]
    try:
        with transaction.atomic():
            return ProgressReport.objects.create(student_id=iep.student_id, iep=iep, goal=goal, period=period,
                                                 benchmarks=benchmarks, updated_by=user,
                                                 updated_at=now or timezone.now())
    except IntegrityError:
        return ProgressReport.objects.get(goal=goal, period=period, current=True)


def _report_lock(report: ProgressReport) -> ReportLock | None:
    return ReportLock.objects.select_related("holder").filter(report=report).first()


def report_check_out(*, report: ProgressReport, user: User, now: datetime | None = None) -> ReportLock:
    """Give `user` the lease on the report (the same lease implementation as sections), or ReportLocked."""
    now = now or timezone.now()
    if report.is_finalised:
        raise ReportFinalised(report)
    taken = lease_take(model=ReportLock, unit=report, user=user, now=now)
    if taken is None:
        raise ReportLocked(_report_lock(report))
    return taken.lock


def report_release(*, report: ProgressReport, user: User) -> bool:
    """Let go of `user`'s lease on the report (Done, or leaving the row)."""
    return lease_release(model=ReportLock, unit=report, user=user)


def _clean_report(report: ProgressReport, data: dict, *, today: date) -> dict:
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    allowed = {"narrative", "measured_value", "measured_on", "benchmarks", "sufficient", "sufficiency_reason",
               "next_steps"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        errors[unknown[0]] = ["Unknown field."]
    for key, limit in (("narrative", NARRATIVE_MAX), ("sufficiency_reason", REASON_MAX), ("next_steps", STEPS_MAX)):
        if key in data:
            value = data[key] if data[key] is not None else ""
            if not isinstance(value, str):
                errors[key] = ["Enter text."]
            elif "\x00" in value:
                errors[key] = ["The text contains a character that is not allowed."]
            elif len(value) > limit:
                errors[key] = [f"At most {limit:,} characters (this has {len(value):,})."]
            else:
                clean[key] = value.strip()
    if "measured_value" in data:
        clean["measured_value"] = _decimal(data["measured_value"], "measured_value", errors)
    if "measured_on" in data:
        value = data["measured_on"]
        if value in (None, ""):
            clean["measured_on"] = None
        else:
            day = value if isinstance(value, date) else _csv_date(str(value)) if isinstance(value, str) else None
            if day is None:
                errors["measured_on"] = ["Enter a valid date (YYYY-MM-DD)."]
            elif day > today:
                errors["measured_on"] = ["The measurement date cannot be in the future."]
            elif day < report.iep.start_date:
                errors["measured_on"] = ["The measurement date is before the IEP period."]
            else:
                clean["measured_on"] = day
    if "sufficient" in data:
        value = data["sufficient"] or ""
        if value not in ("", *ProgressReport.Sufficient.values):
            errors["sufficient"] = ["Answer yes or no."]
        else:
            clean["sufficient"] = value
    if "benchmarks" in data:
        value = data["benchmarks"]
        statuses = ProgressReport.BenchmarkStatus.values
        if not isinstance(value, list) or len(value) != len(report.benchmarks) or not all(
                isinstance(v, str) and v in ("", *statuses) for v in value):
            errors["benchmarks"] = [f"Give one status per benchmark ({len(report.benchmarks)}), each one of "
                                    f"{', '.join(statuses)}."]
        else:
            clean["benchmarks"] = [{"text": b["text"], "status": s} for b, s in zip(report.benchmarks, value,
                                                                                   strict=True)]
    if errors:
        raise InvalidInput(errors)
    return clean


def ready_errors(report: ProgressReport) -> dict[str, list[str]]:
    """What a report still lacks before it is ready: the narrative, the sufficiency answer and why, a date for a
    measured value, and each benchmark's status."""
    errors: dict[str, list[str]] = {}
    if not report.narrative:
        errors["narrative"] = ["Describe the progress made toward the goal."]
    if not report.sufficient:
        errors["sufficient"] = ["Say whether the progress is sufficient to achieve the goal by the end of the IEP."]
    if not report.sufficiency_reason:
        errors["sufficiency_reason"] = ["Say why."]
    if report.measured_value is not None and report.measured_on is None:
        errors["measured_on"] = ["Give the date of the measured value."]
    if any(not b.get("status") for b in report.benchmarks):
        errors["benchmarks"] = ["Give each benchmark's status."]
    return errors


def report_save(*, report: ProgressReport, user: User, data: dict, revision: int, ready: bool | None = None,
                now: datetime | None = None) -> ProgressReport:
    """Save fields of the report (autosave: any subset) and optionally mark it ready (or back to draft).

    Refuses, writing nothing: a finalised report (ReportFinalised), a report someone else is writing
    (ReportLocked: the writer takes or renews the report's lease with every save), a stale `revision`
    (StaleReport), bad fields and, when marking ready, missing answers (InvalidInput naming the fields).
    The row is locked for the write, so two saves serialise and the second sees the first's revision.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = ProgressReport.objects.select_for_update().select_related("iep").get(pk=report.pk)
        if row.is_finalised or not row.current:
            raise ReportFinalised(row)
        lock = ReportLock.objects.filter(report=row).first()
        if not (lock and lock.holder_id == user.pk and lease_renew(model=ReportLock, unit=row, user=user,
                                                                   generation=lock.generation, now=now)):
            report_check_out(report=row, user=user, now=now)
        if revision != row.revision:
            raise StaleReport(row, revision)
        clean = _clean_report(row, data if isinstance(data, dict) else {"data": None}, today=timezone.localdate(now))
        for key, value in clean.items():
            setattr(row, key, value)
        if ready is True:
            errors = ready_errors(row)
            if errors:
                raise InvalidInput(errors)
            row.status = ProgressReport.Status.READY
        elif ready is False or (row.status == ProgressReport.Status.READY and ready_errors(row)):
            row.status = ProgressReport.Status.DRAFT  # a ready report edited until an answer is missing is a draft
        row.revision += 1
        row.updated_by, row.updated_at = user, now
        row.save()
        if ready is True:
            lease_release(model=ReportLock, unit=row, user=user)
        return row


@transaction.atomic
def report_correct(*, report: ProgressReport, user: User, reason: str, now: datetime | None = None) -> ProgressReport:
    """Open a correction of a finalised report: a new current version (a draft, copied), with the reason; the
    finalised one stays as it was, no longer current."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": ["Say why the finalised report is corrected."]})
    if len(reason) > 500:
        raise InvalidInput({"reason": ["At most 500 characters."]})
    row = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if not row.current or not row.is_finalised:
        raise InvalidInput({"report": ["Only the current, finalised version of a report is corrected; edit the "
                                       "draft instead."]})
    ProgressReport.objects.filter(pk=row.pk).update(current=False)
    copy = ProgressReport.objects.create(
        student_id=row.student_id, iep_id=row.iep_id, goal_id=row.goal_id, period_id=row.period_id,
        version=row.version + 1, correction_reason=reason, narrative=row.narrative,
        measured_value=row.measured_value, measured_on=row.measured_on, benchmarks=row.benchmarks,
        sufficient=row.sufficient, sufficiency_reason=row.sufficiency_reason, next_steps=row.next_steps,
        updated_by=user, updated_at=now or timezone.now())
    return copy


# ---------------------------------------------------------------- finalising, the document, sending

def reports_finalise(*, student: Student, period: MarkingPeriod, user: User, now: datetime | None = None,
                     enqueue: bool = True) -> ProgressDocument:
    """Finalise the student's reports for `period` and produce the progress report document (queued for the
    workers through the outbox, in the same transaction).

    Every goal in force must have a current report that is ready (or already finalised), else NotReady naming
    the goals. A second finalising with nothing corrected is refused; after a correction it makes the next
    version of the document, carrying the corrections' reasons. The student row is locked, so two chairs
    finalising at once make one document.
    """
    from .pdf import render_html

    now = now or timezone.now()
    with transaction.atomic():
        Student.objects.select_for_update().filter(pk=student.pk).first()
        iep = iep_in_force(student.pk, period.report_due)
        if iep is None or period.pk not in {p.pk for p in periods_owed(iep)}:
            raise InvalidInput({"period": ["No IEP in force owes a report for this period."]})
        goals = goals_in_force([iep]).get(iep.pk, [])
        reports = {r.goal_id: r for r in student_period_reports(student.pk, period).select_for_update()}
        missing = [g.title for g in goals if g.pk not in reports or reports[g.pk].status == "draft"]
        if missing:
            raise NotReady("Not every report is ready: " + "; ".join(missing) + ".")
        fresh = [r for r in reports.values() if r.status == ProgressReport.Status.READY]
        if not fresh:
            raise ReportFinalised(message="These reports are already finalised; correct a report to issue a new "
                                          "version.")
        last = ProgressDocument.objects.filter(student=student, period=period).aggregate(v=Max("version"))["v"] or 0
        reasons = "; ".join(sorted({r.correction_reason for r in fresh if r.correction_reason}))
        for report in fresh:
            ProgressReport.objects.filter(pk=report.pk).update(status=ProgressReport.Status.FINALISED,
                                                               finalised_at=now)
            report.status, report.finalised_at = ProgressReport.Status.FINALISED, now
        ReportLock.objects.filter(report__in=fresh).update(holder=None, acquired_at=None, expires_at=None)
        ordered = [reports[g.pk] for g in goals if g.pk in reports]
        document = ProgressDocument(student=student, iep=iep, period=period, version=last + 1,
                                    correction_reason=(reasons or "Corrected")[:500] if last else "",
                                    finalised_by=user, finalised_at=now)
        document.html = render_html(document=document, goals=goals, reports=ordered)
        document.save()
        if enqueue:
            from .tasks import progress_document_render_task

            outbox_enqueue(task=progress_document_render_task.name, args=[document.pk])
        return document


def document_render(*, document_id: int) -> ProgressDocument | None:
    """Render the document's stored HTML to PDF and store it. Idempotent: a ready document is left as it is; two
    workers at once each write a complete file and its checksum in one UPDATE of the row."""
    from .pdf import render_pdf

    claimed = (ProgressDocument.objects.filter(pk=document_id).exclude(status=ProgressDocument.Status.READY)
               .update(status=ProgressDocument.Status.RENDERING))
    document = ProgressDocument.objects.filter(pk=document_id).first()
    if document is None or not claimed:
        return document
    pdf = render_pdf(document.html)
    document.file.save(document.filename, ContentFile(pdf), save=False)
    document.sha256 = sha256_hex(pdf)
    document.status, document.error, document.rendered_at = ProgressDocument.Status.READY, "", timezone.now()
    document.save(update_fields=["file", "sha256", "status", "error", "rendered_at"])
    return document


def document_fail(*, document_id: int, error: str) -> None:
    """Mark a document failed after its last retry."""
    ProgressDocument.objects.filter(pk=document_id).exclude(status=ProgressDocument.Status.READY).update(
        status=ProgressDocument.Status.FAILED, error=error[:500])


@transaction.atomic
def document_mark_sent(*, document: ProgressDocument, user: User, sent_on, method: str, note: str = "",
                       now: datetime | None = None) -> ProgressDocument:
    """Record when and how the progress report went to the family (meets its progress_report deadline)."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if method not in ProgressDocument.Method.values:
        errors["method"] = ["Choose how it was sent."]
    if not isinstance(sent_on, date):
        errors["sent_on"] = ["Enter a valid date."]
    elif sent_on > timezone.localdate(now):
        errors["sent_on"] = ["The date sent cannot be in the future."]
    elif sent_on < timezone.localdate(document.finalised_at):
        errors["sent_on"] = ["The date sent is before the report was finalised."]
    note = (note or "").strip()
    if len(note) > NOTE_MAX or "\x00" in note:
        errors["note"] = [f"At most {NOTE_MAX} characters of text."]
    if errors:
        raise InvalidInput(errors)
    ProgressDocument.objects.filter(pk=document.pk).update(sent_on=sent_on, sent_method=method, sent_note=note,
                                                           sent_by=user)
    document.refresh_from_db()
    progress_deadlines_refresh(student_ids=[document.student_id], now=now)
    return document


@transaction.atomic
def document_email(*, document: ProgressDocument, user: User, guardian: Guardian,
                   now: datetime | None = None) -> ProgressDocument:
    """Email the finalised progress report to one of the student's guardians, the PDF attached (through the outbox
    of signin.emails, so the page never waits for the mail server), and record it as sent today by email
    (docs/progress-reports.md, "Sending by email"). The subject names no student. Refused (InvalidInput) when the
    PDF is not printed yet, the guardian is not the student's, or has no email address; nothing is queued then.
    Emailing the same version to the same guardian twice queues one email."""
    from signin.emails import email_queue

    now = now or timezone.now()
    if guardian.student_id != document.student_id:
        raise InvalidInput({"guardian": ["Choose a parent or guardian of this student."]})
    if not guardian.email:
        raise InvalidInput({"guardian": ["This parent or guardian has no email address on file."]})
    if not document.is_ready:
        raise InvalidInput({"document": ["The progress report is still being printed; email it once it is ready."]})
    period, district = document.period, document.student.district
    chair = TeamMembership.objects.filter(student_id=document.student_id,
                                          team_role=TeamMembership.TeamRole.CHAIR).select_related("user").first()
    email_queue(to=guardian.email, subject=f"Progress report on IEP goals: {period.name} ({district.name})",
                template="progress/email/progress_report", kind="progress_report",
                key=f"progress-document-{document.pk}-guardian-{guardian.pk}",
                context={"guardian": guardian, "period": period, "district": district,
                         "chair": chair.user.get_full_name() if chair else ""},
                attachment=(document.file.name, f"progress-report-{period.school_year}-{document.version}.pdf"))
    return document_mark_sent(document=document, user=user, sent_on=timezone.localdate(now), method="email",
                              note=f"Emailed to the {guardian.get_relationship_display().lower()} "
                                   "with the PDF attached.", now=now)


# ---------------------------------------------------------------- the progress_report deadline rows

def _desired_progress_rows(students: list[Student], today: date) -> dict[int, dict[date, dict]]:
    """Per student, the progress_report rows owed: one per period (shared or custom) whose report date falls in
    the IEP in force on it, met on the first date the period's report was sent. A fixed number of queries for a
    batch of students."""
    from .selectors import school_periods, shared_periods_of

    ids = [s.pk for s in students]
    shared = shared_periods_of({s.district_id for s in students})
    ieps: dict[int, list[IEP]] = {}
    for iep in (IEP.objects.current().filter(student_id__in=ids).select_related("progress_schedule")
                .order_by("student_id", "start_date", "pk")):
        ieps.setdefault(iep.student_id, []).append(iep)
    custom: dict[int, list[MarkingPeriod]] = {}
    for period in MarkingPeriod.objects.filter(iep__student_id__in=ids, iep__progress_schedule__mode="custom"):
        custom.setdefault(period.iep_id, []).append(period)
    sent: dict[tuple[int, int], date] = {}
    for student_id, period_id, sent_on in (ProgressDocument.objects.filter(student_id__in=ids, sent_on__isnull=False)
                                           .order_by("sent_on").values_list("student_id", "period_id", "sent_on")):
        sent.setdefault((student_id, period_id), sent_on)  # the first sending meets the duty
    desired: dict[int, dict[date, dict]] = {}
    for student in students:
        rows: dict[date, dict] = {}
        theirs = ieps.get(student.pk, [])
        custom_ieps = {i.pk for i in theirs if getattr(getattr(i, "progress_schedule", None), "mode", "") == "custom"}
        periods = school_periods(student.district_id, student.school_id, shared)
        periods += [p for iep_id in custom_ieps for p in custom.get(iep_id, [])]
        for period in periods:
            in_force = [i for i in theirs if i.start_date <= period.report_due <= i.end_date]
            iep = in_force[-1] if in_force else None  # the latest-starting, as selectors.ieps_in_force
            if iep is None or (period.iep_id is None and iep.pk in custom_ieps) or (
                    period.iep_id is not None and period.iep_id != iep.pk):
                continue
            met = sent.get((student.pk, period.pk))
            rows[period.report_due] = {
                "school_id": student.school_id, "trigger": "marking_period", "due": period.report_due, "error": "",
                "citation": PROGRESS_CITATION,
                "basis": f"Report date of {period.name} ({period.school_year}) for the IEP "
                         f"{iep.start_date:%m/%d/%Y}–{iep.end_date:%m/%d/%Y}",
                "status": deadline_status(period.report_due, met, today), "met_on": met}
        desired[student.pk] = rows
    return desired


ROW_FIELDS = ["school_id", "trigger", "due", "error", "citation", "basis", "status", "met_on"]


def progress_deadlines_refresh(*, student_ids, now: datetime | None = None, batch: int = 2000) -> int:
    """Write the `progress_report` deadline rows of these students (one per period their IEP in force owes, due
    on the report date, met when the report was sent), as application rows beside the engine's: key
    `progress_report`, cycle = the report date. Rows no longer owed become not applicable (met ones stay).
    Only changed rows are written, upserted by (student, key, cycle), so running it twice (or twice at once)
    writes the same rows. Returns the rows written."""
    today = timezone.localdate(now)
    computed_at = now or timezone.now()
    ids = sorted(set(student_ids))
    written = 0
    for begin in range(0, len(ids), batch):
        students = list(Student.objects.filter(pk__in=ids[begin:begin + batch]).order_by("pk"))
        desired = _desired_progress_rows(students, today)
        existing: dict[tuple[int, date], tuple] = {}
        for row in Deadline.objects.filter(student_id__in=[s.pk for s in students], key=PROGRESS_KEY).values_list(
                "student_id", "cycle", *ROW_FIELDS):
            existing[(row[0], row[1])] = row[2:]
        changed = []
        for student_id, rows in desired.items():
            for cycle, row in rows.items():
                values = tuple(row[f] for f in ROW_FIELDS)
                if existing.get((student_id, cycle)) != values:
                    changed.append(Deadline(student_id=student_id, key=PROGRESS_KEY, cycle=cycle,
                                            computed_at=computed_at, **row))
        stale = [(student_id, cycle) for (student_id, cycle), values in existing.items()
                 if cycle not in desired.get(student_id, {}) and values[6] not in (Deadline.Status.MET,
                                                                                 Deadline.Status.NOT_APPLICABLE)]
        Deadline.objects.bulk_create(changed, batch_size=500, update_conflicts=True,
                                     unique_fields=["student", "key", "cycle"],
                                     update_fields=[f.removesuffix("_id") if f == "school_id" else f
                                                    for f in ROW_FIELDS] + ["computed_at"])
        for student_id, cycle in stale:
            Deadline.objects.filter(student_id=student_id, key=PROGRESS_KEY, cycle=cycle).update(
                status=Deadline.Status.NOT_APPLICABLE, computed_at=computed_at)
        written += len(changed) + len(stale)
    return written


def progress_deadlines_refresh_district(*, district_id: int, now: datetime | None = None) -> int:
    """Refresh the progress_report rows of every active student of the district who has a current IEP."""
    ids = list(IEP.objects.current().filter(student__district_id=district_id, student__active=True)
               .values_list("student_id", flat=True).distinct())
    return progress_deadlines_refresh(student_ids=ids, now=now)


def progress_deadlines_refresh_all(*, now: datetime | None = None) -> int:
    """Nightly: statuses move with the date (upcoming, due within 7 days, overdue)."""
    ids = list(IEP.objects.current().filter(student__active=True).values_list("student_id", flat=True).distinct())
    return progress_deadlines_refresh(student_ids=ids, now=now)

