"""The security log page, backup codes for the second factor, and the setup key's QR code."""

import re
from urllib.parse import unquote

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from signin.backup_codes import backup_codes_remaining
from signin.models import SecurityEvent
from signin.qr import qr_data_uri
from tests.factories import DistrictFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _admin(district, name):
    user = UserFactory(username=name, district=district)
    RoleAssignmentFactory(user=user, role=Role.DISTRICT_ADMIN, district=district, school=None)
    return user


def test_district_administrators_read_their_districts_security_log_only(client):
    home, away = DistrictFactory(), DistrictFactory()
    admin, teacher = _admin(home, "log.admin"), UserFactory(username="log.teacher", district=home)
    stranger = UserFactory(username="log.stranger", district=away)
    client.post("/accounts/login/", {"username": "log.teacher", "password": "wrong"})
    client.post("/accounts/login/", {"username": "log.stranger", "password": "wrong"})
    client.force_login(admin)
    page = client.get("/signin/security-log/")
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert [(e.kind, e.user_id) for e in rows] == [("sign_in", admin.pk), ("failure", teacher.pk)]
    assert b"log.teacher" in page.content and b"log.stranger" not in page.content
    failures = client.get("/signin/security-log/?kind=failure")
    assert [e.user_id for e in failures.context["page"]] == [teacher.pk]
    client.force_login(teacher)
    assert client.get("/signin/security-log/").status_code == 403
    assert SecurityEvent.objects.filter(user=stranger).exists()


def test_backup_codes_stand_in_for_the_app_code_once_each(client):
    user = UserFactory(username="codes.user", district=DistrictFactory())
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    assert client.post("/accounts/login/", {"username": "codes.user", "password": PASSWORD}).status_code == 302
    assert client.get("/signin/backup-codes/").status_code == 302  # not verified yet: enter a code first
    client.post("/account/2fa/verify/", {"code": f"{totp(device.bin_key):06d}"})
    made = client.post("/signin/backup-codes/")
    codes = made.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10 and backup_codes_remaining(user=user) == 10
    assert all(code in made.content.decode() for code in codes)
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "codes.user", "password": PASSWORD})
    assert client.get("/students/").status_code == 302
    assert client.post("/account/2fa/verify/", {"code": codes[0]}).status_code == 302
    assert client.get("/students/").status_code == 200
    assert backup_codes_remaining(user=user) == 9
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "codes.user", "password": PASSWORD})
    reused = client.post("/account/2fa/verify/", {"code": codes[0]})  # spent
    assert reused.status_code == 200 and client.get("/students/").status_code == 302
    assert client.get("/signin/backup-codes/").status_code == 302


def test_the_setup_page_shows_the_setup_link_as_a_server_drawn_qr_code(client):
    user = UserFactory(username="qr.user", district=DistrictFactory())
    client.force_login(user)
    page = client.get("/account/2fa/").content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    src = re.search(r'<img src="([^"]+)" alt="QR code of the setup link', page).group(1)
    assert src.startswith("data:image/svg+xml")
    assert unquote(src.replace("&amp;", "&")) == unquote(qr_data_uri(device.config_url))
    assert "<svg" in unquote(src) and "<script" not in unquote(src)
