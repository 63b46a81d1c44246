import pytest

from tests.auth_helpers import force_login_verified
from tests.factories import UserFactory
from tests.timelines.factories import ma_year
from timelines.models import SchoolCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    force_login_verified(client, UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_edits_a_school_year_and_recomputes_the_district(superuser_client, district,
                                                              django_capture_on_commit_callbacks):
    year = ma_year(district, 2025)
    with django_capture_on_commit_callbacks() as callbacks:
        response = superuser_client.post(f"/admin/timelines/schoolcalendar/{year.pk}/change/", {
            "district": district.pk, "label": "2025-26", "first_day": "2025-08-27", "last_day": "2026-06-16",
            "closed": '[{"start": "2025-10-13", "end": "2025-10-13", "description": "Columbus Day"}]'})
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert SchoolCalendar.objects.get().closed[0]["description"] == "Columbus Day"


def test_admin_refuses_a_closure_outside_the_year(superuser_client, district):
    year = ma_year(district, 2025)
    response = superuser_client.post(f"/admin/timelines/schoolcalendar/{year.pk}/change/", {
        "district": district.pk, "label": "2025-26", "first_day": "2025-08-27", "last_day": "2026-06-16",
        "closed": '[{"start": "2026-07-04", "end": "2026-07-04"}]'})
    assert response.status_code == 200 and "outside the school year" in response.content.decode()


def test_admin_pages_render(superuser_client, district):
    ma_year(district, 2025)
    for model in ("schoolcalendar", "timelineevent", "studentfacts", "deadline"):
        assert superuser_client.get(f"/admin/timelines/{model}/").status_code == 200
