"""What each printed document holds (docs/printed-documents.md), read from the database.

Everything a template prints comes from here, so the printed HTML (the cache key's input) depends on
nothing else. Deadlines come from the pure engine (timelines.engine) against the district's calendar.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from accounts.models import TeamMembership
from timelines.engine import Case, Facts, SchoolCalendar, compute
from timelines.models import TimelineEvent

from ..models import IEP, Section
from ..section_schemas import (
    ACCOMMODATION_COLUMNS,
    ACCOMMODATION_ROWS,
    EARLY_PLACEMENTS,
    GRID_GROUPS,
    MODIFICATION_COLUMNS,
    SCHOOL_AGE_PLACEMENTS,
    content_rows,
)
from ..selectors import service_grid_summary


def summary_attendance(iep: IEP) -> dict | None:
    """Who attended the IEP's held meeting (meetings.selectors), or None: the summary then prints the Team."""
    from meetings.selectors import summary_attendance as attendance_of

    return attendance_of(iep)


PLACEMENT_LABELS = dict(SCHOOL_AGE_PLACEMENTS + EARLY_PLACEMENTS)
TODAY_ZONE = ZoneInfo("America/New_York")
STAY_PUT = "34 CFR 300.518"


def calendar_for_district(district, around: date | None = None) -> SchoolCalendar:
    """The school calendar deadlines are counted on for `district`: its stored school years (timelines app).

    A district that has not loaded the years a deadline falls in gets no date for it ("calendar missing"),
    never a guess from some other calendar. `around` is kept for callers; the whole stored calendar is used.
    """
    from timelines.services import engine_calendars

    return engine_calendars([district.pk])[district.pk]


@dataclass(frozen=True)
class NextStep:
    text: str
    due: date | None
    citation: str


def _step(results: dict, key: str, text: str) -> NextStep | None:
    """The engine's result for `key` as a printed step: its date, or the reason it has none."""
    result = results.get(key)
    if result is None:
        return None
    missing = " (no date: the district's school calendar for that period is not loaded)"
    return NextStep(text + (missing if result.due is None else ""), result.due, result.citation)


