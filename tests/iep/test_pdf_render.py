import datetime

import pytest

from iep.models import IEP
from iep.pdf.context import build_context, calendar_for_district, next_steps
from iep.pdf.render import check_fonts, render_html, render_pdf
from iep.pdf.sample import sample_iep
from iep.services.sections import iep_propose
from tests.iep.pdf_helpers import pages_text, read_pdf, struct_elements

pytestmark = pytest.mark.django_db


@pytest.fixture
def printable(personas):
    from timelines.engine.demo_calendar import massachusetts_calendar
    from timelines.services import calendar_import

    calendar_import(district=personas["district"], data=massachusetts_calendar(2025))  # 2025-26 and 2026-27
    return sample_iep(student=personas["student"], user=personas["team_chair"], goals=10, lines=12)


def pdf_of(iep, kind) -> bytes:
    return render_pdf(render_html(build_context(iep, kind)))


def test_the_printed_fonts_are_installed():
    assert check_fonts() == []


def test_summary_prints_every_grid_line_goal_area_member_and_page_numbers(printable, personas):
    text = pdf_of(printable, "summary")
    pages = pages_text(text)
    whole = " ".join(pages)
    lines = printable.sections.get(kind="service_grid").content["lines"]
    assert len(lines) == 12
    for line in lines:
        assert line["service_type"] in whole
    for goal in printable.sections.goals():
        assert goal.content["area"] in whole
    for group in ("A. Consultation", "B. Special education", "C. Special education"):
        assert group in whole
    student = personas["student"]
    assert student.sasid in whole and student.school.name in whole
    assert "team_chair" in whole or personas["team_chair"].get_full_name() in whole
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Date of birth: 03/14/2015" in page
        assert student.last_name in page


def test_summary_next_steps_come_from_the_deadline_engine(printable):
    steps = next_steps(printable, printable.student, None)
    complete = next(step for step in steps if "no later than" in step.text)
    # Meeting Tuesday 08/25/2026, before the synthetic calendar's first day (Wednesday 09/02/2026):
    # five school days are 09/02, 09/03, 09/04, (Labor Day 09/07 closed) 09/08, 09/09.
    assert complete.due == datetime.date(2026, 9, 9)
    whole = " ".join(pages_text(pdf_of(printable, "summary")))
    assert "Wednesday, September 9, 2026" in whole
    assert calendar_for_district(printable.student.district).is_school_day(datetime.date(2026, 9, 9))


def test_without_the_district_calendar_the_summary_says_so_instead_of_guessing(personas):
    iep = sample_iep(student=personas["student"], user=personas["team_chair"], goals=1, lines=1)
    complete = next(step for step in next_steps(iep, iep.student, None) if "no later than" in step.text)
    assert complete.due is None and "calendar" in complete.text


def test_draft_carries_the_watermark_and_a_proposed_iep_does_not(printable, personas):
    draft = pdf_of(printable, "summary")
    assert "DRAFT" in " ".join(pages_text(draft))
    proposed = iep_propose(iep=printable, user=personas["team_chair"])
    assert proposed.status == IEP.Status.PROPOSED
    final = pdf_of(proposed, "summary")
    assert "DRAFT" not in " ".join(pages_text(final))


def test_the_watermark_is_an_artifact_outside_the_structure_tree(printable):
    context = build_context(printable, "summary")
    marked = render_pdf(render_html(context))
    unmarked = render_pdf(render_html({**context, "is_draft": False}))
    assert "DRAFT" in " ".join(pages_text(marked)) and "DRAFT" not in " ".join(pages_text(unmarked))
    assert struct_elements(marked) == struct_elements(unmarked)
    assert b"/Artifact" in read_pdf(marked).pages[0].get_contents().get_data()


def test_pdfs_are_tagged_with_language_title_and_table_headers(printable):
    data = pdf_of(printable, "summary")
    reader = read_pdf(data)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "en"
    assert root["/MarkInfo"]["/Marked"] is True or str(root["/MarkInfo"]["/Marked"]) == "True"
    assert reader.metadata.title.startswith("Team meeting summary: ")
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    elements = struct_elements(data)
    assert "Table" in " ".join(elements) and "/TH" in elements and "/H1" in elements


def test_full_iep_prints_every_section_in_order_with_benchmarks(printable):
    whole = " ".join(pages_text(pdf_of(printable, "full")))
    titles = ["1. Student and parent concerns", "2. Vision", "3. Student profile", "Access and Participation",
              "4. Present levels: academics", "8. Accommodations and modifications",
              "9. Participation in the general education setting", "10. Measurable annual goals",
              "Schedule of progress reporting", "11. Service delivery grid", "12. Transportation",
              "13. State and district-wide assessments", "14. Schedule modification and extended school year",
              "16. Additional information", "17. Response section", "Placement"]
    positions = [whole.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "70% in reading fluency by November" in whole
    assert "Student: What concern(s) do you want this IEP to address? I want to read chapter books." in whole
    # The student is 11: the 14-22 strand's transition planning is left out, and so is the age of majority.
    assert "15. Transition planning" not in whole and "Age of majority" not in whole


def test_full_iep_leaves_out_the_parts_of_other_age_strands(personas):
    from iep.pdf.context import full_sections

    iep = sample_iep(student=personas["student"], user=personas["team_chair"], goals=1, lines=1)
    context = build_context(iep, "full")
    vision = {"learn_this_year": "Fractions", "postsecondary_education": "College"}
    by_kind = {s.kind: s for s in iep.sections.exclude(kind="goal")}
    by_kind["vision"].content = vision
    rows = next(s for s in full_sections(iep, by_kind, context) if s["title"] == "2. Vision")["rows"]
    assert [label for label, _ in rows] == ["This year, I want to learn:", "Postsecondary goal: education/training"]
    student = iep.student
    student.date_of_birth = datetime.date(2008, 6, 1)  # 18 at the meeting: the 14-22 strand
    student.save()
    iep.refresh_from_db()
    iep.student = student
    sections = full_sections(iep, by_kind, context)
    rows = next(s for s in sections if s["title"] == "2. Vision")["rows"]
    assert [label for label, _ in rows] == ["Postsecondary goal: education/training"]
    titles = [s["title"] for s in sections]
    assert titles.index("15. Transition planning") + 1 == titles.index("Age of majority")


def test_at_a_glance_prints_accommodations_goal_targets_and_services(printable):
    pages = pages_text(pdf_of(printable, "glance"))
    whole = " ".join(pages)
    assert "Extended time (1.5x)" in whole and "Shortened writing tasks" in whole
    assert "will reach 85% accuracy in math calculation" in whole
    assert "Speech and language therapy 4" in whole
    assert len(pages) <= 3
