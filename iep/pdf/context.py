"""What each printed document holds ("What is printed" in spec/iep-form.md), read from the database.

Everything a template prints comes from here, so the printed HTML (the cache key's input) depends on
nothing else. Deadlines come from the pure engine (timelines.engine) against the district's calendar.
"""

from dataclasses import dataclass
from datetime import date

from accounts.models import TeamMembership
from timelines.engine import Case, Facts, SchoolCalendar, compute

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
NEXT_STEP_RULES = {
    "complete_iep": "The proposed IEP and placement are sent to you no later than",
    "complete_iep_on_request": "You asked for the complete IEP at the meeting: it is sent to you no later than",
    "iep_proposal": "Proposed IEP due within 45 school working days of consent, by",
    "placement_meeting": "Placement meeting held by",
    "parent_response": "Your response to the proposed IEP is due, 30 days after you receive it, by",
}


def calendar_for_district(district, around: date | None = None) -> SchoolCalendar:
    """The school calendar deadlines are counted on for `district`: its stored school years (timelines app).

    A district that has not loaded the years a deadline falls in gets no date for it ("calendar missing",
    decision 10), never a guess from some other calendar. `around` is kept for callers; the whole stored
    calendar is used.
    """
    from timelines.services import engine_calendars

    return engine_calendars([district.pk])[district.pk]


@dataclass(frozen=True)
class NextStep:
    text: str
    due: date | None
    citation: str


def next_steps(iep: IEP, student, consent_date: date | None) -> list[NextStep]:
    """The deadlines the meeting starts, from the engine: the proposed IEP (5 school days after the meeting,
    DESE policy memo SY2024-2025-6), within 45 school working days of consent, the parent's 30 days."""
    if iep.meeting_date is None:
        return []
    events = {"team_meeting": iep.meeting_date}
    if consent_date and iep.meeting_type in (IEP.MeetingType.INITIAL, IEP.MeetingType.REEVALUATION):
        events["consent_received"] = consent_date
    if iep.proposed_at is not None:
        events["iep_received_by_parent"] = iep.proposed_at.date()
    case = Case(events=events, facts=Facts(eligibility="eligible"), date_of_birth=student.date_of_birth)
    results = compute(case, calendar_for_district(student.district, iep.meeting_date))
    missing = " (no date: the district's school calendar for that period is not loaded)"
    steps = [NextStep(NEXT_STEP_RULES[r.key] + (missing if r.due is None else ""), r.due, r.citation)
             for r in results if r.key in NEXT_STEP_RULES]
    if "iep_received_by_parent" not in events:
        steps.append(NextStep("You have 30 days from the day you receive the proposed IEP to respond.", None,
                              "603 CMR 28.05(7)(a)"))
    return steps


def grid_groups(iep: IEP, grid: Section | None, goals: list[Section]) -> list[dict]:
    """The service delivery grid as printed: groups A, B, C, each with its lines and minutes per cycle."""
    lines = (grid.content.get("lines") if grid else None) or []
    numbers = {goal.pk: goal.position for goal in goals}
    summary = service_grid_summary(iep, grid.content if grid else {})
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


def build_context(iep: IEP, kind: str) -> dict:
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
    consent = (student.evaluations.filter(consent_date__isnull=False).order_by("-consent_date")
               .values_list("consent_date", flat=True).first())
    summary = service_grid_summary(iep, grid.content if grid else {})
    placement = by_kind.get(Section.Kind.PLACEMENT)
    context = {
        "kind": kind,
        "iep": iep,
        "student": student,
        "is_draft": iep.status == IEP.Status.DRAFT,
        "team": team,
        "contact": chair,
        "goals": [{"number": g.position, "area": g.content.get("area", ""), "content": g.content} for g in goals],
        "grid": grid_groups(iep, grid, goals),
        "grid_summary": summary,
        "placement": placement_text(iep, placement.content if placement else {}, summary.derived_placement),
        "accommodations": accommodation_grids(by_kind[Section.Kind.ACCOMMODATIONS].content
                                              if Section.Kind.ACCOMMODATIONS in by_kind else {}),
    }
    if kind == "summary":
        context["next_steps"] = next_steps(iep, student, consent)
        context["attendance"] = summary_attendance(iep)
    if kind == "full":
        context["sections"] = full_sections(sections, context)
    return context


def full_sections(sections: list[Section], context: dict) -> list[dict]:
    """Every section in the form's order, each with what it prints; the placement follows the grid."""
    shown, goals_done = [], False
    special = {Section.Kind.ACCOMMODATIONS: "accommodations", Section.Kind.SERVICE_GRID: "grid",
               Section.Kind.PLACEMENT: None}
    for section in sections:
        if section.kind == Section.Kind.GOAL:
            if not goals_done:
                shown.append({"title": "Measurable annual goals", "template": "goals"})
                goals_done = True
            continue
        if section.kind == Section.Kind.PROGRESS_REPORTING and not goals_done:
            shown.append({"title": "Measurable annual goals", "template": "goals"})
            goals_done = True
        if section.kind in special:
            if special[section.kind]:
                shown.append({"title": section.get_kind_display(), "template": special[section.kind]})
            if section.kind == Section.Kind.SERVICE_GRID:
                shown.append({"title": "Placement", "template": "placement"})
            continue
        if section.kind == Section.Kind.AP_ACADEMICS:
            shown.append({"title": "Access and Participation", "template": "group"})
        shown.append({"title": section.get_kind_display(), "template": "rows",
                      "rows": [(label, value) for _, label, value in content_rows(section.kind, section.content)]})
    return shown
