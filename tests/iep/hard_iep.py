"""The hardest IEP to print, built through the services: every field filled to its length limit with sentinel
texts (each answer starts with a word found nowhere else, so the layout test can find it), 12 goals with 12
benchmarks each, 40 service lines, the 14-22 strand (the student is 18: transition and age of majority), names
at their limits, and a recorded partial acceptance (so every section, the response included, is filled).

`size` scales texts longer than 200 characters down for a quicker run (1.0 = every text at its limit; shorter
texts, the ones that must fit narrow columns, are always at their limit).
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django import forms

from iep.models import IEP, Section
from iep.pdf.sample import _write
from iep.section_schemas import MAX_SERVICE_LINES, SCHEMAS, LinesField
from iep.services.sections import goal_add, iep_create, iep_propose, iep_record_response
from students.disabilities import Disability

MEETING = datetime.date(2026, 11, 16)
START = datetime.date(2026, 11, 20)
RESPONSE_DATE = datetime.date(2026, 11, 30)
WORDS = ("the student reads grade level texts with support and answers questions about them in writing "
         "during small group instruction while the team reviews progress every few weeks").split()
LONG_WORD = "Unbreakable" + "x" * 48  # a pasted link or a run of characters: must wrap inside its column


class Sentinels:
    """Unique first words: Zq0001, Zq0002, ... (no filler word starts with Zq)."""

    def __init__(self):
        self.numbers = itertools.count(1)

    def text(self, length: int, *, lines: bool = True) -> str:
        tag = f"Zq{next(self.numbers):04d}"
        parts, size, words = [tag], len(tag), itertools.cycle(WORDS)
        while True:
            word = LONG_WORD if size % 700 > 640 else next(words)
            sep = "\n" if lines and size // 500 != (size + len(word) + 1) // 500 else " "
            if size + 1 + len(word) > length:
                break
            parts.append(sep + word)
            size += 1 + len(word)
        return "".join(parts)


def _limit(max_length: int, size: float) -> int:
    """Texts up to 200 characters (names, grid cells, short answers) always at their limit; longer ones scaled."""
    return max_length if max_length <= 200 else max(200, int(max_length * size))


def filled(kind: str, s: Sentinels, *, size: float, iep: IEP, overrides: dict | None = None) -> dict:
    """Every field of the kind's form filled: texts to their limit, the first real choice, all multiple choices."""
    content: dict = {}
    for name, field in SCHEMAS[kind].base_fields.items():
        if isinstance(field, LinesField):
            content[name] = [s.text(_limit(field.item_max_length, size), lines=False)
                             for _ in range(field.max_items)]
        elif isinstance(field, forms.MultipleChoiceField):
            content[name] = [value for value, _ in field.choices if value]
        elif isinstance(field, forms.ChoiceField):
            content[name] = next(value for value, _ in field.choices if value)
        elif isinstance(field, forms.DateField):
            content[name] = RESPONSE_DATE.isoformat()
        elif isinstance(field, forms.DecimalField):
            content[name] = Decimal("60")
        elif isinstance(field, forms.CharField):
            content[name] = s.text(_limit(field.max_length, size), lines=field.max_length > 200)
    content.update(overrides or {})
    return content


def hard_iep(*, student, user, size: float = 1.0, goals: int = 12, lines: int = MAX_SERVICE_LINES) -> IEP:
    """The hard IEP of `student` (made 18, names at their limits), written by `user` (the Team chair)."""
    s = Sentinels()
    student.first_name = "Firstname" + "f" * 91
    student.middle_name = "Middle" + "m" * 94
    student.last_name = ("Wong-" + "Lastname" * 12)[:100]
    student.date_of_birth, student.grade = datetime.date(2008, 6, 1), "12"
    student.primary_disability, student.secondary_disability = Disability.AUTISM, Disability.COMMUNICATION
    student.save()
    iep = iep_create(student=student, user=user, start_date=START, meeting_date=MEETING,
                     last_evaluation_date=datetime.date(2025, 10, 1))
    goal_rows = [goal_add(iep=iep, user=user, content=filled(Section.Kind.GOAL, s, size=size, iep=iep))
                 for _ in range(goals)]
    sections = {x.kind: x for x in iep.sections.exclude(kind=Section.Kind.GOAL)}
    grid_lines = []
    for number in range(lines):
        grid_lines.append({"group": "ABC"[number % 3], "goals": [g.pk for g in goal_rows],
                           "service_type": s.text(200, lines=False), "provided_by": s.text(200, lines=False),
                           "location": s.text(200, lines=False), "frequency": 50, "minutes": 600,
                           "start_date": START.isoformat(), "end_date": iep.end_date.isoformat()})
    _write(sections[Section.Kind.SERVICE_GRID], user, {"lines": grid_lines})
    sections = {x.kind: x for x in iep.sections.exclude(kind=Section.Kind.GOAL)}
    disabilities = [d for d in Disability.values if d != Disability.DEVELOPMENTAL_DELAY]
    overrides = {
        Section.Kind.PROFILE: {"disabilities": disabilities, "primary_disability": Disability.AUTISM,
                               "secondary_disability": Disability.COMMUNICATION, "english_learner": "yes",
                               "assistive_technology": "yes"},
        Section.Kind.PARTICIPATION: {"needs_met_in_general_education": "no"},
        Section.Kind.TRANSPORTATION: {"mode": "related_service"},
        Section.Kind.SCHEDULE_ESY: {"modified_schedule": "yes", "esy": "yes",
                                    "esy_services": [line["service_type"] for line in grid_lines]},
        Section.Kind.TRANSITION: {"graduation_date": "2027-06-10", "ch688_discussed": "yes", "ch688_referral": "yes",
                                  "majority_informed_date": "2025-06-01"},
        Section.Kind.PLACEMENT: {"category": "other", "ec_hours_per_week": None, "ec_inclusive_share": ""},
    }
    overrides[Section.Kind.ASSESSMENTS] = {f"{area}_mode": "alternate" for area in
                                           ("ela", "history", "math", "science", "reading", "listening",
                                            "speaking", "writing")}
    for kind in Section.Kind.values:
        if kind in (Section.Kind.GOAL, Section.Kind.SERVICE_GRID, Section.Kind.RESPONSE):
            continue
        _write(sections[kind], user, filled(kind, s, size=size, iep=iep, overrides=overrides.get(kind)))
    iep = iep_propose(iep=iep, user=user)
    response = filled(Section.Kind.RESPONSE, s, size=size, iep=iep,
                      overrides={"response": "reject_portions", "meeting_requested": "yes",
                                 "placement_response": "meeting"})
    return iep_record_response(iep=iep, user=user, content=response)

