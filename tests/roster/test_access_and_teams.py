"""Who may import, the roster routes in the permission matrix, suggested teachers, and staff who leave."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import TeamMembership, User
from iep.models import LockNotice, Section, SectionLock, SectionLockEvent
from roster.models import ImportRun, StaffLink
from roster.selectors import suggested_teachers
from students.models import Student
from tests.accounts import matrix
from tests.factories import IEPFactory, SectionFactory

from .builders import OneRosterSet

pytestmark = pytest.mark.django_db


def test_the_roster_routes_answer_every_principal_as_the_access_rules_say():
    world = matrix.build_world()
    names = {name for name in matrix.ROUTES if name.startswith("roster:")}
    checker = matrix.Matrix(world, only=names)
    problems = checker.check()
    assert not problems, "\n".join(problems)
    assert checker.cases_run >= len(names) * 7 * 5


@pytest.mark.parametrize(("persona", "status"), [("district_admin", 200), ("team_chair", 403),
                                                 ("building_admin", 403), ("other_district_admin", 404)])
def test_only_the_districts_own_administrators_open_its_import_page(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("roster:district", args=[personas["district"].pk])).status_code == status


def test_an_administrator_cannot_import_into_another_district(client, personas, tmp_path):
    other = personas["other_district"]
    client.force_login(personas["district_admin"])
    archive = OneRosterSet(other.org_code).zip(tmp_path / "r.zip")
    with open(archive, "rb") as handle:
        response = client.post(reverse("roster:district", args=[other.pk]), {"files": handle})
    assert response.status_code == 404 and not ImportRun.objects.exists()
    run = ImportRun.objects.create(district=other, run_date=datetime.date(2026, 9, 1), status="done")
    assert client.post(reverse("roster:run_apply", args=[other.pk, run.pk])).status_code == 404
    # and a run of another district is not found under one's own district either
    assert client.get(reverse("roster:run", args=[personas["district"].pk, run.pk])).status_code == 404


def _import(district, tmp_path, files=None, name="r.zip"):
    files = files or OneRosterSet(district.org_code)
    call_command("roster_import", str(files.zip(tmp_path / name)))
    return files


def test_enrollments_suggest_teachers_and_only_the_chair_adds_them(client, personas, tmp_path):
    district = personas["district"]
    _import(district, tmp_path)
    student = Student.objects.get(district=district, local_id="stu0")
    chair = personas["team_chair"]
    from accounts.services import team_chair_set

    team_chair_set(student=student, user=chair)
    suggested = suggested_teachers(student)
    assert [(u.username, classes) for u, classes in suggested] == [("roster.teacher0", ["Grade class 0"])]
    assert list(TeamMembership.objects.filter(student=student).values_list("user__username", flat=True)) == [
        chair.username]  # the file changed no Team by itself
    url = reverse("roster:suggestions", args=[student.pk])
    client.force_login(personas["team_teacher"])
    assert client.get(url).status_code == 404  # not on this student's Team
    client.force_login(chair)
    page = client.get(url)
    assert page.status_code == 200 and b"Add Teach0 Er to the Team" in page.content
    assert client.post(url, {"user": personas["team_sped"].pk}).status_code == 400  # not a suggestion
    assert client.post(url, {"user": suggested[0][0].pk}).status_code == 302
    assert TeamMembership.objects.filter(student=student, user__username="roster.teacher0").exists()
    assert suggested_teachers(student) == []
    detail = client.get(reverse("students:detail", args=[student.pk]))
    assert b"Suggested teachers" in detail.content


def test_a_staff_member_who_leaves_is_deactivated_their_locks_released_and_the_chair_told(client, personas,
                                                                                           tmp_path):
    district, chair = personas["district"], personas["team_chair"]
    files = _import(district, tmp_path)
    leaver = User.objects.get(username="roster.teacher1")
    leaver.set_password("a long enough password 1")
    leaver.save()
    client.force_login(leaver)
    assert client.get(reverse("students:list")).status_code == 200
    section = SectionFactory(iep=IEPFactory(student=personas["student"]), kind=Section.Kind.VISION)
    SectionLock.objects.update_or_create(section=section, defaults={
        "holder": leaver, "acquired_at": timezone.now(), "expires_at": timezone.now() + datetime.timedelta(minutes=30)})
    files.users = [u for u in files.users if u["sourcedId"] != "tch1"]
    files.enrollments = [e for e in files.enrollments if e["userSourcedId"] != "tch1"]
    _import(district, tmp_path, files, name="again.zip")
    run = ImportRun.objects.order_by("-pk").first()
    assert run.counts["staff"]["deactivated"] == 1 and run.counts["locks"]["released"] == 1
    leaver.refresh_from_db()
    assert not leaver.is_active and StaffLink.objects.filter(user=leaver).exists()  # kept, never deleted
    assert SectionLock.objects.get(section=section).holder is None
    event = SectionLockEvent.objects.filter(section=section, kind="broken").get()
    assert event.previous_holder == leaver and "left the district" in event.reason
    notice = LockNotice.objects.get(user=chair)
    assert "left the district" in notice.message and "Teach1" in notice.message
    # their open session ends: the next request is treated as signed out
    response = client.get(reverse("students:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_run_page_polls_while_running_and_shows_the_result(client, personas):
    district = personas["district"]
    client.force_login(personas["district_admin"])
    run = ImportRun.objects.create(district=district, run_date=datetime.date(2026, 9, 1), status="running",
                                   started_by=personas["district_admin"])
    from django.core.cache import cache

    from roster.services import progress_key

    cache.set(progress_key(run.pk), (40, "students"))
    page = client.get(reverse("roster:run", args=[district.pk, run.pk]), headers={"HX-Request": "true"})
    body = page.content.decode()
    assert 'hx-trigger="every 2s"' in body and 'value="40"' in body and "students" in body
    assert "<html" not in body  # only the status fragment
    run.status, run.message = "invalid", "2 row error(s): nothing was written."
    run.errors = [{"file": "users.csv", "line": 4, "message": "bad"}, {"file": "orgs.csv", "line": 2, "message": "x"}]
    run.save()
    body = client.get(reverse("roster:run", args=[district.pk, run.pk])).content.decode()
    assert "every 2s" not in body and "users.csv" in body and "nothing was written" in body


def test_the_bench_runs_small_and_ends_with_its_json(require_postgres, capsys):
    from bench.roster import main

    assert main(["--size", "300"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(figures) == {"students", "staff", "enrollments", "first_import_s", "reimport_s",
                            "reimport_rows_written", "delta_import_s", "peak_rss_mb"}
    assert (figures["students"], figures["staff"], figures["reimport_rows_written"]) == (300, 30, 0)
    assert figures["enrollments"] > 2000 and figures["peak_rss_mb"] > 0
