"""What the printed documents say: next steps by the IEP's status, the Team heading, download file names."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import AccessLogEntry
from iep.models import IEP
from iep.pdf.context import build_context
from iep.pdf.filenames import content_disposition, download_names
from iep.pdf.render import render_html, render_pdf
from iep.pdf.sample import sample_iep
from iep.pdf.services import document_render, document_request
from iep.services.sections import iep_propose, iep_record_response
from tests.iep.pdf_helpers import pages_text
from timelines.services import timeline_event_record

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def draft(personas):
    from timelines.engine.demo_calendar import massachusetts_calendar
    from timelines.services import calendar_import

    calendar_import(district=personas["district"], data=massachusetts_calendar(2025))  # 2025-26 and 2026-27
    iep = sample_iep(student=personas["student"], user=personas["team_chair"], goals=2, lines=2)
    IEP.objects.filter(pk=iep.pk).update(last_evaluation_date=datetime.date(2025, 10, 1))
    return iep


def steps(iep, today=TODAY) -> list[tuple[str, datetime.date | None]]:
    return [(step.text, step.due) for step in build_context(iep, "summary", today=today)["next_steps"]]


def respond(iep, chair, response, on=datetime.date(2026, 11, 20), **extra):
    proposed = iep_propose(iep=iep, user=chair)
    return iep_record_response(iep=proposed, user=chair,
                               content={"response": response, "response_date": on.isoformat(), **extra})


def test_a_draft_lists_the_proposal_due_and_then_the_response_window(draft):
    printed = steps(draft)
    assert printed[0] == ("The proposed IEP and placement are sent to you no later than", datetime.date(2026, 9, 9))
    assert printed[-1][0].startswith("Then you have 30 days from the day you receive the proposed IEP")
    assert not any("services" in text.lower() for text, _ in printed)


def test_a_proposed_iep_not_yet_received_says_the_window_starts_on_receipt(draft, personas):
    proposed = iep_propose(iep=draft, user=personas["team_chair"])
    (text, due), = steps(proposed)
    assert "30 days to respond start on the day you receive it" in text and due is None
    assert "no later than" not in text  # the proposal is no longer due: it was sent


def test_a_proposed_iep_received_gives_the_response_due_date(draft, personas):
    proposed = iep_propose(iep=draft, user=personas["team_chair"])
    received = timezone.localdate()
    timeline_event_record(student=proposed.student, key="iep_received_by_parent", on=received,
                          user=personas["team_chair"])
    (text, due), = steps(proposed)
    assert text.startswith(f"You received the proposed IEP on {received:%m/%d/%Y}")
    assert due == received + datetime.timedelta(days=30)


def test_an_accepted_iep_gives_the_start_the_annual_review_and_the_reevaluation(draft, personas):
    accepted = respond(draft, personas["team_chair"], "accept")
    assert accepted.status == IEP.Status.ACCEPTED
    assert steps(accepted, today=datetime.date(2026, 8, 1)) == [
        ("Services start on", datetime.date(2026, 9, 1)),
        ("The Team meets again to review the IEP by", datetime.date(2027, 8, 31)),
        ("The student is reevaluated by", datetime.date(2028, 10, 1))]
    assert steps(accepted)[0] == ("Services started on", datetime.date(2026, 9, 1))
    whole = " ".join(pages_text(render_pdf(render_html(build_context(accepted, "summary", today=TODAY)))))
    assert "response is due" not in whole and "no later than" not in whole


def test_a_partial_acceptance_adds_the_bsea_copy_due(draft, personas):
    partial = respond(draft, personas["team_chair"], "reject_portions", rejected_portions=["Goal 2"])
    printed = steps(partial)
    assert printed[0] == ("The services you accepted started on", datetime.date(2026, 9, 1))
    assert ("The district sends a copy of the rejected portions to the Bureau of Special Education Appeals by",
            datetime.date(2026, 11, 25)) in printed


def test_a_rejection_gives_the_bsea_copy_due_and_what_stays_in_force(draft, personas):
    chair = personas["team_chair"]
    earlier = sample_iep(student=draft.student, user=chair, goals=1, lines=1, start=datetime.date(2025, 9, 1),
                         meeting=datetime.date(2025, 8, 26))
    respond(earlier, chair, "accept", on=datetime.date(2025, 8, 30))
    rejected = respond(draft, chair, "reject")
    printed = steps(rejected)
    assert printed[0] == ("The district sends a copy of the rejected IEP to the Bureau of Special Education "
                          "Appeals by", datetime.date(2026, 11, 25))
    assert printed[1][0].startswith("The last IEP you accepted (09/01/2025 to 08/31/2026) stays in force")


def test_without_recorded_attendance_the_summary_lists_the_team_and_says_so(draft, personas):
    context = build_context(draft, "summary", today=TODAY)
    assert context["attendance"] is None
    whole = " ".join(pages_text(render_pdf(render_html(context))))
    assert "Team members present" not in whole
    assert "Team members Attendance at the meeting was not recorded." in whole
    assert personas["team_chair"].get_full_name() in whole


@pytest.mark.parametrize(("last_name", "ascii_name", "utf8_name"), [
    ("Wong", "Wong-meeting-summary-2026-08-25.pdf", "Wong-meeting-summary-2026-08-25.pdf"),
    ("Nguyễn", "Nguyen-meeting-summary-2026-08-25.pdf", "Nguyễn-meeting-summary-2026-08-25.pdf"),
    ("O'Brien \"x\"; y/../z", "O-Brien-x-y-z-meeting-summary-2026-08-25.pdf",
     "O-Brien-x-y-z-meeting-summary-2026-08-25.pdf"),
    ("王", "student-meeting-summary-2026-08-25.pdf", "王-meeting-summary-2026-08-25.pdf"),
    ("L" * 100, "L" * 40 + "-meeting-summary-2026-08-25.pdf", "L" * 40 + "-meeting-summary-2026-08-25.pdf"),
])
def test_file_names_keep_only_letters_digits_and_hyphens(last_name, ascii_name, utf8_name):
    names = download_names(last_name=last_name, kind="summary", meeting_date=datetime.date(2026, 8, 25),
                           printed_at=None)
    assert names == (ascii_name, utf8_name)
    header = content_disposition(ascii_name=names[0], utf8_name=names[1])
    assert header.startswith(f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'')
    assert header.count('"') == 2 and "\n" not in header and "/" not in header


def test_a_download_is_named_after_the_student_and_logged(draft, personas, client):
    student = draft.student
    student.last_name = "Nguyễn"
    student.save()
    IEP.objects.filter(pk=draft.pk).update(meeting_date=None)
    document, _ = document_request(iep=draft, kind="full", user=personas["team_chair"])
    document = document_render(document_id=document.pk)
    client.force_login(personas["team_teacher"])
    before = AccessLogEntry.objects.filter(student=student, part="pdf").count()
    response = client.get(f"/documents/{document.pk}/download/")
    assert response.status_code == 200
    printed = timezone.localtime(document.rendered_at).date()
    assert response["Content-Disposition"] == (
        f'attachment; filename="Nguyen-full-IEP-{printed:%Y-%m-%d}.pdf"; '
        f"filename*=UTF-8''Nguy%E1%BB%85n-full-IEP-{printed:%Y-%m-%d}.pdf")
    entry = AccessLogEntry.objects.filter(student=student, part="pdf").order_by("-pk").first()
    assert AccessLogEntry.objects.filter(student=student, part="pdf").count() == before + 1
    assert (entry.user, entry.method, entry.object_id) == (personas["team_teacher"], "GET", str(document.pk))
