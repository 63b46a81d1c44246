"""A student with an accepted IEP (2025-09-01 to 2026-08-31, two goals) and three marking periods of 2025-26."""

from datetime import UTC, date, datetime

import pytest

from iep.models import IEP
from iep.pdf.sample import sample_iep
from progress.models import MarkingPeriod
from tests.signin.conftest import smtp  # noqa: F401 (a real SMTP server of the test's own)

# "now" for the tests: after term 1's report date, before term 2's
NOW = datetime(2025, 12, 1, 15, 0, tzinfo=UTC)
TERMS = [("Term 1", date(2025, 9, 2), date(2025, 11, 14), date(2025, 11, 21)),
         ("Term 2", date(2025, 11, 17), date(2026, 2, 13), date(2026, 2, 20)),
         ("Term 3", date(2026, 2, 23), date(2026, 6, 16), date(2026, 6, 23))]


def accepted_iep(student, user, start=date(2025, 9, 1), goals=2) -> IEP:
    iep = sample_iep(student=student, user=user, goals=goals, lines=1, start=start,
                     meeting=start.replace(day=1))
    iep.status = IEP.Status.ACCEPTED
    iep.save()
    return iep


def make_periods(district, school=None, terms=TERMS) -> list[MarkingPeriod]:
    return [MarkingPeriod.objects.create(district=district, school=school, school_year="2025-26", name=name,
                                         start=start, end=end, report_due=due) for name, start, end, due in terms]


@pytest.fixture
def world(personas):
    iep = accepted_iep(personas["student"], personas["team_chair"])
    periods = make_periods(personas["district"])
    goals = list(iep.sections.goals().order_by("position"))
    return {**personas, "iep": iep, "periods": periods, "goals": goals}


def filled(report_fields=None) -> dict:
    return {"narrative": "Reads 78 words per minute, up from 60.", "measured_value": "78", "measured_on": "2025-11-10",
            "benchmarks": ["met", "in_progress"], "sufficient": "yes",
            "sufficiency_reason": "On track to reach 100 words per minute by August.", **(report_fields or {})}
