"""Single sign-on against a real OpenID Connect provider process on loopback: the app fetches its discovery
document and keys over HTTP and verifies real RS256 ID tokens (no mocked verification)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.models import Role, User
from signin.models import DistrictSignIn, OIDCIdentity, SecurityEvent
from tests.factories import DistrictFactory, RoleAssignmentFactory, SchoolFactory, UserFactory

from .conftest import fresh_address, sso_round_trip

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_provider):
    district, other = DistrictFactory(), DistrictFactory()
    school = SchoolFactory(district=district)
    teacher = UserFactory(username="t.one", district=district, email="Someone@Example.org")
    RoleAssignmentFactory(user=teacher, role=Role.GENERAL_EDUCATOR, district=district, school=school)
    return {"district": district, "other": other, "school": school, "teacher": teacher,
            "provider": make_provider(district)}


def _signed_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def test_first_sign_in_links_by_trusted_email_and_lands_on_the_home_page(client, world):
    _, response = sso_round_trip(client, world["provider"])
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in_as(client) == world["teacher"].pk
    link = OIDCIdentity.objects.get()
    assert (link.user, link.subject, link.provider) == (world["teacher"], "subject-1", world["provider"])
    event = SecurityEvent.objects.filter(kind="sign_in").get()
    assert (event.user, event.method, event.result, event.address) == (world["teacher"], "oidc:test-idp", "ok",
                                                                      "127.0.0.1")
    assert client.get("/students/").status_code == 200


def test_once_linked_the_subject_is_what_counts_not_the_email(client, world, idp):
    sso_round_trip(client, world["provider"])
    client.logout()
    idp.control(identity={"sub": "subject-1", "email": "renamed@elsewhere.test", "email_verified": False})
    _, response = sso_round_trip(client, world["provider"])
    assert response.status_code == 302 and _signed_in_as(client) == world["teacher"].pk
    idp.control(identity={"sub": "subject-2", "email": "someone@example.org", "email_verified": True})
    client.logout()
    _, refused = sso_round_trip(client, world["provider"])  # a second subject cannot take the linked account
    assert refused.status_code == 403 and _signed_in_as(client) is None


@pytest.mark.parametrize("fault", ["bad_signature", "wrong_audience", "expired"])
def test_a_token_that_fails_verification_is_refused(client, world, idp, fault):
    idp.control(fault=fault)
    _, response = sso_round_trip(client, world["provider"])
    assert response.status_code == 400
    assert b"could not be completed" in response.content
    assert _signed_in_as(client) is None and not OIDCIdentity.objects.exists()
    event = SecurityEvent.objects.get(kind="refused")
    assert event.method == "oidc:test-idp" and event.result.startswith("token:")


def test_a_replayed_callback_is_refused(client, world):
    callback, first = sso_round_trip(client, world["provider"])
    assert first.status_code == 302
    again = client.get(callback)  # the same state and code a second time, in the same browser
    assert again.status_code == 400
    assert SecurityEvent.objects.filter(kind="refused", result__startswith="oauth:").count() == 1
    client.logout()
    stranger = client.__class__()  # and from another browser that never started the sign-in
    assert stranger.get(callback).status_code == 400
    assert _signed_in_as(stranger) is None


def test_an_unknown_person_is_refused_and_nothing_is_created(client, world, idp):
    idp.control(identity={"sub": "who", "email": "nobody@example.org", "email_verified": True})
    users = User.objects.count()
    _, response = sso_round_trip(client, world["provider"])
    assert response.status_code == 403
    assert b"no active staff account for you in this district" in response.content
    assert User.objects.count() == users and not OIDCIdentity.objects.exists() and _signed_in_as(client) is None
    refused = SecurityEvent.objects.get(kind="refused")
    assert (refused.result, refused.district, refused.user) == ("unknown", world["district"], None)


def test_a_member_of_another_district_is_refused(client, world, idp):
    UserFactory(username="elsewhere", district=world["other"], email="colleague@example.org")
    idp.control(identity={"sub": "colleague", "email": "colleague@example.org", "email_verified": True})
    _, response = sso_round_trip(client, world["provider"])
    assert response.status_code == 403 and _signed_in_as(client) is None
    # and a linked account that moved to another district is refused too
    sso_user = world["teacher"]
    OIDCIdentity.objects.create(provider=world["provider"], subject="moved", user=sso_user)
    User.objects.filter(pk=sso_user.pk).update(district=world["other"])
    idp.control(identity={"sub": "moved", "email": "someone@example.org", "email_verified": True})
    _, moved = sso_round_trip(client, world["provider"])
    assert moved.status_code == 403 and _signed_in_as(client) is None


def test_a_deactivated_account_is_refused_with_a_clear_page(client, world):
    User.objects.filter(pk=world["teacher"].pk).update(is_active=False)
    _, response = sso_round_trip(client, world["provider"])
    assert response.status_code == 403 and b"deactivated" in response.content
    assert _signed_in_as(client) is None


def test_email_linking_needs_an_allowed_domain_a_verified_address_and_the_districts_trust(client, world, idp):
    provider = world["provider"]
    idp.control(identity={"sub": "s", "email": "someone@example.org", "email_verified": False})
    _, unverified = sso_round_trip(client, provider)
    assert unverified.status_code == 403 and b"not verified" in unverified.content
    provider.allowed_domains = "district.k12.ma.us"
    provider.require_email_verified = False  # e.g. Entra ID, which sends no email_verified
    provider.save()
    _, wrong_domain = sso_round_trip(client, provider)
    assert wrong_domain.status_code == 403
    provider.allowed_domains = "district.k12.ma.us, example.org"
    provider.link_by_email = False
    provider.save()
    _, not_trusted = sso_round_trip(client, provider)
    assert not_trusted.status_code == 403
    provider.link_by_email = True
    provider.save()
    _, accepted = sso_round_trip(client, provider)  # Entra-style: no email_verified, district trusts the domain
    assert accepted.status_code == 302 and _signed_in_as(client) == world["teacher"].pk
    assert [e.result for e in SecurityEvent.objects.filter(kind="refused").order_by("pk")] == [
        "email_not_verified", "domain_not_allowed", "not_linked"]


@pytest.mark.parametrize(("amr", "lands_on"), [(["pwd"], "/account/2fa/"), (["pwd", "mfa"], None)])
def test_an_administrator_is_asked_for_the_apps_code_unless_the_provider_did_mfa(client, world, idp, amr, lands_on):
    district = world["district"]
    district.require_2fa_for_admins = True
    district.save()
    admin = UserFactory(username="d.admin", district=district, email="admin@example.org")
    RoleAssignmentFactory(user=admin, role=Role.DISTRICT_ADMIN, district=district, school=None)
    idp.control(identity={"sub": "admin-sub", "email": "admin@example.org", "email_verified": True, "amr": amr})
    _, response = sso_round_trip(client, world["provider"])
    assert response.status_code == 302 and _signed_in_as(client) == admin.pk
    home = client.get("/students/")
    if lands_on is None:
        assert home.status_code == 200
    else:
        assert home.status_code == 302 and home["Location"].startswith(lands_on)


def test_acr_configured_providers_compare_the_acr_value(client, world, idp):
    district = world["district"]
    district.require_2fa_for_admins = True
    district.save()
    provider = world["provider"]
    provider.mfa_claim, provider.mfa_values = "acr", "http://schemas.example/mfa"
    provider.save()
    admin = UserFactory(username="d.admin2", district=district, email="admin2@example.org")
    RoleAssignmentFactory(user=admin, role=Role.DISTRICT_ADMIN, district=district, school=None)
    idp.control(identity={"sub": "a2", "email": "admin2@example.org", "email_verified": True, "amr": ["mfa"],
                          "acr": "http://schemas.example/mfa"})
    sso_round_trip(client, provider)
    assert client.get("/students/").status_code == 200
    client.logout()
    idp.control(identity={"sub": "a2", "acr": "0", "amr": ["mfa"]})  # amr is not what this provider is read by
    sso_round_trip(client, provider)
    assert client.get("/students/").status_code == 302


def test_signing_out_ends_the_session_and_offers_the_providers_sign_out(client, world, idp):
    sso_round_trip(client, world["provider"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 200 and _signed_in_as(client) is None
    link = response.context["provider_logout"]
    assert link.startswith(f"{idp.url}/logout?")
    query = parse_qs(urlsplit(link).query)
    assert query["client_id"] == ["iep-app"] and query["id_token_hint"][0].count(".") == 2
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert client.get("/students/").status_code == 302
    assert SecurityEvent.objects.filter(kind="sign_out", user=world["teacher"], method="oidc:test-idp").exists()


def test_password_sign_in_can_be_turned_off_for_a_district(client, world):
    DistrictSignIn.objects.create(district=world["district"], passwords_allowed=False)
    response = client.post("/accounts/login/", {"username": "t.one", "password": "correct horse battery staple"})
    assert response.status_code == 200 and b"use the sign-in button below" in response.content
    assert b"Sign in with Test Identity" in response.content
    assert _signed_in_as(client) is None
    _, sso = sso_round_trip(client, world["provider"])
    assert sso.status_code == 302 and _signed_in_as(client) == world["teacher"].pk


def test_the_client_secret_can_come_from_the_environment(client, world, monkeypatch):
    provider = world["provider"]
    provider.client_secret_encrypted, provider.client_secret_env = "", "OIDC_TEST_SECRET"
    provider.save()
    monkeypatch.setenv("OIDC_TEST_SECRET", "test-secret")
    _, response = sso_round_trip(client, provider)
    assert response.status_code == 302 and _signed_in_as(client) == world["teacher"].pk
    monkeypatch.setenv("OIDC_TEST_SECRET", "wrong")
    client.logout()
    _, wrong = sso_round_trip(client, provider)  # the provider refuses the client at the token endpoint
    assert wrong.status_code == 400 and _signed_in_as(client) is None


def test_the_callback_is_rate_limited_per_address(client, world, settings):
    settings.SIGNIN_RATE_LIMITS, settings.SIGNIN_OIDC_PER_ADDRESS = True, 3
    address = client.defaults["REMOTE_ADDR"] = fresh_address()
    callback, first = sso_round_trip(client, world["provider"])  # start + callback: 2 hits
    assert first.status_code == 302
    assert client.get(callback).status_code == 400  # 3rd hit: still served (a replay)
    assert client.get(callback).status_code == 429
    assert SecurityEvent.objects.filter(kind="rate_limited", address=address).exists()


def test_a_provider_that_cannot_be_reached_gives_a_clear_page_and_disabled_ones_are_not_offered(client, world):
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = world["provider"]
    provider.issuer = f"http://127.0.0.1:{port}"
    provider.save()
    response = client.get(f"/signin/oidc/{provider.slug}/start/")
    assert response.status_code == 503 and b"not available right now" in response.content
    assert b"Sign in with Test Identity" in client.get("/accounts/login/").content
    provider.enabled = False
    provider.save()
    assert b"Sign in with Test Identity" not in client.get("/accounts/login/").content
    assert client.get(f"/signin/oidc/{provider.slug}/start/").status_code == 404
