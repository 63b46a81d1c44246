"""Timelines rows for tests (rows only; services do the side effects)."""

from datetime import date

from factory.django import DjangoModelFactory

from timelines.engine.demo_calendar import massachusetts_school_year
from timelines.models import SchoolCalendar, TimelineEvent


def ma_year(district, first_year: int) -> SchoolCalendar:
    """A realistic Massachusetts school year (the engine's demo calendar) for `district`."""
    year = massachusetts_school_year(first_year)
    closed = [{"start": c, "end": c, "description": ""} if isinstance(c, str) else {**c, "description": ""}
              for c in year["closed"]]
    return SchoolCalendar.objects.create(district=district, label=f"{first_year}-{str(first_year + 1)[-2:]}",
                                         first_day=date.fromisoformat(year["first_day"]),
                                         last_day=date.fromisoformat(year["last_day"]), closed=closed)


class TimelineEventFactory(DjangoModelFactory):
    class Meta:
        model = TimelineEvent

    key = "referral_received"
    date = date(2025, 10, 6)
