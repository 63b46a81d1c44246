import csv
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from progress import services
from progress.models import MarkingPeriod, ProgressDocument, ProgressReport
from timelines.models import Deadline

from .conftest import accepted_iep, filled

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(personas):
    """An IEP in force today with a period whose report date is a week from today (the worklist's current one)."""
    today = timezone.localdate()
    iep = accepted_iep(personas["student"], personas["team_chair"], start=today - timedelta(days=200))
    period = MarkingPeriod.objects.create(district=personas["district"], school_year="2026-27", name="Term 2",
                                          start=today - timedelta(days=60), end=today,
                                          report_due=today + timedelta(days=7))
    goals = list(iep.sections.goals().order_by("position"))
    return {**personas, "iep": iep, "period": period, "goals": goals, "today": today}


def test_a_provider_writes_a_report_in_place_and_marks_it_ready(client, live):
    client.force_login(live["team_sped"])
    page = client.get(reverse("progress:worklist"))
    assert page.status_code == 200 and page.content.decode().count("Not started") >= 2
    started = client.post(reverse("progress:report_start"), {"goal": live["goals"][0].pk, "period": live["period"].pk},
                          HTTP_HX_REQUEST="true")
    assert started.status_code == 200 and "Mark ready" in started.content.decode()
    report = ProgressReport.objects.get(goal=live["goals"][0])
    data = {**filled({"measured_on": live["today"].isoformat()}), "revision": 0}
    data.pop("benchmarks")
    data.update({"benchmark_0": "met", "benchmark_1": "in_progress"})
    saved = client.post(reverse("progress:report_edit", args=[report.pk]), {**data, "action": "autosave"},
                        HTTP_HX_REQUEST="true")
    assert "Saved at" in saved.content.decode()
    report.refresh_from_db()
    assert (report.status, report.revision, report.benchmarks[0]["status"]) == ("draft", 1, "met")
    ready = client.post(reverse("progress:report_edit", args=[report.pk]), {**data, "revision": 1, "action": "ready"},
                        HTTP_HX_REQUEST="true")
    assert ready.status_code == 200 and "Marked ready." in ready.content.decode()
    report.refresh_from_db()
    assert report.status == "ready"


def test_missing_answers_are_shown_on_the_form_and_nothing_is_marked_ready(client, live):
    client.force_login(live["team_sped"])
    report = services.report_start(goal=live["goals"][0], period=live["period"], user=live["team_sped"])
    answer = client.post(reverse("progress:report_edit", args=[report.pk]),
                         {"revision": 0, "narrative": "Some progress", "action": "ready"})
    assert answer.status_code == 400
    assert "Say whether the progress is sufficient" in answer.content.decode()
    report.refresh_from_db()
    assert (report.status, report.narrative) == ("draft", "")


def test_a_second_writer_sees_who_is_writing(client, live):
    report = services.report_start(goal=live["goals"][0], period=live["period"], user=live["team_sped"])
    services.report_check_out(report=report, user=live["team_sped"])
    client.force_login(live["team_teacher"])
    answer = client.get(reverse("progress:report_edit", args=[report.pk]), HTTP_HX_REQUEST="true")
    assert "is writing this report" in answer.content.decode()


def test_the_chair_finalises_downloads_and_records_sending(client, live, django_capture_on_commit_callbacks):
    for goal in live["goals"]:
        report = services.report_start(goal=goal, period=live["period"], user=live["team_sped"])
        services.report_save(report=report, user=live["team_sped"], data=filled({"measured_on": None,
                                                                                "measured_value": None}),
                             revision=0, ready=True)
    client.force_login(live["team_teacher"])
    assert client.post(reverse("progress:finalise", args=[live["student"].pk, live["period"].pk])).status_code == 403
    client.force_login(live["team_chair"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("progress:finalise", args=[live["student"].pk, live["period"].pk]))
    document = ProgressDocument.objects.get()
    document.refresh_from_db()
    assert document.status == "ready"  # rendered by the (eager) worker through the outbox
    download = client.get(reverse("progress:document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    sent = client.post(reverse("progress:document_sent", args=[document.pk]),
                       {"sent_on": live["today"].isoformat(), "method": "email"})
    assert sent.status_code == 302
    row = Deadline.objects.get(student=live["student"], key="progress_report", cycle=live["period"].report_due)
    assert (row.status, row.met_on) == ("met", live["today"])
    page = client.get(reverse("progress:student", args=[live["student"].pk]))
    assert "Sent" in page.content.decode() and "Download PDF" in page.content.decode()


def test_the_student_page_charts_measured_values_against_the_target(client, live):
    services.goal_plan_update(goal=live["goals"][0], responsible=[live["team_sped"]], target_value="100", unit="wpm")
    report = services.report_start(goal=live["goals"][0], period=live["period"], user=live["team_sped"])
    services.report_save(report=report, user=live["team_sped"], data={"measured_value": "78",
                                                                     "measured_on": live["today"]}, revision=0)
    client.force_login(live["building_admin"])
    html = client.get(reverse("progress:student", args=[live["student"].pk])).content.decode()
    assert '<svg class="app-progress-chart" role="img"' in html and "Target 100" in html
    assert "<td>78 wpm</td>" in html  # the same number in the table


def test_marking_periods_page_refuses_overlap_naming_the_field(client, live):
    client.force_login(live["district_admin"])
    url = reverse("progress:periods", args=[live["district"].pk])
    answer = client.post(url, {"form": "add", "school_year": "2026-27", "name": "Overlap",
                               "start": live["today"].isoformat(), "end": live["today"].isoformat(),
                               "report_due": live["today"].isoformat()})
    assert answer.status_code == 400 and "overlaps Term 2" in answer.content.decode()
    assert MarkingPeriod.objects.filter(name="Overlap").count() == 0
    client.force_login(live["team_chair"])
    assert client.get(url).status_code == 403


def test_oversight_lists_overdue_reports_by_school_provider_and_chair_with_csv(client, live):
    day = live["today"] - timedelta(days=100)
    old = MarkingPeriod.objects.create(district=live["district"], school_year="2026-27", name="Term 1",
                                       start=day - timedelta(days=60), end=day, report_due=day + timedelta(days=5))
    services.goal_plan_update(goal=live["goals"][0], responsible=[live["team_sped"]])
    services.progress_deadlines_refresh(student_ids=[live["student"].pk])
    assert Deadline.objects.get(key="progress_report", cycle=old.report_due).status == "overdue"
    client.force_login(live["district_admin"])
    html = client.get(reverse("progress:oversight")).content.decode()
    assert live["school_a"].name in html and live["team_sped"].get_full_name() in html
    live["student"].local_id = "L-0042"
    live["student"].save(update_fields=["local_id"])
    export = client.get(reverse("progress:overdue") + "?format=csv&chair=" + live["team_chair"].get_full_name())
    text = b"".join(export.streaming_content).decode()
    assert text.startswith("\ufeff")  # the shared CSV writer (config/exports.py)
    header, row = list(csv.reader(text[1:].splitlines()))
    assert header[:3] == ["Student", "SASID", "Local ID"] and "Student ID" not in header
    assert row[0].startswith(live["student"].last_name)
    assert row[1:3] == [live["student"].sasid, "L-0042"] and str(live["student"].pk) not in row
    client.force_login(live["other_district_admin"])
    assert live["student"].last_name not in client.get(reverse("progress:overdue")).content.decode()