def next_steps(iep: IEP, student, consent_date: date | None, *, events: dict[str, date] | None = None,
               in_force: IEP | None = None, today: date | None = None) -> list[NextStep]:
    """What happens next, by the IEP's status and what has already happened (docs/printed-documents.md).

    Dates come from the pure deadline engine on the district's calendar, from the events known today:
    `events` are the student's recorded timeline events (latest date per key), `in_force` the accepted IEP
    that stays in place if this one is rejected.
    """
    events = events or {}
    today = today or datetime.now(TODAY_ZONE).date()
    status = iep.status
    case_events: dict[str, date] = {}
    if iep.meeting_date is not None:
        case_events["team_meeting"] = iep.meeting_date
    if status == IEP.Status.DRAFT:
        if iep.meeting_date is None:
            return []
        if consent_date and iep.meeting_type in (IEP.MeetingType.INITIAL, IEP.MeetingType.REEVALUATION):
            case_events["consent_received"] = consent_date
    received = events.get("iep_received_by_parent")
    if received and iep.proposed_at is not None and received < iep.proposed_at.date():
        received = None  # received an earlier proposal, not this one
    if status == IEP.Status.PROPOSED and received:
        case_events["iep_received_by_parent"] = received
    rejected_on = events.get("iep_rejected")
    if status in (IEP.Status.REJECTED, IEP.Status.PARTIALLY_ACCEPTED) and rejected_on:
        case_events["iep_rejected"] = rejected_on
    if status in (IEP.Status.ACCEPTED, IEP.Status.PARTIALLY_ACCEPTED):
        case_events["iep_start"] = iep.start_date
        if iep.last_evaluation_date:
            case_events["last_evaluation"] = iep.last_evaluation_date
    case = Case(events=case_events, facts=Facts(eligibility="eligible"), date_of_birth=student.date_of_birth)
    results = {r.key: r for r in compute(case, calendar_for_district(student.district, iep.meeting_date))}
    steps: list[NextStep | None] = []
    if status == IEP.Status.DRAFT:
        steps += [_step(results, "complete_iep", "The proposed IEP and placement are sent to you no later than"),
                  _step(results, "iep_proposal", "Proposed IEP due within 45 school working days of consent, by"),
                  NextStep("Then you have 30 days from the day you receive the proposed IEP to respond.", None,
                           "603 CMR 28.05(7)(a)")]
    elif status == IEP.Status.PROPOSED and not received:
        sent = f" It was sent on {iep.proposed_at:%m/%d/%Y}." if iep.proposed_at else ""
        steps.append(NextStep(f"The proposed IEP has been sent to you.{sent} Your 30 days to respond start on the "
                              "day you receive it.", None, "603 CMR 28.05(7)(a)"))
    elif status == IEP.Status.PROPOSED:
        steps.append(_step(results, "parent_response", "You received the proposed IEP on "
                           f"{received:%m/%d/%Y}. Your response is due, 30 days after you received it, by"))
    elif status in (IEP.Status.ACCEPTED, IEP.Status.PARTIALLY_ACCEPTED):
        verb = "started" if iep.start_date <= today else "start"
        what = "The services you accepted" if status == IEP.Status.PARTIALLY_ACCEPTED else "Services"
        steps.append(NextStep(f"{what} {verb} on", iep.start_date, "603 CMR 28.05(7)"))
        steps.append(_step(results, "annual_review", "The Team meets again to review the IEP by"))
        if "last_evaluation" in case_events:
            steps.append(_step(results, "reevaluation", "The student is reevaluated by"))
        else:
            steps.append(NextStep("The date of the last evaluation is not recorded, so the next reevaluation "
                                  "cannot be dated.", None, "603 CMR 28.04(3)"))
    if status in (IEP.Status.PARTIALLY_ACCEPTED, IEP.Status.REJECTED):
        portions = "the rejected portions" if status == IEP.Status.PARTIALLY_ACCEPTED else "the rejected IEP"
        if rejected_on:
            steps.append(_step(results, "bsea_copy", f"The district sends a copy of {portions} to the Bureau of "
                               "Special Education Appeals by"))
        else:
            steps.append(NextStep(f"The district sends a copy of {portions} to the Bureau of Special Education "
                                  "Appeals within 5 days of receiving your response.", None, "603 CMR 28.08(3)(b)"))
    if status == IEP.Status.REJECTED:
        if in_force is not None:
            steps.append(NextStep(f"The last IEP you accepted ({in_force.start_date:%m/%d/%Y} to "
                                  f"{in_force.end_date:%m/%d/%Y}) stays in force, and its services continue, until "
                                  "the disagreement is resolved.", None, STAY_PUT))
        else:
            steps.append(NextStep("No IEP you accepted is in force, so no special education services start until "
                                  "the disagreement is resolved.", None, STAY_PUT))
    if status == IEP.Status.SUPERSEDED:
        steps.append(NextStep("A later IEP has replaced this one.", None, ""))
    return [step for step in steps if step is not None]


def grid_groups(grid: Section | None, goals: list[Section], summary) -> list[dict]:
    """The service delivery grid as printed: groups A, B, C, each with its lines and minutes per cycle."""
    lines = (grid.content.get("lines") if grid else None) or []
    numbers = {goal.pk: goal.position for goal in goals}
    groups = []
    for key, label in GRID_GROUPS:
        group_lines = []
        for line in lines:
            if line.get("group") != key:
                continue
            goal_numbers = sorted(numbers[g] for g in line.get("goals") or [] if g in numbers)
            group_lines.append({**line, "goal_numbers": ", ".join(str(n) for n in goal_numbers),
                                "start": _date(line.get("start_date")), "end": _date(line.get("end_date"))})
        groups.append({"key": key, "label": label, "lines": group_lines, "minutes": summary.minutes[key]})
    return groups


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def accommodation_grids(content: dict) -> list[dict]:
    """The accommodations grid and the modifications grid: rows × columns of texts."""
    grids = []
    for prefix, title, columns in (("acc", "Accommodations", ACCOMMODATION_COLUMNS),
                                   ("mod", "Modifications", MODIFICATION_COLUMNS)):
        rows = [{"label": row_label, "cells": [content.get(f"{prefix}_{row}_{col}", "") for col, _ in columns]}
                for row, row_label in ACCOMMODATION_ROWS]
        grids.append({"title": title, "columns": [label for _, label in columns], "rows": rows,
                      "empty": not any(cell for row in rows for cell in row["cells"])})
    return grids


def placement_text(iep: IEP, content: dict, derived: str) -> str:
    category = content.get("category") or derived
    label = PLACEMENT_LABELS.get(category, "")
    if category == "other" and content.get("other_description"):
        label = f"{label}: {content['other_description']}"
    if not content.get("category") and derived:
        label = f"{label} (derived from the service delivery grid)"
    return label


