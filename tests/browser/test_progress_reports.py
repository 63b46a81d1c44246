"""Progress reports in a real browser: a special educator writes both goals' reports in place on the worklist
(htmx, autosave), the chair finalises, the PDF is downloaded and read back, and the chair records the sending."""

from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from progress.models import MarkingPeriod, ProgressDocument, ProgressReport
from tests.browser.conftest import assert_accessible, log_in
from tests.progress.conftest import accepted_iep
from timelines.models import Deadline

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips these tests with the reason (and fails them in CI)
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(personas):
    today = timezone.localdate()
    iep = accepted_iep(personas["student"], personas["team_chair"], start=today - timedelta(days=200))
    period = MarkingPeriod.objects.create(district=personas["district"], school_year="2026-27", name="Term 2",
                                          start=today - timedelta(days=60), end=today,
                                          report_due=today + timedelta(days=7))
    return {"iep": iep, "period": period, "goals": list(iep.sections.goals().order_by("position")), "today": today}


def _write(page, goal, world, narrative, value):
    item = page.locator(f"#item-{goal.pk}-{world['period'].pk}")
    item.get_by_role("button", name="Write").click()
    expect(item.get_by_label("Progress made toward the goal")).to_be_visible()
    item.get_by_label("Progress made toward the goal").fill(narrative)
    item.get_by_label("Measured value").fill(value)
    expect(item.locator('[id^="autosave-"]')).to_contain_text("Saved at", timeout=10_000)  # autosaved
    report = ProgressReport.objects.get(goal=goal, period=world["period"])
    assert report.narrative == narrative and report.status == "draft"
    item.get_by_label("Measured on").fill(world["today"].isoformat())
    item.get_by_label("Benchmark 1:").select_option("met")
    item.get_by_label("Benchmark 2:").select_option("in_progress")
    item.get_by_label("Yes", exact=True).check()
    item.get_by_label("Why").fill("On track for the annual goal.")
    item.get_by_role("button", name="Mark ready").click()
    expect(item).to_contain_text("Marked ready.")
    expect(item).to_contain_text("Ready")


def test_a_provider_writes_the_reports_and_the_chair_finalises_prints_and_records_sending(new_page, personas, world):
    page = new_page(accept_downloads=True)
    log_in(page, personas["team_sped"], next_url="/progress/worklist/")
    expect(page.get_by_role("heading", name="My progress reports")).to_be_visible()
    assert_accessible(page, "the worklist")
    _write(page, world["goals"][0], world, "Reads 78 words per minute, up from 60.", "78")
    assert_accessible(page, "the worklist after writing")
    _write(page, world["goals"][1], world, "Answers 7 of 10 comprehension questions.", "7")
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {"ready"}

    chair = new_page(accept_downloads=True)
    log_in(chair, personas["team_chair"], next_url=f"/students/{personas['student'].pk}/progress/")
    chair.get_by_role("button", name="Finalise").click()
    expect(chair.locator(".usa-alert")).to_contain_text("Finalised Term 2")
    document = ProgressDocument.objects.get()
    expect(chair.get_by_role("link", name="Download PDF")).to_be_visible()  # rendered by the eager worker
    assert_accessible(chair, "the student's progress page")
    with chair.expect_download() as download:
        chair.get_by_role("link", name="Download PDF").click()
    text = "\n".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "Reads 78 words per minute" in text and "Answers 7 of 10" in text and "Term 2" in text
    chair.get_by_role("link", name="Record sending").click()
    chair.get_by_label("How it was sent").select_option("email")
    chair.get_by_role("button", name="Record").click()
    expect(chair.locator("body")).to_contain_text("Sent")
    document.refresh_from_db()
    assert (document.sent_on, document.sent_method) == (world["today"], "email")
    row = Deadline.objects.get(student=personas["student"], key="progress_report", cycle=world["period"].report_due)
    assert row.status == "met"
    page.goto("/progress/worklist/")
    expect(page.locator(f"#item-{world['goals'][0].pk}-{world['period'].pk}")).to_contain_text("Sent")
