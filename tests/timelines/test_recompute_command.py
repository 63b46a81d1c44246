from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import StudentFactory
from tests.timelines.factories import TimelineEventFactory, ma_year
from timelines.models import Deadline

pytestmark = pytest.mark.django_db


def test_recomputes_one_district_by_its_code_and_leaves_others_alone():
    mine, theirs = StudentFactory(), StudentFactory()
    for student in (mine, theirs):
        ma_year(student.district, 2025)
        TimelineEventFactory(student=student, key="referral_received", date=date(2025, 10, 6))
    out = StringIO()
    call_command("recompute_deadlines", "--district", mine.district.org_code, stdout=out)
    assert "Recomputed 1 students: 1 deadline rows written" in out.getvalue()
    assert list(Deadline.objects.values_list("student_id", flat=True)) == [mine.pk]
    call_command("recompute_deadlines", stdout=out)
    assert Deadline.objects.count() == 2


@pytest.mark.parametrize("reference", ["99999999", "424242", "Boston"])
def test_an_unknown_district_exits_2_with_one_line(reference):
    with pytest.raises(CommandError) as refused:
        call_command("recompute_deadlines", "--district", reference)
    assert refused.value.returncode == 2
    assert "no such district" in str(refused.value) and "\n" not in str(refused.value)