def build_context(iep: IEP, kind: str, *, today: date | None = None) -> dict:
    """Everything the `kind` document prints for `iep` (a few queries, none per row)."""
    iep = IEP.objects.select_related("student__school", "student__district", "case_manager").get(pk=iep.pk)
    student = iep.student
    sections = list(iep.sections.order_by("order", "position", "pk"))
    by_kind = {s.kind: s for s in sections if s.kind != Section.Kind.GOAL}
    goals = [s for s in sections if s.kind == Section.Kind.GOAL]
    grid = by_kind.get(Section.Kind.SERVICE_GRID)
    team = list(TeamMembership.objects.filter(student=student).select_related("user")
                .order_by("-team_role", "user__last_name", "user__first_name", "pk"))
    chair = next((m for m in team if m.team_role == TeamMembership.TeamRole.CHAIR), None)
    summary = service_grid_summary(iep, grid.content if grid else {})
    placement = by_kind.get(Section.Kind.PLACEMENT)
    context = {
        "kind": kind,
        "iep": iep,
        "student": student,
        "is_draft": iep.status == IEP.Status.DRAFT,
        "team": team,
        "contact": chair,
        "goals": [goal_printed(g) for g in goals],
        "grid": grid_groups(grid, goals, summary),
        "grid_summary": summary,
        "has_services": bool(grid and grid.content.get("lines")),
        "placement": placement_text(iep, placement.content if placement else {}, summary.derived_placement),
        "accommodations": accommodation_grids(by_kind[Section.Kind.ACCOMMODATIONS].content
                                              if Section.Kind.ACCOMMODATIONS in by_kind else {}),
    }
    if kind == "summary":
        consent = (student.evaluations.filter(consent_date__isnull=False).order_by("-consent_date")
                   .values_list("consent_date", flat=True).first())
        events = dict(TimelineEvent.objects.filter(student=student, key__in=["iep_received_by_parent", "iep_rejected"])
                      .order_by("date", "pk").values_list("key", "date"))  # the latest date per key wins
        in_force = None
        if iep.status == IEP.Status.REJECTED:
            in_force = (IEP.objects.current().filter(student=student).exclude(pk=iep.pk)
                        .order_by("-start_date", "-pk").first())
        context["next_steps"] = next_steps(iep, student, consent, events=events, in_force=in_force, today=today)
        context["attendance"] = summary_attendance(iep)
    if kind == "full":
        context["sections"] = full_sections(iep, by_kind, context)
    return context


# The full IEP's headings: sections 1-17 of the Massachusetts IEP, then the placement.
HEADINGS = {
    Section.Kind.CONCERNS: "1. Student and parent concerns",
    Section.Kind.VISION: "2. Vision",
    Section.Kind.PROFILE: "3. Student profile",
    Section.Kind.AP_ACADEMICS: "4. Present levels: academics",
    Section.Kind.AP_BEHAVIOR: "5. Present levels: behavioral, social and emotional",
    Section.Kind.AP_COMMUNICATION: "6. Present levels: communication",
    Section.Kind.AP_ADDITIONAL: "7. Present levels: additional areas",
    Section.Kind.ACCOMMODATIONS: "8. Accommodations and modifications",
    Section.Kind.PARTICIPATION: "9. Participation in the general education setting",
    Section.Kind.GOAL: "10. Measurable annual goals",
    Section.Kind.PROGRESS_REPORTING: "Schedule of progress reporting",
    Section.Kind.SERVICE_GRID: "11. Service delivery grid",
    Section.Kind.TRANSPORTATION: "12. Transportation",
    Section.Kind.ASSESSMENTS: "13. State and district-wide assessments",
    Section.Kind.SCHEDULE_ESY: "14. Schedule modification and extended school year",
    Section.Kind.TRANSITION: "15. Transition planning",
    Section.Kind.ADDITIONAL_INFO: "16. Additional information",
    Section.Kind.RESPONSE: "17. Response section",
    Section.Kind.PLACEMENT: "Placement",
}
ACCESS_GROUP = "Access and Participation"  # the group heading of sections 4-9
AGE_OF_MAJORITY = "Age of majority"
# The form's wording of a question where the editing form words it differently; other fields print their label.
QUESTIONS = {
    Section.Kind.CONCERNS: {
        "student_concerns": "Student: What concern(s) do you want this IEP to address?",
        "parent_concerns": "Parent/guardian: What concern(s) do you want this IEP to address?"},
    Section.Kind.VISION: {
        "by_finish": "By the time I finish (elementary or middle school), I want to:",
        "postsecondary_education": "Postsecondary goal: education/training",
        "team_this_year": "Additional Team vision ideas: this year",
        "team_five_years": "Additional Team vision ideas: in five years"},
}
GOAL_QUESTIONS = [("baseline", "Baseline: What can the student currently do?"), ("target", "Annual goal/target"),
                  ("criteria", "Criteria"), ("method", "Method"), ("schedule", "Schedule"),
                  ("responsible", "Person(s) responsible")]
