import pytest

from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_login_page_has_labelled_fields(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<label class="usa-label" for="id_username">' in page
    assert 'href="#main-content"' in page


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/students/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_demo_style_login_then_district_admin_sees_students(client, personas):
    assert client.login(username="district_admin", password="correct horse battery staple")
    page = client.get("/students/")
    assert page.status_code == 200
    assert personas["student"].last_name in page.content.decode()


def test_teacher_sees_only_students_on_their_team(client, personas):
    not_mine = StudentFactory(school=personas["school_a"], district=personas["district"])
    client.force_login(personas["team_teacher"])
    page = client.get("/students/").content.decode()
    assert personas["student"].last_name in page
    assert not_mine.last_name not in page
    assert client.get(f"/students/{not_mine.pk}/").status_code == 404
    assert client.get(f"/students/{personas['student'].pk}/").status_code == 200


def test_other_district_admin_gets_404_not_403(client, personas):
    client.force_login(personas["other_district_admin"])
    assert client.get(f"/students/{personas['student'].pk}/").status_code == 404
    assert personas["student"].last_name not in client.get("/students/").content.decode()


def test_search_filters_and_paginates(client, personas):
    for n in range(30):
        StudentFactory(school=personas["school_a"], district=personas["district"], last_name=f"Zed{n:02d}")
    client.force_login(personas["district_admin"])
    page = client.get("/students/", {"q": "Zed"}).content.decode()
    assert "30 students match" in page and "Page 1 of 2" in page
    assert "Zed29" in client.get("/students/", {"q": "Zed", "page": 2}).content.decode()
    assert "No students match" in client.get("/students/", {"q": "Nobody"}).content.decode()


def test_htmx_search_returns_only_the_results_fragment(client, personas):
    client.force_login(personas["district_admin"])
    fragment = client.get("/students/", {"q": personas["student"].last_name}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert 'id="student-results"' in body and "<html" not in body


def test_api_lists_only_visible_students(client, personas):
    StudentFactory()  # another district's student
    client.force_login(personas["team_sped"])
    data = client.get("/api/students/").json()
    assert [row["id"] for row in data["results"]] == [personas["student"].pk]
    client.force_login(personas["other_district_admin"])
    assert client.get(f"/api/students/{personas['student'].pk}/").status_code == 404


def test_api_requires_authentication(client, personas):
    assert client.get("/api/students/").status_code in (401, 403)
