"""Reads of progress reporting (docs/progress-reports.md): periods owed, the IEP and goals in force, the worklist."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import TeamMembership, User
from iep.models import IEP, Section

from .models import GoalPlan, MarkingPeriod, ProgressDocument, ProgressReport, ProgressSchedule, ReportLock


def ieps_in_force(student_ids, on: date) -> dict[int, IEP]:
    """THE definition of "the IEP in force" on a date, per student: the accepted (or partially accepted) IEP whose
    period contains `on` (the latest-starting one if two do). Everything in this app asks here, so a later
    "stay-put" definition (the last agreed IEP stays in force during a dispute) replaces only this function."""
    found: dict[int, IEP] = {}
    for iep in (IEP.objects.current().filter(student_id__in=student_ids, start_date__lte=on, end_date__gte=on)
                .order_by("student_id", "start_date", "pk")):
        found[iep.student_id] = iep  # later start wins
    return found


def iep_in_force(student_id: int, on: date) -> IEP | None:
    return ieps_in_force([student_id], on).get(student_id)


_GOAL_NUMBER = re.compile(r"\bgoal\s*#?\s*(\d+)\b", re.IGNORECASE)


def rejected_goal_positions(iep: IEP, response_content: dict | None) -> set[int]:
    """Goal numbers the parent rejected ("Goal 2" in the response's rejected portions), only when portions were
    rejected. A partially accepted IEP's rejected goals are not in force."""
    if iep.status != IEP.Status.PARTIALLY_ACCEPTED or not response_content:
        return set()
    lines = response_content.get("rejected_portions") or []
    return {int(number) for line in lines for number in _GOAL_NUMBER.findall(str(line))}


def goals_in_force(ieps: list[IEP]) -> dict[int, list[Section]]:
    """Goals of each IEP that are in force (not a rejected portion), by IEP id, in goal order. Two queries."""
    ids = [iep.pk for iep in ieps]
    responses = dict(Section.objects.filter(iep_id__in=ids, kind=Section.Kind.RESPONSE)
                     .values_list("iep_id", "content"))
    by_iep = {iep.pk: iep for iep in ieps}
    goals: dict[int, list[Section]] = defaultdict(list)
    for goal in Section.objects.goals().filter(iep_id__in=ids).order_by("iep_id", "position", "pk"):
        rejected = rejected_goal_positions(by_iep[goal.iep_id], responses.get(goal.iep_id))
        if goal.position not in rejected:
            goals[goal.iep_id].append(goal)
    return goals


def school_periods(district_id: int, school_id: int, periods: list[MarkingPeriod]) -> list[MarkingPeriod]:
    """The shared periods that apply to a school: per school year, the school's own if it has any, else the
    district's (`periods` already read, so callers read them once for many students)."""
    own_years = {p.school_year for p in periods if p.school_id == school_id}
    return [p for p in periods if p.district_id == district_id and p.iep_id is None
            and (p.school_id == school_id or (p.school_id is None and p.school_year not in own_years))]


def shared_periods_of(district_ids) -> list[MarkingPeriod]:
    return list(MarkingPeriod.objects.shared().filter(district_id__in=district_ids).order_by("report_due", "pk"))


def periods_owed(iep: IEP) -> list[MarkingPeriod]:
    """The periods `iep` owes reports for: its custom dates, or (with report cards) the school's marking periods
    whose report date falls inside the IEP period and on which this IEP is the one in force."""
    mode = ProgressSchedule.objects.filter(iep=iep).values_list("mode", flat=True).first()
    if mode == ProgressSchedule.Mode.CUSTOM:
        return list(iep.custom_periods.order_by("report_due"))
    student = iep.student
    candidates = [p for p in school_periods(student.district_id, student.school_id, shared_periods_of(
        [student.district_id])) if iep.start_date <= p.report_due <= iep.end_date]
    return [p for p in candidates if (in_force := iep_in_force(student.pk, p.report_due)) and in_force.pk == iep.pk]


def responsible_ids(goal_ids) -> dict[int, set[int]]:
    """Named responsible staff per goal id (one query)."""
    through = GoalPlan.responsible.through
    found: dict[int, set[int]] = defaultdict(set)
    for goal_id, user_id in through.objects.filter(goalplan__goal_id__in=goal_ids).values_list("goalplan__goal_id",
                                                                                                "user_id"):
        found[goal_id].add(user_id)
    return found


def owes(user_id: int, goal: Section, iep: IEP, named: set[int], team: set[int]) -> bool:
    """Who owes a goal's report: the goal's named responsible staff; for a goal naming nobody, the IEP's case
    manager; with neither, every Team member."""
    if named:
        return user_id in named
    if iep.case_manager_id:
        return user_id == iep.case_manager_id
    return user_id in team


WORK_STATUSES = ["not_started", "draft", "ready", "finalised", "sent"]
STATUS_LABELS = {"not_started": "Not started", "draft": "Draft", "ready": "Ready", "finalised": "Finalised",
                 "sent": "Sent"}


@dataclass
class WorkItem:
    student: object
    iep: IEP
    period: MarkingPeriod
    goal: Section
    report: ProgressReport | None
    document: ProgressDocument | None
    holder: User | None = None
    status: str = "not_started"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Worklist:
    items: list[WorkItem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counted = {status: 0 for status in WORK_STATUSES}
        for item in self.items:
            counted[item.status] += 1
        return counted


def current_period(periods: list[MarkingPeriod], today: date) -> MarkingPeriod | None:
    """The period reports are being written for: the first whose report date is today or later (so the weeks
    between a period's end and its report date still belong to it); after the last, None."""
    return next((p for p in sorted(periods, key=lambda p: (p.report_due, p.pk)) if p.report_due >= today), None)


def worklist_for(user: User, today: date | None = None, student_ids=None) -> Worklist:
    """Every report `user` owes for the current period of each student whose Team they are on, with its status.

    A bounded number of queries whatever the caseload (eight): Team rows, students, IEPs, periods, goals and
    responses, responsible staff, reports, documents, live locks.
    """
    today = today or timezone.localdate()
    teams = TeamMembership.objects.filter(student__active=True)
    mine = teams.filter(user=user)
    if student_ids is not None:
        mine = mine.filter(student_id__in=student_ids)
    my_students = {m.student_id: m.student for m in mine.select_related("student")}
    if not my_students:
        return Worklist()
    team: dict[int, set[int]] = defaultdict(set)
    for student_id, user_id in teams.filter(student_id__in=my_students).values_list("student_id", "user_id"):
        team[student_id].add(user_id)
    ieps = list(IEP.objects.current().filter(student_id__in=my_students).select_related("progress_schedule")
                .order_by("student_id", "start_date", "pk"))
    periods = list(MarkingPeriod.objects.filter(Q(iep__isnull=True, district_id__in={s.district_id for s in
                                                                                      my_students.values()})
                                                | Q(iep__in=ieps)).order_by("report_due", "pk"))
    chosen: list[tuple[object, IEP, MarkingPeriod]] = []
    for student_id, student in my_students.items():
        theirs = [i for i in ieps if i.student_id == student_id]
        shared = school_periods(student.district_id, student.school_id, periods)
        custom = {i.pk for i in theirs if getattr(getattr(i, "progress_schedule", None), "mode", "") == "custom"}
        candidates = [p for p in periods if p.iep_id in custom] + shared
        for period in sorted(candidates, key=lambda p: p.report_due):
            if period.report_due < today:
                continue
            in_force = [i for i in theirs if i.start_date <= period.report_due <= i.end_date]
            iep = in_force[-1] if in_force else None  # the latest-starting, as ieps_in_force
            if iep is None:
                continue
            if (period.iep_id is None and iep.pk in custom) or (period.iep_id is not None and period.iep_id != iep.pk):
                continue
            chosen.append((student, iep, period))
            break
    goals = goals_in_force([iep for _s, iep, _p in chosen])
    named = responsible_ids([g.pk for gs in goals.values() for g in gs])
    items: list[WorkItem] = []
    for student, iep, period in chosen:
        for goal in goals.get(iep.pk, []):
            if owes(user.pk, goal, iep, named.get(goal.pk, set()), team[student.pk]):
                items.append(WorkItem(student=student, iep=iep, period=period, goal=goal, report=None, document=None))
    if not items:
        return Worklist()
    reports = {(r.goal_id, r.period_id): r for r in ProgressReport.objects.filter(
        goal_id__in={i.goal.pk for i in items}, period_id__in={i.period.pk for i in items}, current=True)}
    documents: dict[tuple[int, int], ProgressDocument] = {}
    for document in ProgressDocument.objects.filter(student_id__in={i.student.pk for i in items},
                                                    period_id__in={i.period.pk for i in items}).order_by("version"):
        documents[(document.student_id, document.period_id)] = document  # the latest version
    holders = {lock.report_id: lock.holder for lock in ReportLock.objects.live().filter(
        report_id__in=[r.pk for r in reports.values()]).select_related("holder")}
    for item in items:
        item.report = reports.get((item.goal.pk, item.period.pk))
        item.document = documents.get((item.student.pk, item.period.pk))
        item.holder = holders.get(item.report.pk) if item.report else None
        item.status = work_status(item.report, item.document)
    items.sort(key=lambda i: (i.student.last_name, i.student.first_name, i.student.pk, i.goal.position))
    return Worklist(items=items)


def work_status(report: ProgressReport | None, document: ProgressDocument | None) -> str:
    if report is None:
        return "not_started"
    if report.status == ProgressReport.Status.FINALISED:
        sent = (document is not None and document.sent_on is not None and report.finalised_at is not None
                and document.finalised_at >= report.finalised_at)
        return "sent" if sent else "finalised"
    return report.status


def student_period_reports(student_id: int, period: MarkingPeriod) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(student_id=student_id, period=period, current=True)


def goal_progress_series(iep: IEP) -> list[dict]:
    """For the student's page: per goal of `iep`, its target and the measured values of its current reports over
    the periods, in period order."""
    plans = {p.goal_id: p for p in GoalPlan.objects.filter(goal__iep=iep)}
    points: dict[int, list[tuple]] = defaultdict(list)
    for report in (ProgressReport.objects.filter(iep=iep, current=True).select_related("period")
                   .order_by("period__report_due")):
        points[report.goal_id].append((report.period, report.measured_value, report.measured_on, report.status))
    series = []
    for goal in iep.sections.goals().order_by("position"):
        plan = plans.get(goal.pk)
        series.append({"goal": goal, "target": plan.target_value if plan else None, "unit": plan.unit if plan else "",
                       "points": points.get(goal.pk, [])})
    return series
