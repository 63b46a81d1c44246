from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from iep.models import IEP, Section
from progress import services
from progress.exceptions import InvalidInput, NotReady, ReportFinalised, ReportLocked, StaleReport
from progress.models import MarkingPeriod, ProgressDocument, ProgressReport
from progress.selectors import goals_in_force, periods_owed, worklist_for
from tests.factories import StudentFactory
from timelines.models import Deadline
from timelines.services import deadlines_recompute

from .conftest import NOW, accepted_iep, filled

pytestmark = pytest.mark.django_db


def _ready(report, user, **extra):
    return services.report_save(report=report, user=user, data=filled(extra), revision=report.revision, ready=True,
                                now=NOW)


# ---------------------------------------------------------------- periods

def test_a_period_that_ends_before_it_starts_is_refused_naming_end(world):
    with pytest.raises(InvalidInput) as refused:
        services.period_save(district=world["district"], school_year="2026-27", name="Q1", start=date(2026, 9, 10),
                             end=date(2026, 9, 1), report_due=date(2026, 9, 20))
    assert list(refused.value.errors) == ["end"]
    assert not MarkingPeriod.objects.filter(school_year="2026-27").exists()


def test_overlapping_periods_are_refused_and_nothing_is_written(world):
    with pytest.raises(InvalidInput) as refused:  # overlaps Term 2 (11/17 to 2/13) by one day
        services.period_save(district=world["district"], school_year="2025-26", name="Extra",
                             start=date(2026, 2, 13), end=date(2026, 2, 20), report_due=date(2026, 2, 27))
    assert "Term 2" in refused.value.errors["start"][0]
    assert MarkingPeriod.objects.filter(district=world["district"]).count() == 3


def test_a_school_may_have_its_own_periods_beside_the_districts(world):
    own = services.period_save(district=world["district"], school=world["school_a"], school_year="2025-26",
                               name="Trimester 1", start=date(2025, 9, 2), end=date(2025, 12, 1),
                               report_due=date(2025, 12, 8))
    assert own.school == world["school_a"]
    # the student's school now reports on its own periods of 2025-26, not the district's
    assert [p.name for p in periods_owed(world["iep"])] == ["Trimester 1"]


def test_csv_import_is_all_or_nothing_and_names_the_line(world):
    good = ("school_code,school_year,name,start,end,report_due\n"
            ",2026-27,Term 1,2026-09-01,2026-11-13,2026-11-20\n"
            f"{world['school_a'].code},2026-27,Q1,2026-09-01,2026-10-30,2026-11-06\n")
    made = services.periods_import_csv(district=world["district"], text=good)
    assert [(p.name, p.school_id) for p in made] == [("Term 1", None), ("Q1", world["school_a"].pk)]
    bad = ("school_code,school_year,name,start,end,report_due\n"
           ",2027-28,Term 1,2027-09-01,2027-11-13,2027-11-20\n"
           ",2027-28,Term 2,2027-11-10,2028-02-11,2028-02-18\n")  # overlaps line 2
    with pytest.raises(InvalidInput) as refused:
        services.periods_import_csv(district=world["district"], text=bad)
    assert refused.value.errors["start"][0].startswith("Line 3:")
    assert not MarkingPeriod.objects.filter(school_year="2027-28").exists()


# ---------------------------------------------------------------- what is owed

def test_the_periods_owed_are_those_whose_report_date_falls_inside_the_iep(world):
    MarkingPeriod.objects.create(district=world["district"], school_year="2026-27", name="Next T1",
                                 start=date(2026, 9, 1), end=date(2026, 11, 13), report_due=date(2026, 11, 20))
    assert [p.name for p in periods_owed(world["iep"])] == ["Term 1", "Term 2", "Term 3"]


def test_custom_dates_replace_the_report_cards(world):
    services.schedule_set(iep=world["iep"], mode="custom", dates=["2026-01-15", "2025-10-15"], now=NOW)
    owed = periods_owed(world["iep"])
    assert [(p.start, p.end) for p in owed] == [(date(2025, 9, 1), date(2025, 10, 15)),
                                                (date(2025, 10, 16), date(2026, 1, 15))]
    with pytest.raises(InvalidInput) as refused:
        services.schedule_set(iep=world["iep"], mode="custom", dates=["2027-01-15"], now=NOW)
    assert "dates" in refused.value.errors


