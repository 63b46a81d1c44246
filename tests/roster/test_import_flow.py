"""A district administrator imports a OneRoster zip (and the plain CSV): dry run, apply, unchanged, delta."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role, RoleAssignment, TeamMembership, User
from jobs.services import outbox_dispatch
from roster.models import AcademicSession, Enrollment, ImportRun, RosterClass
from students.models import Guardian, School, Student

from .builders import OneRosterSet, plain_files

pytestmark = pytest.mark.django_db


def _upload(client, district, path, capture):
    from roster.services import roster_mapping_default

    mapping = roster_mapping_default(district=district)
    with open(path, "rb") as handle:
        response = client.post(reverse("roster:district", args=[district.pk]),
                               {"files": handle, "mapping": mapping.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    outbox_dispatch()  # what happens after commit (the test's transaction never commits)
    return ImportRun.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def _apply(client, run, capture):
    response = client.post(reverse("roster:run_apply", args=[run.district_id, run.pk]))
    assert response.status_code == 302
    outbox_dispatch()
    return ImportRun.objects.get(applied_from=run)


def test_dry_run_apply_reimport_and_delta_through_the_page(client, personas, tmp_path,
                                                           django_capture_on_commit_callbacks):
    district, admin = personas["district"], personas["district_admin"]
    client.force_login(admin)
    files = OneRosterSet(district.org_code)
    zip_path = files.zip(tmp_path / "roster.zip")
    students_before = Student.objects.count()

    dry = _upload(client, district, zip_path, django_capture_on_commit_callbacks)
    assert (dry.dry_run, dry.status, dry.started_by) == (True, "done", admin)
    assert dry.counts["students"]["created"] == 6 and dry.counts["staff"]["created"] == 4
    assert dry.rows_written > 0 and Student.objects.count() == students_before  # a dry run writes nothing
    assert {f["name"] for f in dry.files} == {"roster.zip"} or len(dry.files) == 7
    assert all(len(f["sha256"]) == 64 for f in dry.files)
    page = client.get(reverse("roster:run", args=[district.pk, dry.pk]))
    assert b"Apply this import" in page.content and b"What applying would do" in page.content

    applied = _apply(client, dry, django_capture_on_commit_callbacks)
    assert applied.status == "done" and not applied.dry_run
    assert applied.counts == dry.counts and applied.rows_written == dry.rows_written
    imported = Student.objects.filter(district=district).exclude(local_id="")
    assert imported.count() == 6
    first = imported.get(local_id="stu0")
    assert (first.sasid, first.grade, first.primary_language, first.special_education) == (
        "4100000000", "01", "spa", False)
    assert first.school.code == "41000005" and str(first.date_of_birth) == "2010-01-10"
    assert Guardian.objects.get(student=first).email == "pat.parent@example.org"
    assert School.objects.filter(district=district, code__in=["41000005", "41000010"]).count() == 2
    teacher = User.objects.get(username="roster.teacher0")
    assert teacher.district == district and not teacher.has_usable_password()
    assert RoleAssignment.objects.filter(user=teacher, role=Role.GENERAL_EDUCATOR).exists()
    assert RoleAssignment.objects.filter(user__username="roster.principal", role=Role.BUILDING_ADMIN).exists()
    assert RosterClass.objects.filter(district=district).count() == 3
    assert Enrollment.objects.filter(district=district).count() == 9
    assert AcademicSession.objects.filter(district=district, session_type="schoolYear").count() == 1
    assert applied.grading_periods[0]["title"] == "Quarter 1"
    history = first.history.get()
    assert history.history_change_reason == f"roster import run {applied.pk}" and history.history_user == admin
    # nobody was put on a Team by the file
    assert not TeamMembership.objects.filter(student__in=imported).exists()

    # the student list shows special-education students by default, everyone on request
    listing = client.get(reverse("students:list"))
    assert b"Rostered0" not in listing.content and personas["student"].last_name.encode() in listing.content
    everyone = client.get(reverse("students:list"), {"show": "all"})
    assert b"Rostered0" in everyone.content

    # the same files again: nothing changes, and the run says so
    again = _apply(client, _upload(client, district, zip_path, django_capture_on_commit_callbacks),
                   django_capture_on_commit_callbacks)
    assert again.rows_written == 0 and "No changes" in again.message
    assert again.counts["mirror"] == {"unchanged_since_run": applied.pk}  # mirror data: not compared again
    assert first.history.count() == 1

    # a delta: one student leaves, one is renamed, one teacher leaves
    delta = files.copy()
    delta.modes = {"users": "delta", "demographics": "absent", "orgs": "absent", "classes": "absent",
                   "enrollments": "absent", "academicSessions": "absent"}
    delta.users = [{**files.user("stu5"), "status": "tobedeleted"}, {**files.user("stu1"), "familyName": "Renamed"},
                   {**files.user("tch2"), "status": "tobedeleted"}]
    changed = _apply(client, _upload(client, district, delta.zip(tmp_path / "delta.zip"),
                                     django_capture_on_commit_callbacks), django_capture_on_commit_callbacks)
    assert changed.status == "done", changed.errors
    assert changed.counts["students"] == {"created": 0, "updated": 1, "left": 1, "in_files": 1}
    assert changed.counts["staff"]["deactivated"] == 1
    leaver = Student.objects.get(district=district, local_id="stu5")
    assert (leaver.active, leaver.left_on) == (False, changed.run_date)  # marked, never deleted
    assert Student.objects.get(district=district, local_id="stu1").last_name == "Renamed"
    assert not User.objects.get(username="roster.teacher2").is_active
    assert User.objects.get(username="roster.teacher1").is_active  # absent from a delta: unchanged

    # a bulk file without stu4 marks stu4 as left; the runs are listed on the district page
    bulk = files.copy()
    bulk.users = [u for u in bulk.users if u["sourcedId"] not in ("stu4", "stu5")]
    bulk.demographics = [d for d in bulk.demographics if d["sourcedId"] not in ("stu4", "stu5")]
    bulk.enrollments = [e for e in bulk.enrollments if e["userSourcedId"] not in ("stu4", "stu5")]
    final = _apply(client, _upload(client, district, bulk.zip(tmp_path / "bulk2.zip"),
                                   django_capture_on_commit_callbacks), django_capture_on_commit_callbacks)
    assert final.counts["students"]["left"] == 1 and final.counts["staff"]["updated"] == 1  # tch2 is back
    assert not Student.objects.get(local_id="stu4").active and Student.objects.get(local_id="stu4").left_on
    runs_page = client.get(reverse("roster:district", args=[district.pk]))
    assert runs_page.content.count(b"Dry run") >= 4


def test_a_oneroster_12_folder_from_the_command_line(personas, tmp_path, capsys):
    district = personas["district"]
    folder = OneRosterSet(district.org_code).folder(tmp_path / "or12", version="1.2")
    call_command("roster_import", str(folder), "--dry-run")
    assert not Student.objects.filter(local_id="stu0").exists()
    call_command("roster_import", str(folder), "--district", district.org_code)
    out = capsys.readouterr().out
    assert "students: created 6" in out
    run = ImportRun.objects.filter(dry_run=False).get()
    assert (run.format, run.source, run.started_by) == ("oneroster-1.2", "command", None)
    assert Student.objects.filter(district=district, local_id="stu3").exists()
    assert RoleAssignment.objects.filter(user__username="roster.teacher1", role=Role.GENERAL_EDUCATOR).exists()
    call_command("roster_import", str(folder))
    assert "No changes" in capsys.readouterr().out


def test_the_plain_csv_with_its_templates(client, personas, tmp_path, django_capture_on_commit_callbacks):
    district, admin = personas["district"], personas["district_admin"]
    client.force_login(admin)
    template = client.get(reverse("roster:template_students"))
    header = b"".join(template.streaming_content).decode("utf-8-sig").splitlines()[0]  # streamed, with a BOM
    assert header.startswith("district_code,school_code,sis_id,sasid,first_name,last_name,birth_date,grade")
    staff = b"".join(client.get(reverse("roster:template_staff")).streaming_content).decode("utf-8-sig")
    assert staff.startswith("district_code,school_codes")
    codes = [personas["school_a"].code, personas["school_b"].code]
    paths = plain_files(tmp_path / "plain", district.org_code, codes)
    from roster.services import roster_mapping_default

    response = client.post(reverse("roster:district", args=[district.pk]),
                           {"files": [open(p, "rb") for p in paths],
                            "mapping": roster_mapping_default(district=district).pk})
    outbox_dispatch()
    dry = ImportRun.objects.get()
    assert response.status_code == 302 and dry.status == "done", dry.errors
    run = _apply(client, dry, django_capture_on_commit_callbacks)
    assert run.format == "plain" and run.counts["students"]["created"] == 4
    assert Student.objects.get(local_id="P-1").primary_language == "por"
    assert Student.objects.get(local_id="P-0").grade == "K"
    assert Guardian.objects.get(student__local_id="P-0").relationship == "guardian"
    teacher = User.objects.get(username="plain.teacher@example.org")
    assert RoleAssignment.objects.filter(user=teacher).count() == 2
    boss = User.objects.get(username="plain.boss@example.org")  # districtAdministrator in the file: no role at all
    assert not RoleAssignment.objects.filter(user=boss).exists()

    left = plain_files(tmp_path / "plain2", district.org_code, codes, left=("P-3",))
    call_command("roster_import", *map(str, left))
    assert not Student.objects.get(local_id="P-3").active
