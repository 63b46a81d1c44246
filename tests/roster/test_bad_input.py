"""Every kind of bad input gets a clear error (file and line for rows), and nothing is written."""

import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Role, RoleAssignment, User
from roster.models import Enrollment, ImportRun, RosterMapping
from students.models import School, Student
from tests.factories import StudentFactory, UserFactory

from .builders import OneRosterSet, plain_files

pytestmark = pytest.mark.django_db


def _written() -> tuple:
    return (Student.objects.count(), User.objects.count(), School.objects.count(), Enrollment.objects.count(),
            RoleAssignment.objects.count())


def _refused(*paths, dry_run=False) -> tuple[str, ImportRun | None]:
    """Run the command; it must exit 2 with one line. Returns the message and the recorded run (if any)."""
    before = _written()
    args = [str(p) for p in paths] + (["--dry-run"] if dry_run else [])
    with pytest.raises(CommandError) as refused:
        call_command("roster_import", *args)
    assert refused.value.returncode == 2
    message = str(refused.value)
    assert "\n" not in message
    assert _written() == before  # nothing was written
    return message, ImportRun.objects.order_by("-pk").first()


def _errors(run) -> list[tuple[str, int, str]]:
    return [(e["file"], e["line"], e["message"]) for e in run.errors]


@pytest.fixture
def district(personas):
    return personas["district"]


@pytest.fixture
def files(district):
    return OneRosterSet(district.org_code)


def test_missing_required_columns(files, tmp_path):
    archive = files.zip(tmp_path / "r.zip")
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tmp_path / "bad.zip", "w") as target:
        for name in source.namelist():
            text = source.read(name).decode()
            if name == "users.csv":
                text = text.replace("givenName,", "firstName,", 1)
            target.writestr(name, text)
    message, run = _refused(tmp_path / "bad.zip")
    assert ("users.csv", 1, "missing required column(s): givenName") in _errors(run)
    assert "users.csv line 1" in message


def test_unknown_orgs_duplicate_ids_and_other_date_formats_are_all_listed(files, tmp_path):
    files.user("stu1")["orgSourcedIds"] = "sch-nowhere"
    files.users.append(dict(files.user("stu2")))  # the same sourcedId twice (line 13 of users.csv)
    files.demographics[3]["birthDate"] = "03/14/2012"
    files.enrollments.append({"sourcedId": "e-x", "classSourcedId": "cls-missing", "userSourcedId": "stu0",
                              "role": "student"})
    message, run = _refused(files.zip(tmp_path / "r.zip"), dry_run=True)
    errors = _errors(run)
    assert ("users.csv", 3, "orgSourcedIds sch-nowhere not an org of orgs.csv or of the district") in errors
    assert ("users.csv", 13, "sourcedId 'stu2' appears twice in users.csv") in errors
    assert ("demographics.csv", 5, "birthDate '03/14/2012' is not a date in the form YYYY-MM-DD") in errors
    assert any(f == "enrollments.csv" and "cls-missing" in m for f, _l, m in errors)
    assert run.status == "invalid" and run.error_count == len(errors) >= 4
    assert "row error" in message


def test_a_bad_row_among_good_ones_writes_nothing_at_all(files, tmp_path):
    files.user("stu5")["identifier"] = "12345"  # not a 10-digit SASID
    message, run = _refused(files.zip(tmp_path / "r.zip"))
    assert ("users.csv", 7, "SASID '12345' (from identifier) is not 10 digits") in _errors(run)
    assert not Student.objects.filter(local_id__startswith="stu").exists()


def test_utf8_with_a_byte_order_mark_and_windows_1252_are_read(files, district, tmp_path):
    files.user("stu0")["givenName"] = "Zoë"
    files.user("stu1")["familyName"] = "Nuñez"
    with zipfile.ZipFile(tmp_path / "mixed.zip", "w") as archive:
        for name, text in files.files().items():
            if name == "users.csv":
                archive.writestr(name, text.encode("cp1252"))
            else:
                archive.writestr(name, b"\xef\xbb\xbf" + text.encode("utf-8"))  # BOM before the header
    call_command("roster_import", str(tmp_path / "mixed.zip"))
    assert Student.objects.get(local_id="stu0").first_name == "Zoë"
    assert Student.objects.get(local_id="stu1").last_name == "Nuñez"
    assert School.objects.filter(district=district, code="41000005").exists()  # orgs.csv header read past the BOM


def test_text_that_is_neither_utf8_nor_windows_1252_is_refused(files, tmp_path):
    folder = files.folder(tmp_path / "f")
    (folder / "users.csv").write_bytes((folder / "users.csv").read_bytes() + b"\x81\xff\x8d\n")
    message, _run = _refused(folder)
    assert "neither UTF-8 nor Windows-1252" in message


