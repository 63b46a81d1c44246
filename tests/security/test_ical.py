"""iCalendar text is escaped everywhere (RFC 5545): data can never start a property of its own."""

from datetime import UTC, date, datetime

import pytest

from config import ical
from tests.factories import DistrictFactory
from timelines.models import SchoolCalendar
from timelines.services import calendar_to_ics

pytestmark = pytest.mark.django_db


def test_text_escapes_specials_and_every_kind_of_line_break():
    assert ical.text("a;b,c\\d") == "a\\;b\\,c\\\\d"
    assert ical.text("one\r\ntwo\rthree\nfour") == "one\\ntwo\\nthree\\nfour"
    assert ical.text("bell\x07") == "bell"


def test_uid_keeps_a_safe_alphabet():
    assert ical.uid("2025-26\r\nATTACH:http://x", "first") == "2025-26--ATTACH-http---x-first"


def test_a_line_break_in_a_school_year_label_cannot_inject_a_property():
    district = DistrictFactory(name="Evil\r\nX-INJECTED:1 District")
    SchoolCalendar.objects.create(district=district, label="25\r\nATTACH:x", first_day=date(2025, 8, 27),
                                  last_day=date(2026, 6, 16),
                                  closed=[{"start": "2025-09-01", "end": "2025-09-01", "description": "a\nRRULE:x"}])
    text = calendar_to_ics(district, now=datetime(2025, 8, 1, 12, tzinfo=UTC))
    names = {line.split(":", 1)[0].split(";", 1)[0] for line in text.replace("\r\n ", "").split("\r\n") if line}
    assert names <= {"BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "X-WR-CALNAME", "UID", "DTSTAMP", "DTSTART",
                     "DTEND", "SUMMARY", "TRANSP"}
    assert "\r" not in text.replace("\r\n", "") and "\n" not in text.replace("\r\n", "")
