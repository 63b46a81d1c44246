import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from progress.models import GoalPlan, MarkingPeriod, ProgressDocument, ProgressReport
from timelines.models import Deadline

pytestmark = pytest.mark.django_db


def test_demo_progress_is_written_for_past_periods_only_and_once():
    out = io.StringIO()
    call_command("seed_demo", "--students", "40", "--quiet", stdout=out)
    assert "Progress reports:" in out.getvalue()
    today = timezone.localdate()
    assert MarkingPeriod.objects.count() == 12  # four quarters of last, this and next school year
    reports = ProgressReport.objects.select_related("period", "iep")
    assert reports.exists()
    for report in reports:
        assert report.period.report_due < today
        assert report.iep.start_date <= report.period.report_due <= report.iep.end_date
        assert report.iep.status in ("accepted", "partially_accepted") and report.sufficient in ("yes", "no")
    # every document covers a period that has reports; the latest period has unsent and unwritten ones
    statuses = set(Deadline.objects.filter(key="progress_report").values_list("status", flat=True))
    assert "met" in statuses and "overdue" in statuses
    assert GoalPlan.objects.filter(target_value__isnull=False).exists()
    counts = (ProgressReport.objects.count(), ProgressDocument.objects.count())
    call_command("seed_demo", "--students", "40", "--quiet", stdout=io.StringIO())
    assert (ProgressReport.objects.count(), ProgressDocument.objects.count()) == counts
