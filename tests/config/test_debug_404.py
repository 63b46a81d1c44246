"""`make run` runs with DEBUG on: an unknown URL or a view's Http404 still answers with the project's 404 page
(config/debug_404.py), never Django's technical page listing every URL pattern."""

import pytest

pytestmark = pytest.mark.django_db

TECHNICAL = ("Using the URLconf", "URLconf defined in", "DEBUG = True", "api/dashboard/", "admin/")


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


@pytest.mark.parametrize("path", ["/no-such-page/", "/students/not-a-number/", "/dashboard/nowhere"])
def test_an_unknown_url_shows_the_projects_404_page(debug, client, path):
    response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 404 and "Page not found" in body
    assert [template.name for template in response.templates][:1] == ["404.html"]
    assert not [marker for marker in TECHNICAL if marker in body]
    assert "Content-Security-Policy" in response  # the page goes through the same middleware as every other


def test_a_views_http404_shows_the_page_not_the_exception_text(debug, client, personas):
    client.force_login(personas["team_teacher"])
    response = client.get(f"/students/{personas['other_district'].pk + 10_000}/")
    body = response.content.decode()
    assert response.status_code == 404 and "Page not found" in body
    assert not [marker for marker in TECHNICAL if marker in body] and "Raised by" not in body
    assert "Sign out" in body  # the page knows who is signed in (base.html header)


def test_the_api_still_answers_json_and_known_pages_and_slash_redirects_are_untouched(debug, client, personas):
    assert client.get("/api/no-such-thing/").json() == {"detail": "Not found."}
    assert client.get("/students").status_code == 301  # APPEND_SLASH still redirects
    client.force_login(personas["team_teacher"])
    assert client.get("/students/").status_code == 200


def test_without_debug_the_handler404_page_is_unchanged(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()
