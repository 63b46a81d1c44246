"""An id outside the requester's scope is answered exactly like an id that does not exist (docs/security.md)."""

import pytest

from tests.factories import StudentFactory, UserFactory

pytestmark = pytest.mark.django_db
MISSING = 987654321


def _same_answer(client, url, body_for, outside_id):
    """POST with an out-of-scope id and with a missing id: same status, same body once the id is masked."""
    outside = client.post(url, body_for(outside_id), content_type="application/json")
    missing = client.post(url, body_for(MISSING), content_type="application/json")
    masked = outside.content.decode().replace(str(outside_id), "ID"), missing.content.decode().replace(str(MISSING),
                                                                                                     "ID")
    assert (outside.status_code, masked[0]) == (missing.status_code, masked[1]), (outside.content, missing.content)
    assert outside.status_code in (400, 404)


def test_recording_a_timeline_event_for_a_student_of_another_district(client, personas):
    foreign = StudentFactory(district=personas["other_district"], school=personas["other_school"])
    client.force_login(personas["team_chair"])
    _same_answer(client, "/api/timeline-events/",
                 lambda pk: {"student": pk, "key": "referral_received", "date": "2025-10-06"}, foreign.pk)


@pytest.mark.parametrize("url", ["/api/ieps/", "/api/evaluations/", "/api/team-memberships/"])
def test_other_writes_naming_a_student(client, personas, url):
    foreign = StudentFactory(district=personas["other_district"], school=personas["other_school"])
    client.force_login(personas["district_admin"])
    _same_answer(client, url, lambda pk: {"student": pk, "user": personas["team_teacher"].pk, "area": "educational",
                                          "start_date": "2026-09-01", "evaluator_name": "X"}, foreign.pk)


def test_giving_a_role_to_staff_of_another_district(client, personas):
    foreign = UserFactory(district=personas["other_district"])
    client.force_login(personas["district_admin"])
    _same_answer(client, "/api/manage/role-assignments/", lambda pk: {"user": pk, "role": "general_educator",
                                                                      "school": personas["school_a"].pk}, foreign.pk)


def test_giving_a_role_at_a_school_of_another_district(client, personas):
    client.force_login(personas["district_admin"])
    _same_answer(client, "/api/manage/role-assignments/",
                 lambda pk: {"user": personas["team_teacher"].pk, "role": "general_educator", "school": pk},
                 personas["other_school"].pk)
