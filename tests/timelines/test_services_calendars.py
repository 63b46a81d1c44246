import json
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from tests.factories import DistrictFactory
from tests.timelines.factories import ma_year
from timelines.engine import parse_calendar
from timelines.engine.demo_calendar import massachusetts_calendar
from timelines.exceptions import CalendarImportError
from timelines.models import SchoolCalendar
from timelines.services import calendar_import, calendar_to_ics, calendar_to_json, engine_calendar

pytestmark = pytest.mark.django_db


def same_days(document) -> list:
    """A calendar's meaning: its years with their closures in date order (export sorts them)."""
    return [(y.name, y.first_day, y.last_day, sorted((c.start, c.end) for c in y.closed))
            for y in parse_calendar(document).years]


def test_cal_json_round_trips_through_import_and_export():
    district = DistrictFactory()
    document = massachusetts_calendar(2025)
    calendar_import(district=district, data=document)
    exported = calendar_to_json(district)
    assert same_days(exported) == same_days(document)
    assert [y["name"] for y in exported["school_years"]] == ["2025-2026", "2026-2027"]
    calendar_import(district=DistrictFactory(), data=json.loads(json.dumps(exported)))  # idempotent shape


def test_importing_again_replaces_years_by_name():
    district = DistrictFactory()
    calendar_import(district=district, data=massachusetts_calendar(2025))
    changed = massachusetts_calendar(2025, years=1)
    changed["school_years"][0]["closed"] = ["2025-10-14"]
    calendar_import(district=district, data=changed)
    assert SchoolCalendar.objects.filter(district=district).count() == 2
    assert SchoolCalendar.objects.get(district=district, label="2025-2026").closed == [
        {"start": "2025-10-14", "end": "2025-10-14", "description": ""}]


@pytest.mark.parametrize(("document", "message"), [
    ({"school_years": []}, "school_years"),
    ({"school_years": [{"first_day": "2025-09-03", "last_day": "2026-02-30"}]}, "2026-02-30"),
    ({"years": []}, "years"),
    ({"school_years": [{"first_day": "2025-09-03", "last_day": "2026-06-15", "closed": [
        {"start": "2025-12-31", "end": "2025-12-24"}]}]}, "closed"),
])
def test_a_bad_document_writes_nothing(document, message):
    district = DistrictFactory()
    with pytest.raises(CalendarImportError) as refused:
        calendar_import(district=district, data=document)
    assert message in str(refused.value)
    assert not SchoolCalendar.objects.exists()


def test_a_year_overlapping_another_one_of_the_district_is_refused_and_nothing_written():
    district = DistrictFactory()
    ma_year(district, 2025)
    document = {"school_years": [{"name": "2026-27", "first_day": "2026-08-26", "last_day": "2027-06-15"},
                                 {"name": "odd", "first_day": "2026-06-01", "last_day": "2026-06-30"}]}
    with pytest.raises(CalendarImportError, match="overlaps"):
        calendar_import(district=district, data=document)
    assert list(SchoolCalendar.objects.values_list("label", flat=True)) == ["2025-26"]


def test_model_validation_of_closures():
    district = DistrictFactory()
    year = SchoolCalendar(district=district, label="2025-26", first_day=date(2025, 8, 27), last_day=date(2026, 6, 16),
                          closed=[{"start": "2026-06-20", "end": "2026-06-20"}, {"start": "x", "end": "y"},
                                  {"start": "2025-10-14", "end": "2025-10-13"}])
    with pytest.raises(ValidationError) as refused:
        year.full_clean()
    messages = refused.value.message_dict["closed"]
    assert len(messages) == 3 and "outside the school year" in messages[0]


def test_engine_calendar_of_a_district_counts_its_closures():
    district = DistrictFactory()
    year = ma_year(district, 2025)
    calendar = engine_calendar([year])
    assert not calendar.is_school_day(date(2025, 10, 13))  # Indigenous Peoples Day
    assert calendar.is_school_day(date(2025, 10, 14))
    assert engine_calendar([]).school_days_after(date(2025, 10, 1), 1) is None


def test_ics_has_crlf_folded_lines_and_one_all_day_event_per_closure():
    district = DistrictFactory(name="Commonwealth " + "Very " * 20 + "Long District")
    closed = [{"start": "2025-09-01", "end": "2025-09-01", "description": "Labor Day, observed"},
              {"start": "2025-12-24", "end": "2026-01-01", "description": "Winter vacation"}]
    SchoolCalendar.objects.create(district=district, label="2025-26", first_day=date(2025, 8, 27),
                                  last_day=date(2026, 6, 16), closed=closed)
    text = calendar_to_ics(district, now=datetime(2025, 8, 1, 12, tzinfo=UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "X-WR-CALNAME:Commonwealth Very" in unfolded and "Long District school calendar" in unfolded
    assert unfolded.count("BEGIN:VEVENT") == 4  # first day, last day, two closures
    assert "DTSTART;VALUE=DATE:20251224\r\nDTEND;VALUE=DATE:20260102" in unfolded  # DTEND is exclusive
    assert "SUMMARY:No school: Labor Day\\, observed" in unfolded
    assert "DTSTAMP:20250801T120000Z" in unfolded
    assert len({line for line in lines if line.startswith("UID:")}) == 4


def test_import_and_exports_through_the_pages(personas, client):
    client.force_login(personas["district_admin"])
    district = personas["district"]
    response = client.post(f"/districts/{district.pk}/calendars/", {"text": json.dumps(massachusetts_calendar(2025))})
    assert response.status_code == 302
    assert SchoolCalendar.objects.filter(district=district).count() == 2
    exported = client.get(f"/districts/{district.pk}/calendar.json")
    assert same_days(json.loads(exported.content)) == same_days(massachusetts_calendar(2025))
    ics = client.get(f"/districts/{district.pk}/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not valid JSON"), ('{"school_years": [{"first_day": "2025-9-3"}]}', "Nothing was imported")])
def test_a_bad_import_shows_a_form_error_and_writes_nothing(text, message, personas, client):
    client.force_login(personas["district_admin"])
    response = client.post(f"/districts/{personas['district'].pk}/calendars/", {"text": text})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SchoolCalendar.objects.exists()
