"""axe-core at WCAG 2.1 A and AA on every main page, and again after each htmx swap: zero violations.

The API docs (Swagger UI, a third-party page) are left out.
"""

import pytest

from iep.models import Section
from tests.browser.conftest import assert_accessible, axe_violations, log_in
from tests.browser.helpers import build_world

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips these tests with the reason (and fails them in CI)
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(personas):
    return build_world(personas)


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    assert_accessible(page, path)


def test_sign_in_page_and_its_error(new_page, personas):
    page = new_page()
    visit(page, "/accounts/login/")
    page.get_by_label("Username").fill(personas["team_teacher"].username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "the sign-in page with an error")


def test_team_pages_and_every_section_in_view_and_edit_mode(new_page, personas, world):
    student, iep = world["student"], world["iep"]
    page = new_page()
    log_in(page, personas["team_chair"], next_url="/students/")
    assert_accessible(page, "the student list")
    page.get_by_label("Name or SASID").fill(student.last_name)
    page.get_by_role("button", name="Search").click()  # htmx: the results are swapped in
    expect(page.locator("#student-results").get_by_role("status")).to_contain_text("1 student matches")
    assert_accessible(page, "the student list after the search swap")

    for path in (f"/students/{student.pk}/", f"/ieps/student/{student.pk}/", f"/ieps/student/{student.pk}/evaluations/",
                 f"/students/{student.pk}/timeline/", f"/ieps/{iep.pk}/", f"/ieps/{iep.pk}/glance/",
                 f"/ieps/{iep.pk}/header/", f"/ieps/{iep.pk}/goals/add/",
                 f"/ieps/sections/{world['grid'].pk}/lines/add/", f"/ieps/sections/{world['vision'].pk}/history/",
                 "/account/2fa/"):
        visit(page, path)
    editable = iep.sections.exclude(kind__in=[Section.Kind.RESPONSE, Section.Kind.SERVICE_GRID]).order_by("pk")
    for section in editable:
        visit(page, f"/ieps/sections/{section.pk}/edit/")  # checks the section out to the chair
    page.get_by_role("button", name="Discard changes").click()
    expect(page.get_by_role("status").filter(has_text="discarded")).to_be_visible()
    assert_accessible(page, "the IEP page after a discard")

    # Each section in edit mode inside the IEP page (the htmx swap), then discarded in place (another swap).
    page.goto(f"/ieps/{iep.pk}/")
    for section in editable:
        box = page.locator(f"#section-{section.pk}")
        box.get_by_role("link", name=f"Edit {section.title}", exact=True).click()
        expect(box.get_by_role("button", name="Discard changes")).to_be_visible()
        assert_accessible(page, f"{section.title} in edit mode on the IEP page")
        box.get_by_role("button", name="Discard changes").click()
        expect(page.locator("#status-region")).to_contain_text(f"Your changes to {section.title} were discarded")
        expect(box.get_by_role("link", name=f"Edit {section.title}", exact=True)).to_be_visible()
    assert_accessible(page, "the IEP page after the discard swaps")


def test_district_admin_pages(new_page, personas, world):
    district, student = personas["district"], world["student"]
    admin = personas["district_admin"]
    page = new_page()
    log_in(page, admin, next_url="/manage/")
    assert_accessible(page, "/manage/")
    for path in ("/manage/users/", "/manage/users/new/", f"/manage/users/{personas['team_teacher'].pk}/",
                 f"/manage/students/{student.pk}/team/", f"/students/{student.pk}/access-log/",
                 f"/districts/{district.pk}/calendars/", f"/districts/{district.pk}/calendars/new/",
                 "/dashboard/", f"/dashboard/districts/{district.pk}/", f"/dashboard/schools/{student.school_id}/",
                 "/dashboard/deadlines/?status=overdue", "/dashboard/caseload/", "/dashboard/my-teams/"):
        visit(page, path)
    response = page.goto(f"/ieps/sections/{world['vision'].pk}/edit/")  # in scope, but not on the Team
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    assert_accessible(page, "the not-allowed page")
    page.goto("/manage/users/new/")
    page.get_by_role("button", name="Create").first.click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_accessible(page, "the new-user form with errors")


def test_the_checker_sees_the_styled_page_and_catches_violations(new_page):
    """The checks above could pass vacuously: unstyled pages (no contrast to get wrong) or axe not running."""
    page = new_page()
    page.goto("/accounts/login/")
    button = page.get_by_role("button", name="Sign in")
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(0, 94, 162)"  # USWDS primary
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<p class="probe-faint">faint</p><img src="/static/none.png">');
        main.querySelector('.probe-faint').style.color = '#ddd';
    }""")
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"color-contrast", "image-alt"} <= found