def test_a_report_for_a_goal_not_in_force_is_refused(world):
    draft = IEP.objects.create(student=world["student"], start_date=date(2026, 9, 1), end_date=date(2027, 8, 31))
    goal = Section.objects.create(iep=draft, kind="goal", order=10, position=1, content={"area": "x", "target": "y"})
    with pytest.raises(InvalidInput) as refused:
        services.report_start(goal=goal, period=world["periods"][0], user=world["team_sped"])
    assert list(refused.value.errors) == ["period"]  # its period does not contain the report date
    draft.start_date, draft.end_date = date(2025, 9, 1), date(2026, 8, 31)
    draft.save()
    with pytest.raises(InvalidInput) as refused:
        services.report_start(goal=goal, period=world["periods"][0], user=world["team_sped"])
    assert list(refused.value.errors) == ["goal"]  # a draft is not in force
    assert not ProgressReport.objects.exists()


def test_a_period_outside_the_iep_is_refused_naming_period(world):
    later = MarkingPeriod.objects.create(district=world["district"], school_year="2026-27", name="Next T1",
                                         start=date(2026, 9, 1), end=date(2026, 11, 13), report_due=date(2026, 11, 20))
    with pytest.raises(InvalidInput) as refused:
        services.report_start(goal=world["goals"][0], period=later, user=world["team_sped"])
    assert "outside the IEP period" in refused.value.errors["period"][0]


def test_rejected_goals_are_not_in_force(world):
    iep = world["iep"]
    response = iep.sections.get(kind=Section.Kind.RESPONSE)
    Section.objects.filter(pk=response.pk).update(content={"response": "reject_portions",
                                                           "rejected_portions": ["Goal 2 (written expression)"]})
    iep.status = IEP.Status.PARTIALLY_ACCEPTED
    iep.save()
    assert [g.position for g in goals_in_force([iep])[iep.pk]] == [1]
    with pytest.raises(InvalidInput) as refused:
        services.report_start(goal=world["goals"][1], period=world["periods"][0], user=world["team_sped"])
    assert "rejected" in refused.value.errors["goal"][0]


# ---------------------------------------------------------------- writing

def test_a_report_becomes_ready_only_with_both_answers(world):
    report = services.report_start(goal=world["goals"][0], period=world["periods"][0], user=world["team_sped"])
    assert [b["status"] for b in report.benchmarks] == ["", ""]
    saved = services.report_save(report=report, user=world["team_sped"], data={"narrative": "Some progress."},
                                 revision=0, now=NOW)
    assert (saved.status, saved.revision) == ("draft", 1)
    with pytest.raises(InvalidInput) as refused:
        services.report_save(report=saved, user=world["team_sped"], data={}, revision=1, ready=True, now=NOW)
    assert set(refused.value.errors) == {"sufficient", "sufficiency_reason", "benchmarks"}
    ready = _ready(saved, world["team_sped"])
    assert ready.status == "ready" and ready.measured_value == 78
    edited = services.report_save(report=ready, user=world["team_sped"], data={"next_steps": "Add a probe."},
                                  revision=ready.revision, now=NOW)
    assert edited.status == "ready"  # still complete
    emptied = services.report_save(report=edited, user=world["team_sped"], data={"sufficiency_reason": ""},
                                   revision=edited.revision, now=NOW)
    assert emptied.status == "draft"  # an answer is missing again


def test_a_stale_revision_and_a_second_writer_are_refused(world):
    report = services.report_start(goal=world["goals"][0], period=world["periods"][0], user=world["team_sped"])
    services.report_save(report=report, user=world["team_sped"], data={"narrative": "a"}, revision=0, now=NOW)
    with pytest.raises(ReportLocked):  # the sped holds the report's lease while writing
        services.report_save(report=report, user=world["team_teacher"], data={"narrative": "b"}, revision=1, now=NOW)
    with pytest.raises(StaleReport):
        services.report_save(report=report, user=world["team_sped"], data={"narrative": "c"}, revision=0, now=NOW)
    services.report_release(report=report, user=world["team_sped"])
    saved = services.report_save(report=report, user=world["team_teacher"], data={"narrative": "b"}, revision=1,
                                 now=NOW)
    assert saved.narrative == "b"
    # the lease lapses: someone else may take over after the lease length
    later = NOW + timedelta(hours=1)
    assert services.report_save(report=saved, user=world["team_sped"], data={"narrative": "d"}, revision=2,
                                now=later).narrative == "d"