def test_a_200_mb_file_is_refused_before_it_is_read(district, tmp_path):
    big = tmp_path / "students.csv"
    with open(big, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB as far as the importer can tell
    message, _run = _refused(big)
    assert "larger than 100 MB" in message


def test_a_zip_that_unpacks_beyond_the_limit_is_refused(files, tmp_path, settings):
    settings.ROSTER_MAX_UNPACKED_MB = 1
    files.users += [{"sourcedId": f"pad{i}", "role": "parent", "orgSourcedIds": "sch0", "givenName": "x" * 200,
                     "familyName": "y"} for i in range(6000)]
    archive = files.zip(tmp_path / "big.zip")
    assert archive.stat().st_size < 1024 * 1024
    message, _run = _refused(archive)
    assert "unpack to more than 1 MB" in message or "unpacks to more than 1 MB" in message


@pytest.mark.parametrize("entry", ["../escape.csv", "/etc/roster.csv", "sub/../../escape.csv", "C:\\x\\users.csv"])
def test_a_zip_with_paths_that_climb_out_of_the_folder_is_refused(files, tmp_path, entry):
    archive = files.zip(tmp_path / "slip.zip")
    with zipfile.ZipFile(archive, "a") as handle:
        handle.writestr(entry, "sourcedId\nx\n")
    message, _run = _refused(archive)
    assert "the zip is refused" in message
    assert not (tmp_path.parent / "escape.csv").exists()


def test_files_in_one_folder_inside_the_zip_are_read(files, tmp_path):
    call_command("roster_import", str(files.zip(tmp_path / "nested.zip", folder="export-2026/")))
    assert Student.objects.filter(local_id="stu0").exists()


def test_a_district_code_that_is_not_the_importers_is_refused(files, district, personas, tmp_path):
    files.orgs[0]["identifier"] = personas["other_district"].org_code
    before = _written()
    with pytest.raises(CommandError):
        call_command("roster_import", str(files.zip(tmp_path / "r.zip")), "--district", district.org_code)
    run = ImportRun.objects.get()
    assert _written() == before
    assert any(f == "orgs.csv" and line == 2 and "is not the code of" in m for f, line, m in _errors(run))


def test_plain_csv_with_another_districts_code_is_refused(district, personas, tmp_path):
    codes = [personas["school_a"].code]
    paths = plain_files(tmp_path / "p", personas["other_district"].org_code, codes)
    with pytest.raises(CommandError):
        call_command("roster_import", *map(str, paths), "--district", district.org_code)
    assert any("is not the code of" in e["message"] and e["line"] == 2 for e in ImportRun.objects.get().errors)


def test_plain_csv_bad_rows(district, personas, tmp_path):
    paths = plain_files(tmp_path / "p", district.org_code, [personas["school_a"].code])
    text = paths[0].read_text().splitlines()
    text[2] = text[2].replace("2014-05-02", "5/2/2014")
    text.append(text[1])  # P-0 twice
    text[3] = text[3].replace(personas["school_a"].code, "99999999")
    paths[0].write_text("\r\n".join(text) + "\r\n")
    _message, run = _refused(*paths)
    errors = _errors(run)
    assert ("students.csv", 3, "birth_date '5/2/2014' is not a date in the form YYYY-MM-DD") in errors
    assert ("students.csv", 4, "school_code '99999999' is not a school of the district") in errors
    assert ("students.csv", 6, "sis_id 'P-0' is also on line 2") in errors


def test_a_sasid_or_username_held_in_another_district_is_refused(files, personas, tmp_path):
    StudentFactory(school=personas["other_school"], sasid=files.user("stu2")["identifier"])
    UserFactory(username="roster.teacher1", district=personas["other_district"])
    _message, run = _refused(files.zip(tmp_path / "r.zip"))
    errors = _errors(run)
    assert ("users.csv", 4, "SASID 4100000002 already belongs to a student of another district") in errors
    assert any(line == 10 and "roster.teacher1" in m for _f, line, m in errors)


def test_a_missing_manifest_and_unknown_layouts_are_refused(files, tmp_path):
    folder = files.folder(tmp_path / "f")
    (folder / "manifest.csv").unlink()
    message, _run = _refused(folder)
    assert "manifest.csv is missing" in message
    other = tmp_path / "other"
    other.mkdir()
    (other / "grades.csv").write_text("a,b\n1,2\n")
    with pytest.raises(CommandError) as refused:
        call_command("roster_import", str(other), "--district", files.orgs[0]["identifier"])
    assert "No roster files found" in str(refused.value)


def test_the_command_needs_a_known_district(files, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("roster_import", str(files.zip(tmp_path / "r.zip")), "--district", "12345678")
    assert refused.value.returncode == 2 and "No district has the code" in str(refused.value)


def test_no_file_makes_anyone_a_district_administrator(files, district, tmp_path):
    mapping = RosterMapping.objects.create(district=district, name="Hostile", role_map={})
    mapping.role_map = {"administrator": Role.DISTRICT_ADMIN}
    assert mapping.role_for("administrator") == "skip"
    files.user("adm0")["role"] = "districtAdministrator"
    call_command("roster_import", str(files.zip(tmp_path / "r.zip")), "--mapping", "Default")
    assert not RoleAssignment.objects.filter(user__username="roster.principal").exists()
    assert not RoleAssignment.objects.filter(role=Role.DISTRICT_ADMIN, user__username__startswith="roster.").exists()


def test_the_upload_page_refuses_oversize_uploads_and_other_file_types(client, personas, files, tmp_path, settings):
    district = personas["district"]
    client.force_login(personas["district_admin"])
    settings.ROSTER_MAX_UPLOAD_MB = 1
    big = tmp_path / "students.csv"
    big.write_bytes(b"x" * (1024 * 1024 + 10))
    from roster.services import roster_mapping_default

    mapping = roster_mapping_default(district=district)
    for path, expected in ((big, b"larger than 1 MB"), (tmp_path / "notes.txt", b"neither a .zip nor a .csv")):
        if not path.exists():
            path.write_text("hello")
        with open(path, "rb") as handle:
            response = client.post(reverse("roster:district", args=[district.pk]),
                                   {"files": handle, "mapping": mapping.pk})
        assert response.status_code == 400 and expected in response.content
    assert not ImportRun.objects.exists()
    response = client.post(reverse("roster:district", args=[district.pk]), {"mapping": mapping.pk})
    assert response.status_code == 400 and b"This field is required" in response.content


def test_the_mapping_form_refuses_district_administrator(client, personas):
    district = personas["district"]
    client.force_login(personas["district_admin"])
    url = reverse("roster:mapping_new", args=[district.pk])
    response = client.post(url, {"name": "Aspen", "sasid_field": "identifier",
                                 "role_map_text": '{"administrator": "district_admin"}'})
    assert response.status_code == 400 and b"never by a file" in response.content
    response = client.post(url, {"name": "Aspen", "sasid_field": "identifier", "role_map_text": "{not json"})
    assert response.status_code == 400 and b"not valid JSON" in response.content
    response = client.post(url, {"name": "Aspen", "sasid_field": "userIds",
                                 "role_map_text": '{"aide": "special_educator"}'})
    assert response.status_code == 302
    assert RosterMapping.objects.get(district=district, name="Aspen").role_for("aide") == "special_educator"


def test_enrollment_rows_with_bad_values_or_shape_are_reported_with_their_line(files, tmp_path):
    files.enrollments[1]["dateLastModified"] = "31/08/2026"   # line 3
    files.enrollments[2]["status"] = "gone"                    # line 4
    files.enrollments[3]["role"] = ""                          # line 5
    files.enrollments.append(dict(files.enrollments[0]))       # line 11: e-t0 again
    _message, run = _refused(files.zip(tmp_path / "r.zip"))
    errors = _errors(run)
    assert ("enrollments.csv", 3, "dateLastModified '31/08/2026' is not an ISO 8601 date-time "
                                  "(2026-08-31T12:00:00Z)") in errors
    assert ("enrollments.csv", 4, "status 'gone' is not active or tobedeleted") in errors
    assert ("enrollments.csv", 5, "no value for role") in errors
    assert ("enrollments.csv", 11, "sourcedId 'e-t0' appears twice in enrollments.csv") in errors


def test_an_enrollment_row_with_too_many_values_is_reported_with_its_line(files, tmp_path):
    text = files.files()["enrollments.csv"].splitlines()
    text[3] += ",extra"
    with zipfile.ZipFile(tmp_path / "r.zip", "w") as archive:
        for name, body in files.files().items():
            archive.writestr(name, "\r\n".join(text) + "\r\n" if name == "enrollments.csv" else body)
    _message, run = _refused(tmp_path / "r.zip")
    assert [(f, line) for f, line, _m in _errors(run)] == [("enrollments.csv", 4)]


def test_an_apply_whose_stored_files_are_gone_is_refused_and_recorded(personas):
    import datetime

    from roster.services import roster_mapping_default, roster_run_execute

    district = personas["district"]
    run = ImportRun.objects.create(district=district, mapping=roster_mapping_default(district=district),
                                   upload_dir="roster/gone", dry_run=False, run_date=datetime.date(2026, 9, 1))
    run = roster_run_execute(run_id=run.pk)
    assert run.status == "invalid" and "no longer stored" in run.message and run.finished_at
