import datetime

import pytest

from iep.models import Section
from iep.services.sections import goal_add, iep_create

GOAL = {"area": "Reading fluency", "baseline": "Reads 60 words per minute.", "target": "Reads 100 words per minute.",
        "benchmarks": ["75 wpm by November", "90 wpm by March"]}


@pytest.fixture
def iep(personas):
    """A draft IEP of the personas' student (age 11 on the meeting date), with two goals."""
    draft = iep_create(student=personas["student"], user=personas["team_chair"], start_date=datetime.date(2026, 9, 1),
                       meeting_date=datetime.date(2026, 8, 25), case_manager=personas["team_sped"])
    goal_add(iep=draft, user=personas["team_sped"], content=GOAL)
    goal_add(iep=draft, user=personas["team_sped"], content={**GOAL, "area": "Written expression"})
    return draft


def section_of(iep, kind) -> Section:
    return iep.sections.get(kind=kind)


def line(goals, **overrides) -> dict:
    return {"group": "C", "goals": goals, "service_type": "Reading instruction",
            "provided_by": "Special Education Teacher", "location": "Learning center", "frequency": 5, "minutes": 45,
            "start_date": "2026-09-01", "end_date": "2027-06-15", **overrides}


def held(section: Section, user) -> Section:
    """Check `section` out to `user` (freeing it from whoever held it) and return it: writes need the lease."""
    from iep.models import SectionLock
    from iep.services.locks import section_check_out

    SectionLock.objects.filter(section=section).update(holder=None, acquired_at=None, expires_at=None)
    section_check_out(section=section, user=user)
    return section
