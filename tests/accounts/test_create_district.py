"""`manage.py create_district`: a new district and its first administrator, without the demo."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, RoleAssignment, User
from students.models import District

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db
GOOD = {"name": "Riverbend Public Schools", "org_code": "07770000", "admin_username": "r.admin",
        "admin_first_name": "Rowan", "admin_last_name": "Admin", "admin_email": "it@riverbend.example"}


def _run(monkeypatch, password="correct-horse-battery-7", **overrides):
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command("create_district", "--password-stdin", stdout=out, **{**GOOD, **overrides})
    return out.getvalue()


def test_creates_the_district_and_an_administrator_who_can_sign_in(monkeypatch, client):
    out = _run(monkeypatch)
    district = District.objects.get(org_code="07770000")
    admin = User.objects.get(username="r.admin")
    assert admin.district == district and admin.is_active and admin.check_password("correct-horse-battery-7")
    assert list(RoleAssignment.objects.filter(user=admin).values_list("role", "district", "school")) == [
        (Role.DISTRICT_ADMIN, district.pk, None)]
    assert district.require_2fa_for_admins  # a real district: administrators use two-factor sign-in
    assert "r.admin" in out and out.count("\n") == 1
    response = client.post("/accounts/login/", {"username": "r.admin", "password": "correct-horse-battery-7"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.parametrize(("overrides", "password", "message"), [
    ({"org_code": "123"}, "correct-horse-battery-7", "org code: A DESE organization code is exactly 8 digits."),
    ({"admin_email": "not-an-address"}, "correct-horse-battery-7", "email: Enter a valid email address."),
    ({}, "short", "password: This password is too short."),
    ({}, "password1234", "password: This password is too common."),
    ({}, "", "password may not be empty"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(monkeypatch, overrides, password, message):
    with pytest.raises(CommandError) as refused:
        _run(monkeypatch, password=password, **overrides)
    assert refused.value.returncode == 2
    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert not District.objects.filter(org_code__in=["07770000", "123"]).exists()
    assert not User.objects.filter(username="r.admin").exists()


def test_a_taken_org_code_or_username_is_refused_and_nothing_is_written(monkeypatch):
    _run(monkeypatch)
    with pytest.raises(CommandError, match="org code: District with this DESE organization code already exists"):
        _run(monkeypatch, admin_username="someone.else")
    with pytest.raises(CommandError, match="username: A user with that username already exists"):
        _run(monkeypatch, org_code="07770001")
    assert not District.objects.filter(org_code="07770001").exists()  # the district of the refused call rolled back
    assert not User.objects.filter(username="someone.else").exists()


def test_from_the_shell_bad_arguments_are_one_line_and_exit_2():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV",)}
    result = subprocess.run([sys.executable, "manage.py", "create_district", "--name", "X"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--org-code" in result.stderr, result.stderr


def test_without_a_terminal_the_password_must_come_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--password-stdin") as refused:
        call_command("create_district", **GOOD)
    assert refused.value.returncode == 2 and not District.objects.exists()


def test_with_email_link_the_administrator_gets_a_one_time_link_instead_of_a_password(
        client, mailoutbox, django_capture_on_commit_callbacks):
    """--email-link: no password is set; a reset link is queued through the outbox (sent in-process here, as
    without Redis) and choosing a password through it lets the administrator sign in."""
    import re

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_district", "--email-link", stdout=out, **GOOD)
    admin = User.objects.get(username="r.admin")
    assert not admin.has_usable_password() and "it@riverbend.example" in out.getvalue()
    assert [message.to for message in mailoutbox] == [["it@riverbend.example"]]
    link = re.search(r"https?://[^/\s]+(/\S+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                       {"new_password1": "riverbend-first-pass-7", "new_password2": "riverbend-first-pass-7"})
    assert done.status_code == 302
    admin.refresh_from_db()
    assert admin.check_password("riverbend-first-pass-7")


def test_email_link_and_a_password_cannot_both_be_given():
    done = subprocess.run([sys.executable, "manage.py", "create_district", "--email-link", "--password-stdin",
                           *[f"--{key.replace('_', '-')}={value}" for key, value in GOOD.items()]],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "DATABASE_URL": "sqlite://"})
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
