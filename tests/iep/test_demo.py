import io
import os
import time

import pytest
from django.core.management import call_command

from iep.models import IEP, Evaluation, Section
from iep.section_schemas import form_for

pytestmark = pytest.mark.django_db
SEED_STUDENTS = int(os.environ.get("IEP_DEMO_STUDENTS", "150"))


def _seed(students):
    out = io.StringIO()
    started = time.monotonic()
    call_command("seed_demo", "--students", str(students), "--quiet", stdout=out)
    return out.getvalue(), time.monotonic() - started


def test_demo_ieps_are_realistic_complete_and_valid():
    output, took = _seed(SEED_STUDENTS)
    print(f"seed_demo --students {SEED_STUDENTS}: {took:.1f} s")
    assert "IEPs:" in output
    statuses = dict.fromkeys(IEP.Status.values, 0)
    for status in IEP.objects.values_list("status", flat=True):
        statuses[status] += 1
    assert statuses["accepted"] > statuses["draft"] > 0 and statuses["proposed"] > 0 and statuses["superseded"] > 0
    students = IEP.objects.values("student").distinct().count()
    assert students == SEED_STUDENTS
    expected = len(Section.Kind.values) - 1
    for iep in IEP.objects.prefetch_related("sections").select_related("student")[:200]:
        sections = list(iep.sections.all())
        assert len([s for s in sections if s.kind != "goal"]) == expected
        assert any(s.kind == "goal" and s.content["benchmarks"] for s in sections)
        for section in sections:
            if section.content and section.kind != "response":
                form = form_for(section.kind, section.content, iep=iep)
                assert form.is_valid(), (section.kind, iep.student.primary_disability, form.errors)
    assert Evaluation.objects.count() >= SEED_STUDENTS
    before = IEP.objects.count()
    _seed(SEED_STUDENTS)
    assert IEP.objects.count() == before  # running again adds nothing for students who have IEPs
