"""OneRoster grading periods become the district's marking periods of progress reports (docs/roster-import.md)."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from progress.models import MarkingPeriod
from roster.models import ImportRun

from .builders import OneRosterSet

pytestmark = pytest.mark.django_db


def _periods(district):
    return sorted((p.school_year, p.name, p.start, p.end, p.report_due, p.school_id)
                  for p in MarkingPeriod.objects.filter(district=district))


def _with_quarters(district):
    files = OneRosterSet(district.org_code)
    files.sessions.append({"sourcedId": "gp2", "title": "Quarter 2", "type": "gradingPeriod",
                           "startDate": "2026-11-09", "endDate": "2027-01-29", "parentSourcedId": "sy27",
                           "schoolYear": "2027"})
    files.sessions.append({"sourcedId": "sem1", "title": "Semester 1", "type": "semester",
                           "startDate": "2026-08-27", "endDate": "2027-01-29", "parentSourcedId": "sy27",
                           "schoolYear": "2027"})
    return files


def test_grading_periods_become_marking_periods_once(personas, tmp_path, capsys):
    district = personas["district"]
    files = _with_quarters(district)
    folder = files.folder(tmp_path / "one")
    call_command("roster_import", str(folder), "--dry-run")
    assert MarkingPeriod.objects.filter(district=district).count() == 0  # the dry run writes nothing
    dry = ImportRun.objects.get(dry_run=True)
    assert dry.counts["marking_periods"] == {"created": 2, "updated": 0}

    call_command("roster_import", str(folder), "--district", district.org_code)
    # schoolYear 2027 is the 2026-27 school year; the report is due on the period's last day; the semester is no
    # grading period, so it is no marking period
    assert _periods(district) == [
        ("2026-27", "Quarter 1", date(2026, 8, 27), date(2026, 11, 6), date(2026, 11, 6), None),
        ("2026-27", "Quarter 2", date(2026, 11, 9), date(2027, 1, 29), date(2027, 1, 29), None)]

    capsys.readouterr()
    call_command("roster_import", str(folder))  # the same files again: nothing changes
    assert "No changes" in capsys.readouterr().out
    assert len(_periods(district)) == 2

    files.sessions[-2]["endDate"] = "2027-01-27"  # Quarter 2 now ends two days earlier
    call_command("roster_import", str(files.folder(tmp_path / "two")))
    last = ImportRun.objects.filter(dry_run=False).latest("pk")
    assert last.counts["marking_periods"] == {"created": 0, "updated": 1}
    assert _periods(district)[1][2:5] == (date(2026, 11, 9), date(2027, 1, 27), date(2027, 1, 27))


def test_an_overlapping_grading_period_is_a_row_error_and_nothing_is_written(personas, tmp_path):
    district = personas["district"]
    files = _with_quarters(district)
    files.sessions.append({"sourcedId": "gp3", "title": "Quarter 2b", "type": "gradingPeriod",
                           "startDate": "2027-01-04", "endDate": "2027-03-31", "parentSourcedId": "sy27",
                           "schoolYear": "2027"})
    with pytest.raises(CommandError, match="academicSessions.csv line 6"):
        call_command("roster_import", str(files.folder(tmp_path / "bad")), "--dry-run")
    run = ImportRun.objects.get()
    assert run.status == "invalid"
    # header is line 1; rows: sy27 (2), gp1 (3), gp2 (4), sem1 (5), gp3 (6)
    assert [(e["file"], e["line"]) for e in run.errors] == [("academicSessions.csv", 6)]
    assert "'gp3'" in run.errors[0]["message"] and "overlaps Quarter 2" in run.errors[0]["message"]
    assert MarkingPeriod.objects.filter(district=district).count() == 0


def test_a_district_period_already_there_that_overlaps_is_a_row_error(personas, tmp_path):
    district = personas["district"]
    MarkingPeriod.objects.create(district=district, school_year="2026-27", name="Typed term",
                                 start=date(2026, 10, 1), end=date(2026, 12, 20), report_due=date(2026, 12, 22))
    files = OneRosterSet(district.org_code)
    with pytest.raises(CommandError, match="overlaps Typed term"):
        call_command("roster_import", str(files.folder(tmp_path / "f")), "--district", district.org_code)
    run = ImportRun.objects.get()
    assert run.status == "invalid" and run.errors[0]["line"] == 3
    assert "overlaps Typed term" in run.errors[0]["message"]
    assert [p[1] for p in _periods(district)] == ["Typed term"]
