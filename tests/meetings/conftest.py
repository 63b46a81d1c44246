import datetime

import pytest
from django.utils import timezone

from meetings.services import meeting_schedule
from tests.factories import GuardianFactory

TODAY = datetime.date(2026, 10, 5)  # a Monday, for the services' `today=`


@pytest.fixture
def guardians(personas):
    student = personas["student"]
    return [GuardianFactory(student=student, name="Ana Souza", preferred_language="Portuguese",
                            is_primary_contact=True),
            GuardianFactory(student=student, name="Rui Souza", relationship="guardian")]


@pytest.fixture
def meeting(personas, guardians):
    """An annual review next week (relative to TODAY), scheduled by the chair."""
    return meeting_schedule(student=personas["student"], user=personas["team_chair"], meeting_type="annual_review",
                            date=TODAY + datetime.timedelta(days=7), start_time=datetime.time(9, 30),
                            location="Room 12, Lincoln Elementary", purpose="Review the IEP and write next year's.",
                            today=TODAY)


@pytest.fixture
def live_meeting(personas, guardians):
    """A meeting today in real time (pages and the API use the real date)."""
    return meeting_schedule(student=personas["student"], user=personas["team_chair"], meeting_type="annual_review",
                            date=timezone.localdate(), start_time=datetime.time(14, 0), location="Room 4",
                            purpose="Annual review.")
