"""Password change and reset by emailed link, forced resets; the email goes through the outbox to a real SMTP
server on loopback."""

import re
import time
import uuid

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import Role, User
from signin.emails import email_retry_pending, email_send
from signin.models import OutgoingEmail, SecurityEvent
from tests.factories import DistrictFactory, RoleAssignmentFactory, UserFactory

from .conftest import fresh_address

pytestmark = pytest.mark.django_db
OLD = "correct horse battery staple"
NEW = "a brand new passphrase 7"


@pytest.fixture
def teacher():
    return UserFactory(username="teach", email="teach@example.org", district=DistrictFactory())


def _link(text: str) -> str:
    return re.search(r"http://\S+/accounts/reset/\S+/", text).group(0)


def _post(client, captured, url, data):
    with captured(execute=True):  # the outbox sends after commit
        return client.post(url, data)


def test_a_teacher_resets_a_forgotten_password_by_emailed_link(client, teacher, smtp,
                                                               django_capture_on_commit_callbacks):
    response = _post(client, django_capture_on_commit_callbacks, "/accounts/password-reset/",
                     {"email": "TEACH@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    [mail] = smtp.wait(1)
    assert mail["to"] == ["teach@example.org"]
    assert mail["message"]["Subject"] == "Reset your Massachusetts IEP password"
    link = _link(smtp.text(mail))
    assert link in smtp.html(mail)
    path = link.replace("http://127.0.0.1:8000", "")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    short = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert short.status_code == 200 and short.context["form"].errors  # Django's validators
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    teacher.refresh_from_db()
    assert teacher.check_password(NEW)
    assert not client.get(path, follow=True).context["validlink"]  # one-time: the link is spent
    assert SecurityEvent.objects.filter(kind="reset_done", user=teacher).exists()
    assert OutgoingEmail.objects.get().status == "sent"


def test_the_reset_page_answers_the_same_whether_or_not_the_address_exists(client, teacher, smtp,
                                                                           django_capture_on_commit_callbacks):
    known = _post(client, django_capture_on_commit_callbacks, "/accounts/password-reset/",
                  {"email": "teach@example.org"})
    unknown = _post(client, django_capture_on_commit_callbacks, "/accounts/password-reset/",
                    {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(smtp.wait(1)) == 1
    time.sleep(0.3)
    assert len(smtp.messages) == 1 and OutgoingEmail.objects.count() == 1


def test_reset_requests_are_rate_limited_per_address_and_per_email(client, teacher, settings):
    settings.SIGNIN_RATE_LIMITS, settings.SIGNIN_RESET_PER_EMAIL = True, 2
    address = client.defaults["REMOTE_ADDR"] = fresh_address()  # counters live in the shared cache for a while
    teacher.email = f"{uuid.uuid4().hex}@example.org"
    teacher.save()
    codes = [client.post("/accounts/password-reset/", {"email": teacher.email}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    settings.SIGNIN_RESET_PER_ADDRESS = 3  # the same address now trying other mailboxes
    assert client.post("/accounts/password-reset/", {"email": f"x{teacher.email}"}).status_code == 429
    assert SecurityEvent.objects.filter(kind="rate_limited", address=address).count() == 2


def test_a_mail_server_that_is_down_loses_nothing(client, teacher, smtp, settings,
                                                  django_capture_on_commit_callbacks):
    smtp.stop()
    started = time.monotonic()
    response = _post(client, django_capture_on_commit_callbacks, "/accounts/password-reset/",
                     {"email": "teach@example.org"})
    assert response.status_code == 302 and time.monotonic() - started < 5
    email = OutgoingEmail.objects.get()
    assert email.status == "pending" and email.attempts == 1 and "Error" in email.last_error
    smtp.start()
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=email.created_at.replace(year=2020))
    with django_capture_on_commit_callbacks(execute=True):
        assert email_retry_pending() == 1
    [mail] = smtp.wait(1)
    assert mail["to"] == ["teach@example.org"] and "/accounts/reset/" in smtp.text(mail)
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 2
    assert email_send(email_id=email.pk) is False  # a second delivery of the job sends nothing
    time.sleep(0.2)
    assert len(smtp.messages) == 1


def test_a_teacher_changes_their_password_and_other_sessions_end(teacher):
    here, elsewhere = Client(), Client()
    assert here.login(username="teach", password=OLD) and elsewhere.login(username="teach", password=OLD)
    wrong = here.post("/signin/password/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200 and "old_password" in wrong.context["form"].errors
    weak = here.post("/signin/password/", {"old_password": OLD, "new_password1": "password",
                                           "new_password2": "password"})
    assert weak.status_code == 200 and "new_password2" in weak.context["form"].errors
    done = here.post("/signin/password/", {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/signin/password/done/"
    assert here.get("/students/").status_code == 200  # this session continues
    assert elsewhere.get("/students/").status_code == 302  # the other one has ended
    assert SESSION_KEY not in elsewhere.session
    event = SecurityEvent.objects.get(kind="password_change")
    assert event.user == teacher and event.method == "password"


def test_an_administrator_forces_a_reset(client, teacher, smtp, django_capture_on_commit_callbacks):
    admin = UserFactory(username="boss", district=teacher.district)
    RoleAssignmentFactory(user=admin, role=Role.DISTRICT_ADMIN, district=teacher.district, school=None)
    victim_session = Client()
    assert victim_session.login(username="teach", password=OLD)
    client.force_login(admin)
    response = _post(client, django_capture_on_commit_callbacks, f"/signin/force-reset/{teacher.pk}/", {})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert not teacher.has_usable_password()
    assert victim_session.get("/students/").status_code == 302
    [mail] = smtp.wait(1)
    assert mail["to"] == ["teach@example.org"] and "/accounts/reset/" in smtp.text(mail)
    assert SecurityEvent.objects.get(kind="forced_reset").user == teacher
    outsider = UserFactory(username="outsider", district=DistrictFactory())
    RoleAssignmentFactory(user=outsider, role=Role.DISTRICT_ADMIN, district=outsider.district, school=None)
    client.force_login(outsider)
    assert client.post(f"/signin/force-reset/{admin.pk}/").status_code == 404
    assert User.objects.get(pk=admin.pk).has_usable_password()


def test_failed_and_successful_sign_ins_are_in_the_security_log(client, teacher):
    client.post("/accounts/login/", {"username": "teach", "password": "wrong"})
    client.post("/accounts/login/", {"username": "teach", "password": OLD})
    client.post("/accounts/logout/")
    kinds = list(SecurityEvent.objects.order_by("pk").values_list("kind", "user_id", "method", "address"))
    assert kinds == [("failure", teacher.pk, "password", "127.0.0.1"), ("sign_in", teacher.pk, "password", "127.0.0.1"),
                     ("sign_out", teacher.pk, "password", "127.0.0.1")]


def test_sign_in_posts_are_rate_limited_per_username_and_address_not_per_building(client, teacher, settings):
    settings.SIGNIN_RATE_LIMITS, settings.SIGNIN_LOGIN_PER_USERNAME = True, 2
    client.defaults["REMOTE_ADDR"] = fresh_address()
    name = f"u{uuid.uuid4().hex[:12]}"
    codes = [client.post("/accounts/login/", {"username": name, "password": "x"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    teacher.username = f"t{uuid.uuid4().hex[:12]}"  # a colleague behind the same address is not affected
    teacher.save()
    assert client.post("/accounts/login/", {"username": teacher.username, "password": OLD}).status_code == 302


def test_sent_emails_are_purged_after_a_week_pending_ones_are_kept():
    from datetime import timedelta

    from django.utils import timezone

    from signin.emails import emails_purge_sent

    old = timezone.now() - timedelta(days=8)
    OutgoingEmail.objects.create(kind="k", to="a@example.org", subject="s", text="t", status="sent", sent_at=old)
    OutgoingEmail.objects.create(kind="k", to="b@example.org", subject="s", text="t", status="sent",
                                 sent_at=timezone.now())
    OutgoingEmail.objects.create(kind="k", to="c@example.org", subject="s", text="t")
    assert emails_purge_sent() == 1
    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == ["b@example.org", "c@example.org"]
