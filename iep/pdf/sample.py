"""A filled-in IEP for the PDF tests and bench: `goals` goals and `lines` service lines, through the services."""

from datetime import date

from ..models import IEP, Section
from ..services.locks import section_briefly_held
from ..services.sections import goal_add, iep_create, section_update

AREAS = ["Reading fluency", "Reading comprehension", "Written expression", "Math calculation", "Math problem solving",
         "Social pragmatics", "Executive functioning", "Expressive language", "Fine motor", "Self-advocacy",
         "Receptive language", "Organization"]
SERVICES = [("A", "Consultation", "Special Education Teacher", "General education classroom"),
            ("B", "Co-taught reading support", "Special Education Teacher", "General education classroom"),
            ("C", "Reading instruction", "Reading Specialist", "Learning center"),
            ("C", "Speech and language therapy", "Speech-Language Pathologist", "Therapy room"),
            ("B", "Math support", "Paraprofessional", "General education classroom"),
            ("C", "Occupational therapy", "Occupational Therapist", "OT room")]


def sample_iep(*, student, user, goals: int = 4, lines: int = 6, start: date = date(2026, 9, 1),
               meeting: date = date(2026, 8, 25)) -> IEP:
    """A draft IEP of `student` written by `user` with goals, a grid, accommodations, concerns and a placement."""
    iep = iep_create(student=student, user=user, start_date=start, meeting_date=meeting)
    goal_rows = []
    for number in range(goals):
        area = AREAS[number % len(AREAS)] + (f" {number // len(AREAS) + 1}" if number >= len(AREAS) else "")
        goal_rows.append(goal_add(iep=iep, user=user, content={
            "area": area, "baseline": f"Baseline for {area.lower()}: currently at 60% accuracy.",
            "target": f"By the end of the IEP period the student will reach 85% accuracy in {area.lower()}.",
            "criteria": "85% accuracy over 3 consecutive probes", "method": "Curriculum-based measures",
            "schedule": "Every two weeks", "responsible": "Special Education Teacher",
            "benchmarks": [f"70% in {area.lower()} by November", f"80% in {area.lower()} by March"]}))
    sections = {s.kind: s for s in iep.sections.exclude(kind=Section.Kind.GOAL)}
    grid_lines = []
    for number in range(lines):
        group, service, provider, location = SERVICES[number % len(SERVICES)]
        grid_lines.append({"group": group, "goals": [goal_rows[number % len(goal_rows)].pk] if goal_rows else [],
                           "service_type": f"{service} {number + 1}", "provided_by": provider, "location": location,
                           "frequency": 1 + number % 3, "minutes": 30, "start_date": start.isoformat(),
                           "end_date": iep.end_date.isoformat()})
    if goal_rows:
        _write(sections[Section.Kind.SERVICE_GRID], user, {"lines": grid_lines})
        _write(sections[Section.Kind.PROGRESS_REPORTING], user, {"schedule": "Quarterly, with report cards"})
    _write(sections[Section.Kind.CONCERNS], user, {
        "student_concerns": "I want to read chapter books.", "parent_concerns": "Reading at grade level."})
    _write(sections[Section.Kind.ACCOMMODATIONS], user, {
        "acc_classroom_presentation": "Directions read aloud", "acc_classroom_timing": "Extended time (1.5x)",
        "acc_classroom_setting": "Preferential seating", "mod_classroom_output": "Shortened writing tasks"})
    return iep


def _write(section: Section, user, content: dict) -> None:
    """Write a section the way the pages do: hold its lease for the length of the write."""
    with section_briefly_held(section=section, user=user):
        section_update(section=section, user=user, content=content, expected_version=section.version)
