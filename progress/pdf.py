"""The progress report document: HTML from the stored reports, PDF through the IEP documents' pipeline (WeasyPrint,
Letter, tagged PDF/UA-1, the print stylesheet with running student name, date of birth and "Page X of Y")."""

from django.template.loader import render_to_string
from django.utils import timezone

from iep.pdf.render import css_string, font_dir
from iep.pdf.render import render_pdf as _render_pdf

from .models import ProgressDocument, ProgressReport

TITLE = "Progress report on IEP goals"


def render_html(*, document: ProgressDocument, goals: list, reports: list[ProgressReport]) -> str:
    """The printed HTML of `document`: every goal in force with its text, the progress and the two answers."""
    student = document.student
    by_goal = {r.goal_id: r for r in reports}
    name = f"{student.last_name}, {student.first_name}" + (f" {student.middle_name}" if student.middle_name else "")
    context = {
        "student": student, "iep": document.iep, "period": document.period, "document": document,
        "goals": [{"goal": g, "content": g.content or {}, "report": by_goal.get(g.pk)} for g in goals],
        "finalised_on": timezone.localdate(document.finalised_at),
        "running_name": css_string(name), "running_dob": css_string(f"{student.date_of_birth:%m/%d/%Y}"),
        "running_title": css_string(f"{student.district.name}: {TITLE}"), "font_dir": font_dir(), "is_draft": False,
        "title": TITLE,
    }
    return render_to_string("iep/pdf/progress_report.html", context)


def render_pdf(html: str) -> bytes:
    return _render_pdf(html)
