"""TOTP two-factor sign-in: open to everyone, required for administrators unless their district turns it off."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for `device`."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def _sign_in(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "password sign-in failed"
    return response


@pytest.fixture
def requiring(personas):
    personas["district"].require_2fa_for_admins = True
    personas["district"].save()
    return personas


def _confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_an_admin_without_a_device_is_sent_to_set_one_up(client, requiring):
    _sign_in(client, "building_admin")
    response = client.get("/students/")
    assert response.status_code == 302 and response["Location"] == "/account/2fa/?next=%2Fstudents%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Your district requires administrators" in page
    assert 'for="id_code"' in page and 'autocomplete="one-time-code"' in page


def test_setting_up_a_device_with_a_valid_code_lets_the_admin_in(client, requiring):
    _sign_in(client, "district_admin")
    page = client.get("/account/2fa/?next=/students/").content.decode()
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page).group(1)
    assert f"secret={secret}" in page and "otpauth://totp/" in page
    device = TOTPDevice.objects.get(user=requiring["district_admin"], confirmed=False)
    assert b32decode(secret) == device.bin_key
    wrong = client.post("/account/2fa/", {"code": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "did not match" in wrong.content.decode()
    throttled = client.post("/account/2fa/", {"code": _code(device)})  # django-otp slows guessing down
    assert throttled.status_code == 200 and "Wait a few seconds" in throttled.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # as if the few seconds had passed
    done = client.post("/account/2fa/", {"code": _code(device), "next": "/students/"})
    assert done.status_code == 302 and done["Location"] == "/students/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/students/").status_code == 200


def test_an_admin_with_a_device_must_enter_a_code_before_any_page(client, requiring):
    device = _confirmed_device(requiring["building_admin"])
    _sign_in(client, "building_admin")
    for path in ("/students/", f"/students/{requiring['student'].pk}/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/account/2fa/verify/?next=")
    assert client.get("/api/students/").status_code == 403
    assert client.post("/account/2fa/verify/", {"code": "12345x"}).status_code == 200
    assert client.get("/students/").status_code == 302
    response = client.post("/account/2fa/verify/", {"code": _code(device), "next": "/students/"})
    assert response.status_code == 302 and response["Location"] == "/students/"
    assert client.get("/students/").status_code == 200
    assert client.get("/api/students/").status_code == 200


def test_a_password_alone_cannot_add_a_second_device(client, requiring):
    _confirmed_device(requiring["building_admin"])
    _sign_in(client, "building_admin")
    response = client.get("/account/2fa/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/verify/")
    assert TOTPDevice.objects.filter(user=requiring["building_admin"]).count() == 1


def test_a_district_that_turns_it_off_lets_admins_in_with_a_password(client, personas):
    assert personas["district"].require_2fa_for_admins is False  # tests' factory default; the model's is True
    _sign_in(client, "district_admin")
    assert client.get("/students/").status_code == 200


def test_the_model_requires_it_by_default():
    from students.models import District

    assert District._meta.get_field("require_2fa_for_admins").default is True


def test_teachers_are_not_required_but_may_turn_it_on(client, requiring):
    _sign_in(client, "team_teacher")
    assert client.get("/students/").status_code == 200
    page = client.get("/account/2fa/").content.decode()
    assert "requires administrators" not in page and "Turn on two-factor sign-in" in page
    device = TOTPDevice.objects.get(user=requiring["team_teacher"])
    assert client.post("/account/2fa/", {"code": _code(device)}).status_code == 302
    client.post("/accounts/logout/")
    _sign_in(client, "team_teacher")
    assert client.get("/students/")["Location"].startswith("/account/2fa/verify/")


def test_the_verify_page_refuses_an_outside_next_url(client, requiring):
    device = _confirmed_device(requiring["team_chair"])
    _sign_in(client, "team_chair")
    response = client.post("/account/2fa/verify/", {"code": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_basic_authentication_is_refused_to_accounts_that_need_a_second_factor(client, personas):
    import base64

    admin = personas["district_admin"]
    admin.set_password("a long enough password 42")
    admin.save()
    district = personas["district"]
    token = base64.b64encode(b"district_admin:a long enough password 42").decode()
    district.require_2fa_for_admins = False
    district.save()
    assert client.get("/api/students/", HTTP_AUTHORIZATION=f"Basic {token}").status_code == 200
    district.require_2fa_for_admins = True
    district.save()
    refused = client.get("/api/students/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert refused.status_code in (401, 403)
    assert "two-factor" in refused.json()["detail"]
