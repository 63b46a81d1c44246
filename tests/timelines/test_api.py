from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.timelines.factories import TimelineEventFactory
from timelines.models import TimelineEvent
from timelines.services import deadlines_recompute

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client():
    return APIClient()


@pytest.mark.parametrize(("persona", "count"), [("team_teacher", 1), ("district_admin", 1),
                                                ("same_school_teacher", 0), ("other_district_admin", 0)])
def test_deadlines_are_listed_only_for_visible_students(persona, count, personas, api_client):
    TimelineEventFactory(student=personas["student"], key="records_requested", date=date(2025, 10, 6))
    deadlines_recompute(student_ids=[personas["student"].pk])
    api_client.force_authenticate(personas[persona])
    body = api_client.get("/api/deadlines/", {"student": personas["student"].pk}).json()
    assert body["count"] == count
    if count:
        assert body["results"][0]["citation"] == "603 CMR 23.07(2)"


# out of scope: the student is looked up among the visible ones, so the answer is the 400 "does not exist" that
# an unknown id gets (docs/security.md, "Existence is never revealed")
@pytest.mark.parametrize(("persona", "status"), [("team_chair", 201), ("district_admin", 403),
                                                 ("other_district_admin", 400)])
def test_recording_an_event_through_the_api(persona, status, personas, api_client):
    api_client.force_authenticate(personas[persona])
    response = api_client.post("/api/timeline-events/", {"student": personas["student"].pk, "key": "iee_requested",
                                                         "date": "2025-10-06"}, format="json")
    assert response.status_code == status
    assert TimelineEvent.objects.count() == (status == 201)


def test_bad_events_answer_400_with_field_errors(personas, api_client):
    api_client.force_authenticate(personas["team_chair"])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api_client.post("/api/timeline-events/", {"student": personas["student"].pk,
                                                         "key": "iee_requested", "date": tomorrow}, format="json")
    assert response.status_code == 400 and "date" in response.json()
    response = api_client.post("/api/timeline-events/", {"student": personas["student"].pk, "key": "nope",
                                                         "date": "2025-02-30"}, format="json")
    assert response.status_code == 400 and {"key", "date"} <= set(response.json())
