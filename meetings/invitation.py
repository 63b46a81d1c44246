"""What the invitation prints (34 CFR 300.322(b); docs/meetings.md), as the HTML the PDF is rendered from."""

from django.template.loader import render_to_string

from iep.pdf.render import css_string, font_dir

from . import selectors
from .models import Invitation, Meeting


def invitation_context(meeting: Meeting, invitation: Invitation | None = None) -> dict:
    student = meeting.student
    team = selectors.team_of(student)
    transition = selectors.transition_age(meeting)
    return {
        "meeting": meeting, "invitation": invitation, "student": student, "team": team,
        "chair": next((m for m in team if m.team_role == m.TeamRole.CHAIR), None),
        "guardians": list(student.guardians.all()),
        "interpreter_languages": selectors.interpreter_languages(student),
        "transition": transition, "student_age": selectors.student_age_at(meeting),
    }


def invitation_html(meeting: Meeting, invitation: Invitation | None = None) -> str:
    """The invitation's printed HTML, on the print stylesheet of the IEP documents (templates/iep/pdf/print.css)."""
    context = invitation_context(meeting, invitation)
    student = meeting.student
    name = f"{student.last_name}, {student.first_name}" + (f" {student.middle_name}" if student.middle_name else "")
    context.update(running_name=css_string(name), running_dob=css_string(f"{student.date_of_birth:%m/%d/%Y}"),
                   running_title=css_string(f"{student.district.name}: Invitation to a Team meeting"),
                   font_dir=font_dir(), is_draft=False)
    return render_to_string("meetings/pdf/invitation.html", context)
