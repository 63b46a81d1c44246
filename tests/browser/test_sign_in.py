"""Single sign-on in a real browser: a staff member signs in through the test OpenID Connect provider (its own
process on loopback, signing real RS256 tokens), an administrator without provider MFA is asked for a code, a
stranger is refused, and signing out offers the provider's sign-out."""

import pytest

from accounts.models import Role
from tests.browser.conftest import assert_accessible
from tests.factories import DistrictFactory, RoleAssignmentFactory, SchoolFactory, UserFactory
from tests.signin import conftest as sso

oidc_server, idp, make_provider = sso.oidc_server, sso.idp, sso.make_provider  # the provider process fixtures

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips these tests with the reason (and fails them in CI)
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district_sso(make_provider):
    district = DistrictFactory(name="Commonwealth Demo Public Schools", require_2fa_for_admins=True)
    school = SchoolFactory(district=district)
    teacher = UserFactory(username="teacher.lincoln", first_name="Jordan", last_name="Rivera", district=district,
                          email="teacher.lincoln@example.org")
    RoleAssignmentFactory(user=teacher, role=Role.GENERAL_EDUCATOR, district=district, school=school)
    admin = UserFactory(username="district.admin", district=district, email="district.admin@example.org")
    RoleAssignmentFactory(user=admin, role=Role.DISTRICT_ADMIN, district=district, school=None)
    return {"teacher": teacher, "admin": admin, "provider": make_provider(district, name="Demo Workspace")}


def test_a_staff_member_signs_in_and_out_through_the_districts_provider(new_page, district_sso, idp):
    idp.control(identity={"sub": "g-1001", "email": "teacher.lincoln@example.org", "email_verified": True},
                interactive=True)
    page = new_page()
    page.goto("/accounts/login/")
    assert_accessible(page, "the sign-in page with a single sign-on button")
    page.get_by_role("link", name="Sign in with Demo Workspace").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Signed in as")).to_contain_text("Jordan Rivera")
    assert page.url.endswith("/students/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out of Massachusetts IEP")).to_be_visible()
    assert_accessible(page, "the signed-out page")
    page.get_by_role("link", name="Also sign out of Demo Workspace").click()
    expect(page.get_by_role("heading", name="Signed out of the test identity provider")).to_be_visible()
    logout = [call for call in idp.calls() if call["path"] == "/logout"]
    assert len(logout) == 1 and logout[0]["query"]["client_id"] == "iep-app"
    page.goto("/students/")
    assert "/accounts/login/" in page.url  # the app's session is over


def test_an_administrator_without_provider_mfa_is_asked_for_the_apps_code(new_page, district_sso, idp):
    idp.control(identity={"sub": "g-1", "email": "district.admin@example.org", "email_verified": True,
                          "amr": ["pwd"]})
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Demo Workspace").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code of the setup link")).to_be_visible()
    assert "/account/2fa/" in page.url


def test_a_stranger_is_refused_with_a_clear_page(new_page, district_sso, idp):
    idp.control(identity={"sub": "x-9", "email": "stranger@example.org", "email_verified": True})
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Demo Workspace").click()
    expect(page.get_by_role("heading", name="You cannot sign in with this account")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("no active staff account for you in this district")
    assert_accessible(page, "the refusal page")
    page.goto("/students/")
    assert "/accounts/login/" in page.url