def test_bad_fields_are_refused_by_name_and_nothing_is_written(world):
    report = services.report_start(goal=world["goals"][0], period=world["periods"][0], user=world["team_sped"])
    for data, field in [({"measured_on": "2030-01-01"}, "measured_on"), ({"measured_value": "lots"}, "measured_value"),
                        ({"benchmarks": ["met"]}, "benchmarks"), ({"sufficient": "maybe"}, "sufficient"),
                        ({"narrative": "x" * 4001}, "narrative")]:
        with pytest.raises(InvalidInput) as refused:
            services.report_save(report=report, user=world["team_sped"], data=data, revision=0, now=NOW)
        assert field in refused.value.errors
    report.refresh_from_db()
    assert (report.revision, report.narrative, report.measured_value) == (0, "", None)


# ---------------------------------------------------------------- finalising

def _all_ready(world, period):
    for goal in world["goals"]:
        report = services.report_start(goal=goal, period=period, user=world["team_sped"])
        _ready(report, world["team_sped"])


def test_finalising_needs_every_goal_ready_then_makes_a_read_only_document(world):
    period = world["periods"][0]
    report = services.report_start(goal=world["goals"][0], period=period, user=world["team_sped"])
    _ready(report, world["team_sped"])
    with pytest.raises(NotReady) as refused:
        services.reports_finalise(student=world["student"], period=period, user=world["team_chair"], enqueue=False)
    assert "Goal 2" in str(refused.value)
    _all_ready(world, period)
    document = services.reports_finalise(student=world["student"], period=period, user=world["team_chair"],
                                         now=NOW, enqueue=False)
    assert document.version == 1
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {"finalised"}
    report.refresh_from_db()
    with pytest.raises(ReportFinalised):
        services.report_save(report=report, user=world["team_sped"], data={"narrative": "edit"},
                             revision=report.revision, now=NOW)
    with pytest.raises(ReportFinalised):
        services.reports_finalise(student=world["student"], period=period, user=world["team_chair"], enqueue=False)


def test_a_correction_is_a_new_version_with_a_reason_and_both_stay(world):
    period = world["periods"][0]
    _all_ready(world, period)
    services.reports_finalise(student=world["student"], period=period, user=world["team_chair"], now=NOW,
                              enqueue=False)
    first = ProgressReport.objects.get(goal=world["goals"][0], period=period)
    with pytest.raises(InvalidInput):
        services.report_correct(report=first, user=world["team_sped"], reason=" ")
    second = services.report_correct(report=first, user=world["team_sped"], reason="Wrong measurement date")
    assert (second.version, second.status, second.narrative) == (2, "draft", first.narrative)
    _ready(second, world["team_sped"], measured_on="2025-11-12")
    document = services.reports_finalise(student=world["student"], period=period, user=world["team_chair"],
                                         now=NOW, enqueue=False)
    assert (document.version, document.correction_reason) == (2, "Wrong measurement date")
    assert ProgressReport.objects.filter(goal=world["goals"][0], period=period).count() == 2
    assert ProgressDocument.objects.filter(student=world["student"], period=period).count() == 2
    assert "11/12/2025" in document.html and "Wrong measurement date" in document.html


def test_the_pdf_reads_back_with_every_goal_and_both_answers(world):
    period = world["periods"][0]
    _all_ready(world, period)
    document = services.reports_finalise(student=world["student"], period=period, user=world["team_chair"], now=NOW,
                                         enqueue=False)
    rendered = services.document_render(document_id=document.pk)
    assert rendered.status == "ready" and len(rendered.sha256) == 64
    reader = PdfReader(rendered.file.open("rb"))
    text = "\n".join(page.extract_text() for page in reader.pages)
    student = world["student"]
    for expected in (f"{student.last_name}, {student.first_name}", "Term 1 (2025-26)", "09/01/2025 to 08/31/2026",
                     "Goal 1: Reading fluency", "Goal 2: Reading comprehension", "Reads 78 words per minute",
                     "On track to reach 100", "Page 1 of"):
        assert expected in text, expected
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # Letter
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en"
    assert services.document_render(document_id=document.pk).sha256 == rendered.sha256  # idempotent
    # What a reader sees holds too: every word on the page, none overlapping, no rule through a word
    # (tests/iep/pdf_geometry.py, as for the IEP documents).
    from tests.iep.pdf_geometry import layout_violations

    rendered.file.open("rb")
    pdf = rendered.file.read()
    assert layout_violations(pdf) == []


