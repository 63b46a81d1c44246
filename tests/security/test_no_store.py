"""Pages, API responses and downloads with student data are never stored by a browser or proxy cache."""

import pytest

pytestmark = pytest.mark.django_db


def test_student_pages_api_and_downloads_send_no_store(client, personas):
    client.force_login(personas["district_admin"])
    student = personas["student"]
    for url in (f"/students/{student.pk}/", f"/api/students/{student.pk}/", f"/students/{student.pk}/timeline/",
                "/dashboard/deadlines.csv", f"/districts/{personas['district'].pk}/calendar.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url