# Parts of a section that belong to other age strands: left out of this student's IEP.
STRAND_ONLY = {
    (Section.Kind.VISION, "learn_this_year"): {"3-5", "5-14"},
    (Section.Kind.VISION, "by_finish"): {"3-5", "5-14"},
    (Section.Kind.PLACEMENT, "ec_hours_per_week"): {"3-5"},
    (Section.Kind.PLACEMENT, "ec_inclusive_share"): {"3-5"},
}
MAJORITY_FIELDS = ("majority_informed_date", "majority_decision")
MAJORITY_AGE_FROM = 17  # the student and parent are told of the rights that transfer at 18 from age 17


def goal_printed(goal: Section) -> dict:
    content = goal.content or {}
    rows = [(label, str(content.get(name) or "—")) for name, label in GOAL_QUESTIONS
            if name in ("baseline", "target") or content.get(name)]
    return {"number": goal.position, "area": content.get("area", ""), "content": content, "rows": rows,
            "benchmarks": [b for b in content.get("benchmarks") or [] if b]}


def printed_rows(iep: IEP, kind: str, content: dict, *, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(question, answer) of a section's filled fields in form order, worded as the form words them, without
    the parts that belong to another age strand."""
    strand, questions = iep.age_strand, QUESTIONS.get(kind, {})
    return [(questions.get(name, label), value) for name, label, value in content_rows(kind, content)
            if name not in skip and strand in STRAND_ONLY.get((kind, name), {strand})]


def full_sections(iep: IEP, by_kind: dict, context: dict) -> list[dict]:
    """Sections 1-17 in the form's order, then the placement, each with what it prints."""
    shown: list[dict] = []
    strand, age = iep.age_strand, iep.student_age

    def content(kind) -> dict:
        return by_kind[kind].content if kind in by_kind else {}

    for kind in Section.Kind.values:
        if kind in (Section.Kind.PROGRESS_REPORTING, Section.Kind.PLACEMENT):
            continue  # printed inside section 10 and after section 17
        if kind == Section.Kind.AP_ACADEMICS:
            shown.append({"title": ACCESS_GROUP, "template": "group"})
        if kind == Section.Kind.GOAL:
            shown.append({"title": HEADINGS[kind], "template": "goals"})
            shown.append({"title": HEADINGS[Section.Kind.PROGRESS_REPORTING], "template": "rows", "level": 3,
                          "rows": printed_rows(iep, Section.Kind.PROGRESS_REPORTING,
                                               content(Section.Kind.PROGRESS_REPORTING))})
        elif kind == Section.Kind.ACCOMMODATIONS:
            shown.append({"title": HEADINGS[kind], "template": "accommodations"})
        elif kind == Section.Kind.SERVICE_GRID:
            shown.append({"title": HEADINGS[kind], "template": "grid"})
        elif kind == Section.Kind.TRANSITION:
            rows = printed_rows(iep, kind, content(kind), skip=MAJORITY_FIELDS)
            majority = printed_rows(iep, kind, {k: v for k, v in content(kind).items() if k in MAJORITY_FIELDS})
            if strand == "14-22" or rows:  # required from 14, allowed earlier: left out when not begun
                shown.append({"title": HEADINGS[kind], "template": "rows", "rows": rows})
            if age >= MAJORITY_AGE_FROM or majority:
                shown.append({"title": AGE_OF_MAJORITY, "template": "rows", "rows": majority,
                              "level": 3 if shown[-1]["title"] == HEADINGS[kind] else 2})
        else:
            shown.append({"title": HEADINGS[kind], "template": "rows", "rows": printed_rows(iep, kind, content(kind))})
    placement = [("Placement", context["placement"])] if context["placement"] else []
    placement += printed_rows(iep, Section.Kind.PLACEMENT, content(Section.Kind.PLACEMENT),
                              skip=("category", "other_description"))
    shown.append({"title": HEADINGS[Section.Kind.PLACEMENT], "template": "rows", "rows": placement})
    return shown