# ---------------------------------------------------------------- deadlines

def test_progress_report_deadline_rows_follow_the_periods_and_sending(world):
    services.progress_deadlines_refresh(student_ids=[world["student"].pk], now=NOW)
    rows = {d.due: d for d in Deadline.objects.filter(student=world["student"], key="progress_report")}
    assert {due: d.status for due, d in rows.items()} == {
        date(2025, 11, 21): "overdue", date(2026, 2, 20): "upcoming", date(2026, 6, 23): "upcoming"}
    assert rows[date(2025, 11, 21)].citation.startswith("603 CMR 28.07(3)")
    period = world["periods"][0]
    _all_ready(world, period)
    document = services.reports_finalise(student=world["student"], period=period, user=world["team_chair"],
                                         now=NOW, enqueue=False)
    services.document_mark_sent(document=document, user=world["team_chair"], sent_on=date(2025, 12, 1),
                                method="mail", now=NOW)
    row = Deadline.objects.get(student=world["student"], key="progress_report", cycle=date(2025, 11, 21))
    assert (row.status, row.met_on) == ("met", date(2025, 12, 1))
    deadlines_recompute(student_ids=[world["student"].pk], now=NOW)  # the engine's recompute leaves them alone
    assert Deadline.objects.filter(student=world["student"], key="progress_report").exclude(
        status="not_applicable").count() == 3
    assert services.progress_deadlines_refresh(student_ids=[world["student"].pk], now=NOW) == 0  # idempotent


def test_sending_in_the_future_or_without_a_method_is_refused(world):
    period = world["periods"][0]
    _all_ready(world, period)
    document = services.reports_finalise(student=world["student"], period=period, user=world["team_chair"],
                                         now=NOW, enqueue=False)
    with pytest.raises(InvalidInput) as refused:
        services.document_mark_sent(document=document, user=world["team_chair"], sent_on=date(2025, 12, 2),
                                    method="pigeon", now=NOW)
    assert set(refused.value.errors) == {"sent_on", "method"}
    document.refresh_from_db()
    assert document.sent_on is None


# ---------------------------------------------------------------- worklist

def test_the_worklist_shows_each_owed_report_with_its_status(world):
    services.goal_plan_update(goal=world["goals"][0], responsible=[world["team_sped"]], target_value="100",
                              unit="words per minute")
    services.goal_plan_update(goal=world["goals"][1], responsible=[world["team_teacher"]])
    today = date(2025, 12, 1)  # term 2 is current
    items = worklist_for(world["team_sped"], today=today).items
    assert [(i.goal.position, i.period.name, i.status) for i in items] == [(1, "Term 2", "not_started")]
    report = services.report_start(goal=world["goals"][0], period=world["periods"][1], user=world["team_sped"])
    services.report_save(report=report, user=world["team_sped"], data={"narrative": "x"}, revision=0, now=NOW)
    assert [i.status for i in worklist_for(world["team_sped"], today=today).items] == ["draft"]
    assert [i.goal.position for i in worklist_for(world["team_teacher"], today=today).items] == [2]
    with pytest.raises(InvalidInput):
        services.goal_plan_update(goal=world["goals"][0], responsible=[world["same_school_teacher"]])


def test_the_worklist_reads_a_bounded_number_of_queries(world):
    from accounts.services import team_membership_add

    def count(user):
        with CaptureQueriesContext(connection) as queries:
            worklist_for(user, today=date(2025, 12, 1))
        return len(queries)

    few = count(world["team_sped"])
    for _ in range(4):
        student = StudentFactory(school=world["school_a"])
        team_membership_add(student=student, user=world["team_sped"])
        accepted_iep(student, world["team_chair"], goals=3)
    assert len(worklist_for(world["team_sped"], today=date(2025, 12, 1)).items) == 2 + 4 * 3
    assert count(world["team_sped"]) == few <= 10
